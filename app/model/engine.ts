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
import { selectBackend, type BackendChoice, type BackendName, type BackendRequest } from '../../src/model/backend';
import { DeviceResilientPolicy } from '../../src/model/resilientPolicy';
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
  /** The backend its tensors live on. */
  backend: string;
}

let current: Entry | null = null;
let backend: BackendChoice | null = null;
let backendRequest: BackendRequest | null = null;
/** Backends whose GPU device was lost in this page: never selected again. */
const lostBackends: BackendName[] = [];
const lossListeners = new Set<(backend: BackendChoice, reason: string) => void>();

function disposeIfUnused(e: Entry): void {
  if (!e.retired || e.leases !== 0) return;
  try {
    e.model.dispose();
  } catch {
    // A model on a lost device cannot always be freed; its memory went with the device.
  }
}

/** Called when generation moved to another backend after a lost GPU device (the UI says so). */
export function onBackendLost(listener: (backend: BackendChoice, reason: string) => void): () => void {
  lossListeners.add(listener);
  return () => lossListeners.delete(listener);
}

/**
 * After a lost device: the next backend (once per loss, whoever notices first) and the current
 * model rebuilt on it from its kept artifacts.
 */
async function recoverFromDeviceLoss(reason: string): Promise<void> {
  const lost = tf.getBackend() as BackendName;
  if (backend && backend.name === lost) {
    lostBackends.push(lost);
    const choice = await selectBackend({ exclude: lostBackends, wasmPaths: WASM_PATHS });
    backend = { ...choice, reason: `${choice.reason} (${reason})` };
    for (const listener of lossListeners) listener(backend, reason);
  }
  const keep = current;
  if (keep && keep.backend !== tf.getBackend()) {
    activate({ artifacts: keep.artifacts, source: keep.info.source, card: keep.card, tokenizer: keep.tokenizer.toJSON() });
    if (current) current.info = keep.info;
  }
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
  current = { model, tokenizer, artifacts: input.artifacts, card: input.card ?? null, info, leases: 0, retired: false, backend: tf.getBackend() };
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

/**
 * A tiny policy over the current model; `dispose()` frees its caches and releases the lease.
 * A lost GPU device mid-generation moves it (and the current model) to the next backend and
 * the turn is generated again there.
 */
export function createLeasedTinyPolicy(opts: TinyPolicyOptions): (Policy & { dispose(): void }) | null {
  let e = current;
  if (!e) return null;
  e.leases++;
  let released = false;
  const name = `tiny (${e.info.name})`;
  const policy = new DeviceResilientPolicy(
    () => new TinyPolicy(e!.model, e!.tokenizer, { ...opts, name }),
    async (reason) => {
      await recoverFromDeviceLoss(reason);
      // The lease moves to the same weights rebuilt on the new backend.
      const rebuilt = current && current.artifacts === e!.artifacts ? current : null;
      if (!rebuilt || rebuilt === e) return;
      e!.leases--;
      disposeIfUnused(e!);
      e = rebuilt;
      e.leases++;
    },
  );
  return {
    kind: 'tiny',
    name: policy.name,
    next: (ctx) => policy.next(ctx),
    visualTokens: (img) => policy.visualTokens(img),
    textTokens: (text) => policy.textTokens(text),
    dispose() {
      if (released) return;
      released = true;
      policy.dispose();
      e!.leases--;
      disposeIfUnused(e!);
    },
  };
}

/** Live tensors (a debugging aid shown in the Model view). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
