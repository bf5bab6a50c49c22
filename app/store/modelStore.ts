/**
 * The tiny model in the page (zustand): which weights are active (name, content hash, where they
 * came from), the loading progress, the TF.js backend and why it was chosen, the weights saved in
 * this browser, and the errors of the last weights operation.
 *
 * Start: the remembered selection (shipped, or a name saved in IndexedDB) is loaded; if a saved
 * one is gone or broken, the shipped weights load instead and a notice says so. Every failed
 * operation leaves the current model as it was (engine.activate builds before it replaces).
 */
import { create } from 'zustand';
import type { BackendChoice, BackendRequest } from '../../src/model/backend';
import type { Policy } from '../../src/agent/types';
import type { TinyPolicyOptions } from '../../src/model/tinyPolicy';
import type * as tf from '@tensorflow/tfjs';
import { urlBackend } from '../model/backendRequest';
import { deleteSaved, listSaved, loadSaved, readSelection, saveWeights, writeSelection, type SavedWeightsEntry } from '../model/savedWeights';
import { DEFAULT_SHIPPED, loadShippedWeights, SHIPPED_MODELS, type ShippedModelName } from '../model/shippedWeights';
import type { WeightsInfo } from '../model/weightFiles';
import { useSettings } from './settingsStore';

type Engine = typeof import('../model/engine');
let engine: Engine | null = null;
async function loadEngine(): Promise<Engine> {
  engine ??= await import('../model/engine');
  return engine;
}

export interface LoadProgress {
  loaded: number;
  total: number;
  label: string;
}

export interface ModelState {
  phase: 'idle' | 'loading' | 'ready' | 'error';
  progress: LoadProgress | null;
  info: WeightsInfo | null;
  backend: BackendChoice | null;
  /** Why the model could not be loaded at all (no model is active). */
  loadError: string | null;
  /** The last failed weights operation (upload, saved load, save); the current model is unchanged. */
  weightsError: string | null;
  notice: string | null;
  /** Set when the GPU device was lost and the model moved to another backend (shown in the header). */
  backendLost: string | null;
  saved: SavedWeightsEntry[];
  /** A weights operation in progress (disables the other buttons). */
  working: string | null;
  init(): Promise<void>;
  /** Loads a shipped weight set (default: the policy, models/tiny). */
  loadShipped(name?: ShippedModelName): Promise<void>;
  loadSavedWeights(key: string): Promise<void>;
  saveCurrent(name: string): Promise<void>;
  deleteSavedWeights(key: string): Promise<void>;
  downloadCurrent(): Promise<void>;
  uploadFiles(files: File[]): Promise<void>;
  useTrained(artifacts: tf.io.ModelArtifacts, card: Record<string, unknown> | null): Promise<void>;
  applyBackend(request: BackendRequest): Promise<void>;
  dismiss(): void;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The effective backend request: the URL's `?backend=` wins over Settings. */
function backendRequest(): { request: BackendRequest; url: boolean } {
  const url = urlBackend();
  return url ? { request: url, url: true } : { request: useSettings.getState().backend, url: false };
}

let started = false;

// `?debug=gpu`: a hook to destroy the WebGPU device (a lost-GPU rehearsal), fetched on demand.
if (typeof location !== 'undefined' && new URLSearchParams(location.search).getAll('debug').includes('gpu')) {
  void import('../model/gpuDebug').then((m) => m.installGpuDebug());
}

export const useModel = create<ModelState>()((set, get) => {
  /** Runs a weights operation; errors land in weightsError and nothing else changes. */
  const op = async (label: string, fn: () => Promise<void>) => {
    if (get().working) return;
    set({ working: label, weightsError: null, notice: null });
    try {
      await fn();
    } catch (err) {
      set({ weightsError: message(err) });
    } finally {
      set({ working: null, progress: null });
    }
  };
  const refresh = async () => {
    try {
      set({ saved: await listSaved() });
    } catch (err) {
      console.warn('saved weights could not be listed', err);
    }
  };
  const shipped = async (name: ShippedModelName = DEFAULT_SHIPPED) => {
    const e = await loadEngine();
    const { request, url } = backendRequest();
    set({ backend: await e.ensureBackend(request, url) });
    const w = await loadShippedWeights((p) => set({ progress: p }), name);
    set({ progress: { loaded: 1, total: 1, label: 'validating and building the model' } });
    const info = e.activate({ artifacts: w.artifacts, source: 'shipped', tokenizer: w.tokenizer, card: w.card });
    writeSelection({ kind: 'shipped', name });
    set({ info, phase: 'ready', loadError: null });
  };
  const fromSaved = async (key: string) => {
    const e = await loadEngine();
    const { request, url } = backendRequest();
    set({ backend: await e.ensureBackend(request, url), progress: { loaded: 0, total: 0, label: `reading "${key}" from IndexedDB` } });
    const data = await loadSaved(key);
    const info = e.activate({ artifacts: data.artifacts, source: 'saved', card: data.card });
    writeSelection({ kind: 'saved', key });
    set({ info: { ...info, name: info.name }, phase: 'ready', loadError: null, notice: `Loaded "${key}" from this browser.` });
  };

  return {
    phase: 'idle',
    progress: null,
    info: null,
    backend: null,
    loadError: null,
    weightsError: null,
    notice: null,
    backendLost: null,
    saved: [],
    working: null,

    async init() {
      if (started) return; // StrictMode mounts effects twice
      started = true;
      set({ phase: 'loading', working: 'loading' });
      void refresh();
      void loadEngine().then((e) =>
        e.onBackendLost((backend, reason) =>
          set({ backend, backendLost: `${reason[0]!.toUpperCase()}${reason.slice(1)}: the model now runs on ${backend.name.toUpperCase()} and the turn was generated again.` }),
        ),
      );
      const sel = readSelection();
      try {
        if (sel.kind === 'saved') {
          try {
            await fromSaved(sel.key);
          } catch (err) {
            set({ weightsError: `The saved weights "${sel.key}" could not be loaded (${message(err)}); the shipped weights are used instead.` });
            await shipped();
          }
        } else {
          try {
            await shipped(sel.name);
          } catch (err) {
            if (!sel.name || sel.name === DEFAULT_SHIPPED) throw err;
            set({ weightsError: `${SHIPPED_MODELS[sel.name].label} could not be loaded (${message(err)}); the shipped policy is used instead.` });
            await shipped();
          }
        }
      } catch (err) {
        set({ phase: 'error', loadError: message(err) });
      } finally {
        set({ working: null, progress: null });
      }
    },

    loadShipped: (name = DEFAULT_SHIPPED) =>
      op(`loading ${SHIPPED_MODELS[name].label}`, async () => {
        await shipped(name);
        set({ notice: `Loaded ${SHIPPED_MODELS[name].label} (models/${name}).` });
      }),

    loadSavedWeights: (key) => op(`loading "${key}"`, () => fromSaved(key)),

    saveCurrent: (name) =>
      op('saving', async () => {
        const e = await loadEngine();
        const cur = e.currentWeights();
        if (!cur) throw new Error('no model is loaded');
        const entry = await saveWeights(name, cur.info, cur.artifacts, cur.card);
        // The saved copy is now what reloads bring back.
        writeSelection({ kind: 'saved', key: entry.key });
        e.setCurrentSource('saved');
        set({ info: { ...cur.info, source: 'saved' }, notice: `Saved as "${entry.key}" in this browser.` });
        await refresh();
      }),

    deleteSavedWeights: (key) =>
      op('deleting', async () => {
        await deleteSaved(key);
        const sel = readSelection();
        if (sel.kind === 'saved' && sel.key === key) writeSelection({ kind: 'shipped' });
        set({ notice: `Deleted "${key}".` });
        await refresh();
      }),

    downloadCurrent: () =>
      op('preparing the download', async () => {
        const e = await loadEngine();
        const cur = e.currentWeights();
        if (!cur) throw new Error('no model is loaded');
        const { downloadWeights } = await import('../model/downloadWeights');
        downloadWeights(cur.artifacts, cur.tokenizer);
      }),

    uploadFiles: (files) =>
      op('reading the files', async () => {
        const e = await loadEngine();
        const { artifactsFromFiles } = await import('../model/weightFiles');
        const parsed = await artifactsFromFiles(files);
        const info = e.activate({ artifacts: parsed.artifacts, source: 'upload', tokenizer: parsed.tokenizer });
        // Files are not kept: the next start loads the shipped (or saved) weights unless saved.
        set({ info, phase: 'ready', loadError: null, notice: `Loaded ${parsed.label}. Save it to keep it across reloads.` });
      }),

    useTrained: (artifacts, card) =>
      op('activating the fine-tuned model', async () => {
        const e = await loadEngine();
        const { request, url } = backendRequest();
        set({ backend: await e.ensureBackend(request, url) });
        const info = e.activate({ artifacts, source: 'trained', card });
        set({ info, phase: 'ready', loadError: null, notice: `Using the fine-tuned model "${info.name}". Save it to keep it across reloads.` });
      }),

    applyBackend: (request) =>
      op('switching backend', async () => {
        useSettings.getState().setBackend(request);
        const e = await loadEngine();
        const eff = backendRequest();
        set({ backend: await e.switchBackend(eff.request, eff.url) });
      }),

    dismiss() {
      set({ weightsError: null, notice: null });
    },
  };
});

/** A tiny policy over the active model with the current generation settings, or null when none is loaded. */
export function createTinyPolicy(extra: Partial<TinyPolicyOptions> = {}): (Policy & { dispose(): void }) | null {
  if (!engine) return null;
  const g = useSettings.getState().generation;
  return engine.createLeasedTinyPolicy({ temperature: g.temperature, topP: g.topP, maxNewTokens: g.maxNewTokens, ...extra });
}
