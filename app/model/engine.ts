/**
 * The page's TF.js side: the active backend, the active tiny model (TinyVLM + Tokenizer + the
 * artifacts it was built from) and leases on it.
 *
 * - Every way of getting weights (shipped, IndexedDB, files, a UI fine-tune) ends in
 *   `activate(artifacts)`, which validates everything and builds a NEW model before the current
 *   one is replaced: a malformed or mismatched file throws and the current model keeps working.
 * - A playground run holds a lease on the model it started with; a replaced model is disposed
 *   only once its last lease is released, so switching weights never breaks a running episode.
 * - The artifacts are kept (a few MB) for saving, downloading and rebuilding on another backend.
 *
 * Loaded lazily by the model store, so TF.js does not delay the first paint.
 */
import * as tf from '@tensorflow/tfjs';
import type { Policy } from '../../src/agent/types';
import { selectBackend, type BackendChoice, type BackendRequest } from '../../src/model/backend';
import { TinyPolicy, type TinyPolicyOptions } from '../../src/model/tinyPolicy';
import { Tokenizer, type TokenizerJson } from '../../src/model/tokenizer';
import type { TinyVLM } from '../../src/model/transformer';
import { modelFromArtifacts, WeightsError } from '../../src/model/weights';
import { infoOf, weightBytes, type WeightsInfo, type WeightsSource } from './weightFiles';
import { WASM_PATHS } from '../../workers/sft/wasmPaths';

interface Entry {
  model: TinyVLM;
  tokenizer: Tokenizer;
  artifacts: tf.io.ModelArtifacts;
  card: Record<string, unknown> | null;
  info: WeightsInfo;
  leases: number;
  retired: boolean;
}

let current: Entry | null = null;
let backend: BackendChoice | null = null;
let backendRequest: BackendRequest | null = null;

function disposeIfUnused(e: Entry): void {
  if (e.retired && e.leases === 0) e.model.dispose();
}

/** Activates the requested backend (again only when the request changed). */
export async function ensureBackend(request: BackendRequest, urlForced: boolean): Promise<BackendChoice> {
  if (backend && backendRequest === request) return backend;
  const choice = await selectBackend({ force: request, wasmPaths: WASM_PATHS });
  backendRequest = request;
  backend = urlForced && choice.reason === 'forced by the user' ? { ...choice, reason: `forced by the URL (?backend=${request})` } : choice;
  return backend;
}

export interface ActivateInput {
  artifacts: tf.io.ModelArtifacts;
  source: WeightsSource;
  /** Used when the weights' metadata carries no tokenizer. */
  tokenizer?: TokenizerJson | null;
  card?: Record<string, unknown> | null;
}

/** Validates and builds a model from artifacts; replaces the current one only on success. */
export function activate(input: ActivateInput): WeightsInfo {
  const { model, meta } = modelFromArtifacts(input.artifacts);
  let tokenizer: Tokenizer;
  try {
    const json = meta.tokenizer ?? input.tokenizer;
    if (!json) throw new WeightsError('no tokenizer: the metadata has none and no tokenizer.json was given');
    try {
      tokenizer = Tokenizer.fromJSON(json);
    } catch (err) {
      throw new WeightsError(err instanceof Error ? err.message : String(err));
    }
    if (tokenizer.vocabSize > meta.modelConfig.vocabSize) {
      throw new WeightsError(`the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${meta.modelConfig.vocabSize}`);
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  const bytes = weightBytes(input.artifacts).byteLength;
  const info = infoOf(meta, input.source, bytes, input.card ?? null);
  const old = current;
  current = { model, tokenizer, artifacts: input.artifacts, card: input.card ?? null, info, leases: 0, retired: false };
  if (old) {
    old.retired = true;
    disposeIfUnused(old);
  }
  return info;
}

/** Rebuilds the current model on a newly requested backend (a no-op when nothing changes). */
export async function switchBackend(request: BackendRequest, urlForced: boolean): Promise<BackendChoice> {
  if (backendRequest === request && backend) return backend;
  const keep = current;
  const choice = await ensureBackend(request, urlForced);
  if (keep && current === keep) activate({ artifacts: keep.artifacts, source: keep.info.source, card: keep.card, tokenizer: keep.tokenizer.toJSON() });
  if (current && keep) current.info = keep.info; // same weights, same description
  return choice;
}

export function currentWeights(): { artifacts: tf.io.ModelArtifacts; tokenizer: TokenizerJson; card: Record<string, unknown> | null; info: WeightsInfo } | null {
  return current ? { artifacts: current.artifacts, tokenizer: current.tokenizer.toJSON(), card: current.card, info: current.info } : null;
}

export function setCurrentSource(source: WeightsSource): void {
  if (current) current.info = { ...current.info, source };
}

/** A tiny policy over the current model; `dispose()` frees its caches and releases the lease. */
export function createLeasedTinyPolicy(opts: TinyPolicyOptions): (Policy & { dispose(): void }) | null {
  const e = current;
  if (!e) return null;
  e.leases++;
  const inner = new TinyPolicy(e.model, e.tokenizer, { ...opts, name: `tiny (${e.info.name})` });
  let released = false;
  return {
    kind: 'tiny',
    name: inner.name,
    next: (ctx) => inner.next(ctx),
    visualTokens: (img) => inner.visualTokens(img),
    textTokens: (text) => inner.textTokens(text),
    dispose() {
      if (released) return;
      released = true;
      inner.dispose();
      e.leases--;
      disposeIfUnused(e);
    },
  };
}

/** Live tensors (a debugging aid shown in the Model view). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
