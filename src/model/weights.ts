/**
 * Weights in the standard TF.js format: a model.json manifest (`weightsManifest` with weight
 * specs and shard paths, `format`, `userDefinedMetadata`) plus binary shards of little-endian
 * float32. Our metadata: the model config, a SHA-256 content hash of the weight bytes, and
 * optionally the tokenizer (so one file set is a complete policy).
 *
 * Anything in between is a `tf.io.ModelArtifacts`, so the browser's `tf.io.browserDownloads`,
 * `tf.io.browserFiles`, `indexeddb://` handlers work unchanged (the lead's side); Node has
 * `nodeFileHandler` below (tfjs-node is not installable here).
 *
 * Loading validates everything (names, shapes, dtypes, byte length, hash, config) before any
 * variable is touched, so a failed load leaves the current model working.
 */
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, validateConfig } from './config';
import { sha256Hex } from './sha256';
import { type TokenizerJson } from './tokenizer';
import { paramShapes, TinyVLM } from './transformer';
import { nodeFs } from '../storage/nodeDir';

export const WEIGHTS_FORMAT = 'pyvision-tiny-vlm';
export const WEIGHTS_FORMAT_VERSION = 1;

export interface WeightsMetadata {
  formatVersion: number;
  modelConfig: ModelConfig;
  /** SHA-256 (hex) of the concatenated weight bytes, in manifest order. */
  contentHash: string;
  name?: string;
  tokenizer?: TokenizerJson;
  /** Anything else worth keeping with the weights (training card, seed, steps…). */
  extra?: Record<string, unknown>;
}

export class WeightsError extends Error {
  constructor(message: string) {
    super(`invalid weights: ${message}`);
    this.name = 'WeightsError';
  }
}

/** The model's weights as TF.js model artifacts (one shard). */
export async function modelToArtifacts(model: TinyVLM, meta: { name?: string; tokenizer?: TokenizerJson; extra?: Record<string, unknown> } = {}): Promise<tf.io.ModelArtifacts> {
  const named = paramShapes(model.config).map(([name]) => ({ name, tensor: model.p(name) as tf.Tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const bytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
  const metadata: WeightsMetadata = {
    formatVersion: WEIGHTS_FORMAT_VERSION,
    modelConfig: model.config,
    contentHash: sha256Hex(bytes),
    ...meta,
  };
  return {
    format: WEIGHTS_FORMAT,
    generatedBy: 'PyVision Playground src/model',
    convertedBy: null,
    weightSpecs: specs,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    userDefinedMetadata: metadata as unknown as Record<string, object>,
  };
}

export interface ValidatedWeights {
  meta: WeightsMetadata;
  tensors: Map<string, tf.Tensor>;
}

/**
 * Checks artifacts completely and decodes them into new tensors (the caller owns them).
 * With `expected`, the file's config must equal it (loading into an existing model).
 */
export function validateArtifacts(artifacts: tf.io.ModelArtifacts, expected?: ModelConfig): ValidatedWeights {
  if (artifacts.format !== WEIGHTS_FORMAT) throw new WeightsError(`format is ${JSON.stringify(artifacts.format)}, expected "${WEIGHTS_FORMAT}"`);
  const meta = artifacts.userDefinedMetadata as unknown as WeightsMetadata | undefined;
  if (!meta || typeof meta !== 'object' || !meta.modelConfig) throw new WeightsError('userDefinedMetadata.modelConfig is missing');
  if (meta.formatVersion !== WEIGHTS_FORMAT_VERSION) throw new WeightsError(`format version ${meta.formatVersion} is not supported (expected ${WEIGHTS_FORMAT_VERSION})`);
  let config: ModelConfig;
  try {
    config = validateConfig(meta.modelConfig);
  } catch (err) {
    throw new WeightsError(String(err instanceof Error ? err.message : err));
  }
  if (expected && JSON.stringify(config) !== JSON.stringify(expected)) {
    throw new WeightsError(`the file's model config does not match the current model (file: ${JSON.stringify(config)})`);
  }
  const specs = artifacts.weightSpecs;
  if (!Array.isArray(specs)) throw new WeightsError('weightSpecs are missing');
  if (artifacts.weightData === undefined) throw new WeightsError('weight data is missing');
  const bytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));

  const want = new Map(paramShapes(config).map(([n, s]) => [n, s]));
  const seen = new Set<string>();
  let total = 0;
  for (const spec of specs) {
    const shape = want.get(spec.name);
    if (!shape) throw new WeightsError(`unexpected weight "${spec.name}"`);
    if (seen.has(spec.name)) throw new WeightsError(`weight "${spec.name}" appears twice`);
    seen.add(spec.name);
    if (spec.dtype !== 'float32' || spec.quantization) throw new WeightsError(`weight "${spec.name}" has dtype ${spec.dtype}${spec.quantization ? ' (quantized)' : ''}, expected float32`);
    if (!Array.isArray(spec.shape) || spec.shape.length !== shape.length || spec.shape.some((x, i) => x !== shape[i])) {
      throw new WeightsError(`weight "${spec.name}" has shape [${spec.shape}], expected [${shape}]`);
    }
    total += shape.reduce((a, b) => a * b, 1) * 4;
  }
  const missing = [...want.keys()].filter((n) => !seen.has(n));
  if (missing.length) throw new WeightsError(`missing weights: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
  if (bytes.byteLength !== total) throw new WeightsError(`weight data has ${bytes.byteLength} bytes, the manifest describes ${total}`);
  if (meta.contentHash !== undefined) {
    const hash = sha256Hex(bytes);
    if (hash !== meta.contentHash) throw new WeightsError(`content hash ${hash} does not match the manifest's ${meta.contentHash}`);
  }
  const decoded = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs);
  for (const t of Object.values(decoded)) {
    const vals = t.dataSync();
    for (let i = 0; i < vals.length; i++) {
      if (!Number.isFinite(vals[i])) {
        tf.dispose(Object.values(decoded));
        throw new WeightsError('weights contain NaN or infinity');
      }
    }
  }
  return { meta: { ...meta, modelConfig: config }, tensors: new Map(Object.entries(decoded)) };
}

/** A new model built from artifacts (config from the file). */
export function modelFromArtifacts(artifacts: tf.io.ModelArtifacts): { model: TinyVLM; meta: WeightsMetadata } {
  const { meta, tensors } = validateArtifacts(artifacts);
  try {
    return { model: TinyVLM.fromTensors(meta.modelConfig, tensors), meta };
  } finally {
    for (const t of tensors.values()) t.dispose(); // tf.variable copied them
  }
}

/** Replaces the weights of `model` (same config required); all-or-nothing. */
export function loadWeightsInto(model: TinyVLM, artifacts: tf.io.ModelArtifacts): WeightsMetadata {
  const { meta, tensors } = validateArtifacts(artifacts, model.config);
  try {
    for (const [name, t] of tensors) model.p(name).assign(t);
    return meta;
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

export async function saveModel(model: TinyVLM, handler: tf.io.IOHandler, meta: Parameters<typeof modelToArtifacts>[1] = {}): Promise<tf.io.SaveResult> {
  if (!handler.save) throw new Error('this IOHandler cannot save');
  return handler.save(await modelToArtifacts(model, meta));
}

export async function loadModel(handler: tf.io.IOHandler): Promise<{ model: TinyVLM; meta: WeightsMetadata }> {
  if (!handler.load) throw new Error('this IOHandler cannot load');
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await handler.load();
  } catch (err) {
    throw new WeightsError(`could not read the files (${err instanceof Error ? err.message : String(err)})`);
  }
  return modelFromArtifacts(artifacts);
}

/** The files' format, shared by Node's nodeFileHandler and the app's uploads/downloads/shipped weights. */
export const SHARD_NAME = 'weights.bin';

/** The weight bytes of artifacts as one ArrayBuffer. */
export function weightBytes(a: tf.io.ModelArtifacts): ArrayBuffer {
  if (a.weightData === undefined) throw new WeightsError('weight data is missing');
  return tf.io.CompositeArrayBuffer.join(a.weightData);
}

/** model.json text for artifacts whose weights are written as one `weights.bin`. */
export function modelJsonText(a: tf.io.ModelArtifacts): string {
  const json = {
    modelTopology: a.modelTopology ?? null,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: [SHARD_NAME], weights: a.weightSpecs ?? [] }],
    userDefinedMetadata: a.userDefinedMetadata,
  };
  return JSON.stringify(json, null, 1);
}

/** JSON.parse with a WeightsError naming the file. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new WeightsError(`${what} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Parses model.json text; throws a WeightsError naming what is wrong. */
export function parseModelJson(text: string, what = 'model.json'): tf.io.ModelJSON {
  const json = parseJson(text, what) as tf.io.ModelJSON | null;
  if (!json || typeof json !== 'object' || !Array.isArray(json.weightsManifest)) {
    throw new WeightsError(`${what} is not a TF.js model.json (it has no weightsManifest)`);
  }
  return json;
}

/** Artifacts from a parsed model.json and its shards by file name (the names in the manifest). */
export async function artifactsFromModelJson(json: tf.io.ModelJSON, shards: (path: string) => ArrayBuffer | undefined): Promise<tf.io.ModelArtifacts> {
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const p of group.paths) {
        const buf = shards(p);
        if (!buf) throw new WeightsError(`the weights file "${p}" named in model.json was not given`);
        buffers.push(buf);
      }
    }
    return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
  });
}

/**
 * Node: model.json + weights.bin in `dir` (what `npm run train:sft` writes into public/).
 * Node built-ins are imported lazily so this module also bundles for the browser.
 */
export function nodeFileHandler(dir: string): tf.io.IOHandler {
  const load = nodeFs;
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const { fs, path } = await load();
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, SHARD_NAME), new Uint8Array(weightBytes(artifacts)));
      await fs.writeFile(path.join(dir, 'model.json'), modelJsonText(artifacts));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const { fs, path } = await load();
      let text: string;
      try {
        text = await fs.readFile(path.join(dir, 'model.json'), 'utf8');
      } catch (err) {
        throw new WeightsError(`model.json is unreadable (${err instanceof Error ? err.message : String(err)})`);
      }
      const json = parseModelJson(text);
      const shards = new Map<string, ArrayBuffer>();
      for (const group of json.weightsManifest) {
        for (const p of group.paths) {
          if (p.includes('..') || path.isAbsolute(p)) throw new WeightsError(`shard path ${p} leaves the weights folder`);
          const buf = await fs.readFile(path.join(dir, p));
          shards.set(p, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
        }
      }
      return artifactsFromModelJson(json, (p) => shards.get(p));
    },
  };
}
