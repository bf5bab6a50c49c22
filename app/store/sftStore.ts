/**
 * "Fine-tune from scratch (small)" (zustand): builds a small SFT dataset with the scripted expert
 * through the page's Python runtime, then trains in the SFT web worker with live progress and
 * loss; cancel works in both phases. The finished model can become the playground's policy (and
 * then be saved from the Weights panel).
 */
import type * as tf from '@tensorflow/tfjs';
import { create } from 'zustand';
import type { BackendChoice } from '../../src/model/backend';
import { buildSftDataset, defaultDataOptions, describeDataset } from '../../src/model/sft/dataset';
import type { SftSummary } from '../../workers/sft/protocol';
import { createSftWorker, type SftWorkerClient } from '../../workers/sft/client';
import { urlBackend } from '../model/backendRequest';
import { DEFAULT_SMALL_SFT, SMALL_MODEL, SMALL_SFT_LIMITS, smallTrainConfig, type SmallSftOptions } from '../model/sftPreset';
import { sharedRuntime } from '../runtime/sharedRuntime';
import { useModel } from './modelStore';
import { useSettings } from './settingsStore';

export type SftPhase = 'idle' | 'data' | 'training' | 'done' | 'cancelled' | 'error';

export interface SftState {
  phase: SftPhase;
  options: SmallSftOptions;
  data: { done: number; total: number } | null;
  progress: { step: number; steps: number; elapsedMs: number } | null;
  losses: Array<{ step: number; loss: number }>;
  backend: BackendChoice | null;
  summary: SftSummary | null;
  /** The trained weights, until used or replaced by another run. */
  result: { artifacts: tf.io.ModelArtifacts; card: Record<string, unknown> } | null;
  used: boolean;
  error: string | null;
  setOption(k: keyof SmallSftOptions, v: number): void;
  start(): Promise<void>;
  cancel(): void;
  useResult(): Promise<void>;
}

let abortData: AbortController | null = null;
let worker: SftWorkerClient | null = null;

export const useSft = create<SftState>()((set, get) => ({
  phase: 'idle',
  options: DEFAULT_SMALL_SFT,
  data: null,
  progress: null,
  losses: [],
  backend: null,
  summary: null,
  result: null,
  used: false,
  error: null,

  setOption(k, v) {
    if (!Number.isFinite(v)) return;
    const { min, max } = SMALL_SFT_LIMITS[k];
    set((s) => ({ options: { ...s.options, [k]: Math.round(Math.min(max, Math.max(min, v))) } }));
  },

  async start() {
    const phase = get().phase;
    if (phase === 'data' || phase === 'training') return;
    const opts = get().options;
    const ctrl = new AbortController();
    abortData = ctrl;
    set({ phase: 'data', data: { done: 0, total: opts.tasks }, progress: null, losses: [], summary: null, result: null, used: false, error: null, backend: null });
    let records;
    let dataCard: Record<string, unknown>;
    try {
      const ds = await buildSftDataset(defaultDataOptions({ tasks: opts.tasks, seed: opts.seed, imageSide: SMALL_MODEL.visual.imageSide }), {
        runtime: sharedRuntime(),
        concurrency: 1,
        signal: ctrl.signal,
        onProgress: (done, total) => set({ data: { done, total } }),
      });
      records = ds.records;
      dataCard = describeDataset(ds);
    } catch (err) {
      if (ctrl.signal.aborted) set({ phase: 'cancelled' });
      else set({ phase: 'error', error: `Building the dataset failed: ${err instanceof Error ? err.message : String(err)}` });
      return;
    } finally {
      abortData = null;
    }
    if (ctrl.signal.aborted) return set({ phase: 'cancelled' });
    if (!records.length) return set({ phase: 'error', error: 'The expert produced no usable trajectory; try more tasks or another seed.' });

    const config = smallTrainConfig(opts);
    const name = `tiny-vlm-small-ui-sft-seed${opts.seed}-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')}`;
    set({ phase: 'training', progress: { step: 0, steps: config.steps, elapsedMs: 0 } });
    worker = createSftWorker((ev) => {
      switch (ev.type) {
        case 'backend':
          return set({ backend: ev.backend });
        case 'progress':
          return set({ progress: { step: ev.step, steps: ev.steps, elapsedMs: ev.elapsedMs } });
        case 'log':
          return set((s) => ({ losses: [...s.losses, { step: ev.entry.step, loss: ev.entry.loss }] }));
        case 'done':
          worker = null;
          return set({
            phase: 'done',
            summary: ev.summary,
            progress: { step: ev.summary.steps, steps: config.steps, elapsedMs: ev.summary.wallMs },
            result: { artifacts: ev.artifacts, card: { name, preset: 'small (UI)', data: dataCard } },
          });
        case 'cancelled':
          worker = null;
          return set({ phase: 'cancelled' });
        case 'error':
          worker = null;
          return set({ phase: 'error', error: `Training failed: ${ev.message}` });
      }
    });
    worker.start({
      type: 'start',
      records,
      config,
      backend: urlBackend() ?? useSettings.getState().backend,
      name,
      card: { preset: 'small (UI)', data: dataCard },
    });
  },

  cancel() {
    abortData?.abort();
    worker?.cancel();
  },

  async useResult() {
    const r = get().result;
    if (!r) return;
    await useModel.getState().useTrained(r.artifacts, r.card);
    if (!useModel.getState().weightsError) set({ used: true });
  },
}));
