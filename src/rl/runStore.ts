/**
 * Where a run persists: an interface of three byte/text operations, so the same trainer writes
 * to a folder in Node (`nodeRunStore`) and to IndexedDB in the browser (the app's side), and
 * tests use `memoryRunStore`.
 *
 * Layout (paths relative to the run):
 *   config.json                         the RlConfig (seed included) and where the run started
 *   metrics.jsonl                       one StepMetrics per line
 *   groups.jsonl                        per step: every group's rewards, advantages, fate
 *   samples/step-000012-<id>.json       sampled trajectories (trajectory record JSON, exportFormats)
 *   checkpoints/step-000012/            model.json + weights.bin (TF.js format, loadable with
 *                                       loadModel(nodeFileHandler(dir))), tokenizer.json,
 *                                       optimizer.bin + state.json (resume)
 *   checkpoints/latest.json             { step, dir } of the newest checkpoint
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamW } from '../model/trainStep';
import type { Tokenizer } from '../model/tokenizer';
import type { TinyVLM } from '../model/transformer';
import { loadWeightsInto, modelToArtifacts, WeightsError } from '../model/weights';
import { nodeDirStore } from '../storage/nodeDir';

export interface RunStore {
  read(path: string): Promise<Uint8Array | null>;
  write(path: string, bytes: Uint8Array): Promise<void>;
  /** Appends text to a file (creating it). */
  append(path: string, text: string): Promise<void>;
}

const utf8 = new TextEncoder();
const fromUtf8 = (b: Uint8Array) => new TextDecoder().decode(b);

export async function writeJson(store: RunStore, path: string, value: unknown): Promise<void> {
  await store.write(path, utf8.encode(JSON.stringify(value, null, 1) + '\n'));
}

export async function readJson<T>(store: RunStore, path: string): Promise<T | null> {
  const b = await store.read(path);
  return b ? (JSON.parse(fromUtf8(b)) as T) : null;
}

/** JSON of metrics: NaN and ±Infinity become null (JSON has neither). */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n';
}

/** In memory (tests; a browser tab that persists nothing). */
export function memoryRunStore(): RunStore & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    async read(p) {
      return files.get(p) ?? null;
    },
    async write(p, bytes) {
      files.set(p, bytes.slice());
    },
    async append(p, text) {
      const old = files.get(p) ?? new Uint8Array();
      const add = utf8.encode(text);
      const both = new Uint8Array(old.length + add.length);
      both.set(old);
      both.set(add, old.length);
      files.set(p, both);
    },
  };
}

/** A folder on disk (Node only; node:fs is imported lazily so the browser bundle never needs it). */
export const nodeRunStore = (dir: string): RunStore => nodeDirStore(dir);

export interface CheckpointState {
  /** Optimizer steps taken (= RL steps completed). */
  step: number;
  /** Anything the trainer needs to continue (e.g. the run's config hash). */
  extra?: Record<string, unknown>;
}

export const checkpointDir = (step: number): string => `checkpoints/step-${String(step).padStart(6, '0')}`;

/**
 * Saves the model (same files as nodeFileHandler writes), the tokenizer, the optimizer's moments
 * and the step; then points checkpoints/latest.json at it (written last, so a crash mid-save
 * leaves the previous checkpoint as the latest).
 */
export async function saveCheckpoint(store: RunStore, model: TinyVLM, tokenizer: Tokenizer, optimizer: AdamW, state: CheckpointState, name?: string): Promise<string> {
  const dir = checkpointDir(state.step);
  const artifacts = await modelToArtifacts(model, { name, tokenizer: tokenizer.toJSON(), extra: { rl: state } });
  const modelJson = {
    modelTopology: null,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
  await store.write(`${dir}/weights.bin`, new Uint8Array(artifacts.weightData as ArrayBuffer));
  await store.write(`${dir}/model.json`, utf8.encode(JSON.stringify(modelJson, null, 1)));
  await store.write(`${dir}/tokenizer.json`, utf8.encode(JSON.stringify(tokenizer.toJSON()) + '\n'));
  const opt = await optimizer.exportState();
  const specs = opt.moments.map(({ name, shape }) => ({ name, shape }));
  const total = opt.moments.reduce((n, x) => n + x.m.length + x.v.length, 0);
  const buf = new Float32Array(total);
  let o = 0;
  for (const x of opt.moments) {
    buf.set(x.m, o);
    buf.set(x.v, o + x.m.length);
    o += x.m.length + x.v.length;
  }
  await store.write(`${dir}/optimizer.bin`, new Uint8Array(buf.buffer));
  await writeJson(store, `${dir}/state.json`, { ...state, optimizer: { step: opt.step, moments: specs } });
  await writeJson(store, 'checkpoints/latest.json', { step: state.step, dir });
  return dir;
}

/** Restores the newest checkpoint into `model` and `optimizer`; null when the run has none. */
export async function loadLatestCheckpoint(store: RunStore, model: TinyVLM, optimizer: AdamW): Promise<CheckpointState | null> {
  const latest = await readJson<{ step: number; dir: string }>(store, 'checkpoints/latest.json');
  if (!latest) return null;
  const dir = latest.dir;
  const modelJson = await readJson<tf.io.ModelJSON>(store, `${dir}/model.json`);
  const weights = await store.read(`${dir}/weights.bin`);
  const state = await readJson<CheckpointState & { optimizer: { step: number; moments: Array<{ name: string; shape: number[] }> } }>(store, `${dir}/state.json`);
  const optBytes = await store.read(`${dir}/optimizer.bin`);
  if (!modelJson || !weights || !state || !optBytes) throw new WeightsError(`checkpoint ${dir} is incomplete`);
  loadWeightsInto(model, {
    format: modelJson.format,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    userDefinedMetadata: modelJson.userDefinedMetadata,
  });
  const all = new Float32Array(optBytes.buffer.slice(optBytes.byteOffset, optBytes.byteOffset + optBytes.byteLength));
  let o = 0;
  const moments = state.optimizer.moments.map(({ name, shape }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const m = all.slice(o, o + n);
    const v = all.slice(o + n, o + 2 * n);
    o += 2 * n;
    return { name, shape, m, v };
  });
  if (o !== all.length) throw new WeightsError(`checkpoint ${dir}: optimizer.bin has ${all.length} values, state.json describes ${o}`);
  optimizer.importState({ step: state.optimizer.step, moments });
  return { step: state.step, extra: state.extra };
}
