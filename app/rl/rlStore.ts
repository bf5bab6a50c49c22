/**
 * The RL dashboard (zustand): the run form, the runs list (IndexedDB), the live session (one RL
 * worker training one run or the collapse demo's two arms), each run's logged data, and the
 * actions: start, collapse demo, pause, resume (live or from a checkpoint after a reload), stop,
 * delete, export, import.
 *
 * The worker writes the run files itself; the page only mirrors what it needs for the charts
 * (the same records arrive as events) and keeps each run's small list entry up to date.
 */
import { create } from 'zustand';
import type { BackendChoice } from '../../src/model/backend';
import { collapseArms } from '../../src/rl/collapseDemo';
import { M } from '../../src/rl/metrics';
import type { RlConfig, RlPresetName } from '../../src/rl/config';
import { createRlWorker, type RlWorkerClient } from '../../workers/rl/client';
import { writeRunFiles } from '../../workers/rl/idbRunStore';
import type { RlEvent, RlPhase, RunSpec } from '../../workers/rl/protocol';
import { downloadText } from '../agent/download';
import { urlBackend } from '../model/backendRequest';
import { useSettings } from '../store/settingsStore';
import { presetConfig } from './configForm';
import { buildRunFile, parseRunFile } from './runFile';
import { emptyRunData, loadRunData, readAllFiles, upToStep, withStep, type RunData } from './runData';
import { deleteRun, getRun, listRuns, newRunId, putRun, type RunMeta } from './runsDb';

export interface Session {
  runIds: string[];
  phase: RlPhase | 'starting';
  detail: string;
  backend: BackendChoice | null;
  rollout: { runId: string; step: number; done: number; total: number } | null;
  /** Durations of the steps finished in this session (ETA). */
  stepMs: number[];
}

export interface RlState {
  ready: boolean;
  preset: RlPresetName;
  form: RlConfig;
  runs: RunMeta[];
  session: Session | null;
  data: Record<string, RunData>;
  selectedId: string | null;
  compareId: string | null;
  error: string | null;
  notice: string | null;
  init(): Promise<void>;
  setPreset(p: RlPresetName): void;
  setForm(c: RlConfig): void;
  start(): Promise<void>;
  /** The collapse demo's two arms from `base` (default: the form), identical but for the tool reward. */
  startCollapseDemo(base?: RlConfig): Promise<void>;
  pause(): void;
  resume(): Promise<void>;
  stop(): void;
  select(id: string | null): Promise<void>;
  setCompare(id: string | null): Promise<void>;
  /** Loads a run's logged data (charts) if not loaded yet. */
  load(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  exportRun(id: string): Promise<void>;
  importFile(file: File): Promise<void>;
  dismiss(): void;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
let worker: RlWorkerClient | null = null;

/** The run and, for the collapse demo, its twin (A first). */
export function runsOf(runs: RunMeta[], id: string): RunMeta[] {
  const r = runs.find((x) => x.id === id);
  if (!r) return [];
  if (!r.twin) return [r];
  return runs.filter((x) => x.twin?.id === r.twin!.id).sort((a, b) => (a.twin!.arm < b.twin!.arm ? -1 : 1));
}

export const useRl = create<RlState>()((set, get) => {
  const patchRun = async (id: string, patch: Partial<RunMeta>) => {
    const cur = get().runs.find((r) => r.id === id) ?? (await getRun(id));
    if (!cur) return;
    const next = { ...cur, ...patch };
    set((s) => ({ runs: s.runs.map((r) => (r.id === id ? next : r)) }));
    await putRun(next).catch((err) => set({ error: `Could not save the run list: ${message(err)}` }));
  };

  const ensureData = async (id: string | null) => {
    if (!id || get().data[id]) return;
    try {
      const d = await loadRunData(id);
      set((s) => ({ data: { ...s.data, [id]: d } }));
    } catch (err) {
      set({ error: `Could not read run ${id}: ${message(err)}` });
    }
  };

  const onEvent = (ev: RlEvent) => {
    const session = get().session;
    if (!session) return;
    switch (ev.type) {
      case 'backend':
        return set({ session: { ...session, backend: ev.backend } });
      case 'phase':
        return set({ session: { ...session, phase: ev.phase, detail: ev.detail } });
      case 'started': {
        void patchRun(ev.runId, { status: 'running', step: ev.step, steps: ev.steps, error: null });
        // A resumed run re-runs the steps after its checkpoint: show only those kept.
        void loadRunData(ev.runId).then((d) => set((s) => ({ data: { ...s.data, [ev.runId]: upToStep(d, ev.step) } })));
        return;
      }
      case 'rollout':
        return set({ session: { ...session, rollout: { runId: ev.runId, step: ev.step, done: ev.done, total: ev.total } } });
      case 'step': {
        const ms = ev.metrics[M.timeStep];
        set((s) => ({
          data: { ...s.data, [ev.runId]: withStep(s.data[ev.runId] ?? emptyRunData(), ev.step, ev.metrics, ev.groups, ev.samples) },
          session: s.session && { ...s.session, rollout: null, stepMs: typeof ms === 'number' ? [...s.session.stepMs, ms] : s.session.stepMs },
        }));
        void patchRun(ev.runId, { step: ev.step });
        return;
      }
      case 'checkpoint':
        return void patchRun(ev.runId, { checkpointStep: ev.step });
      case 'backend-lost': {
        const from = Object.values(ev.steps);
        const at = from.every((x) => x === from[0]) ? `step ${from[0]}` : `steps ${from.join(' and ')}`;
        return set({ notice: `${ev.reason[0]!.toUpperCase()}${ev.reason.slice(1)}. Training goes on with ${ev.to.toUpperCase()} from the checkpoint at ${at}; nothing saved was lost.` });
      }
      case 'paused':
        set({ session: { ...session, phase: 'paused', detail: 'Paused (checkpoint saved)', rollout: null } });
        for (const id of Object.keys(ev.steps)) void patchRun(id, { status: 'paused' });
        return;
      case 'done':
        worker = null;
        set({ session: null });
        for (const r of ev.runs) void patchRun(r.runId, { status: r.stoppedBy === 'steps' ? 'done' : 'stopped', ...(r.steps >= 0 ? { checkpointStep: r.steps } : {}) });
        return;
      case 'error':
        worker = null;
        set({ session: null, error: `Training failed: ${ev.message}` });
        for (const id of session.runIds) void patchRun(id, { status: 'error', error: ev.message });
        return;
    }
  };

  const launch = async (specs: RunSpec[], metas: RunMeta[] | null) => {
    if (get().session) return set({ error: 'A run is already training: stop it first.' });
    let weights = null;
    if (metas) {
      const engine = await import('../model/engine');
      const w = engine.currentWeights();
      if (!w) return set({ error: 'No model is loaded yet: wait for the weights (header) or load some in the Model view.' });
      weights = { artifacts: w.artifacts, tokenizer: w.tokenizer };
      for (const m of metas) m.weights = { name: w.info.name, contentHash: w.info.contentHash };
      for (const m of metas) await putRun(m);
      set((s) => ({ runs: [...metas, ...s.runs] }));
    }
    const runIds = specs.map((s) => s.runId);
    set((s) => ({
      error: null,
      notice: null,
      selectedId: runIds[0]!,
      data: { ...s.data, ...Object.fromEntries(runIds.map((id) => [id, s.data[id] ?? emptyRunData()])) },
      session: { runIds, phase: 'starting', detail: 'Starting the training worker…', backend: null, rollout: null, stepMs: [] },
    }));
    worker = createRlWorker(onEvent);
    worker.start({ type: 'start', runs: specs, weights, backend: urlBackend() ?? useSettings.getState().backend });
  };

  const newMeta = (config: RlConfig, name: string, twin: RunMeta['twin'] = null): RunMeta => ({
    id: newRunId(),
    name,
    createdAt: Date.now(),
    updatedAt: Date.now(),
    status: 'running',
    step: 0,
    steps: config.steps,
    checkpointStep: null,
    config,
    weights: null,
    twin,
    error: null,
  });

  return {
    ready: false,
    preset: 'demo',
    form: presetConfig('demo'),
    runs: [],
    session: null,
    data: {},
    selectedId: null,
    compareId: null,
    error: null,
    notice: null,

    async init() {
      if (get().ready) return;
      try {
        const runs = await listRuns();
        // No worker survives a reload: a run still marked running was interrupted mid-step.
        const fixed = runs.map((r) => (r.status === 'running' ? { ...r, status: 'interrupted' as const } : r));
        for (const r of fixed) if (r.status !== runs.find((x) => x.id === r.id)!.status) await putRun(r);
        set({ runs: fixed, ready: true, selectedId: get().selectedId ?? fixed[0]?.id ?? null });
        await ensureData(get().selectedId);
      } catch (err) {
        set({ ready: true, error: message(err) });
      }
    },

    setPreset(p) {
      set({ preset: p, form: presetConfig(p) });
    },
    setForm(c) {
      set({ form: c });
    },

    async start() {
      const { form, preset } = get();
      const meta = newMeta(form, `${preset} · seed ${form.seed} · tool reward ${form.toolRewardCoef}`);
      await launch([{ runId: meta.id, config: form, resume: false, meta: { name: meta.name } }], [meta]).catch((err) => set({ error: message(err) }));
    },

    async startCollapseDemo(base = get().form) {
      const twinId = newRunId().replace('run-', 'twin-');
      // Same start weights, same seed, same everything: only the tool-reward coefficient differs.
      const arms = collapseArms(base);
      const a = newMeta(arms.A, `collapse demo A · tool reward ${arms.A.toolRewardCoef} · seed ${base.seed}`, { id: twinId, arm: 'A' });
      const b = newMeta(arms.B, `collapse demo B · tool reward 0 · seed ${base.seed}`, { id: twinId, arm: 'B' });
      await launch(
        [a, b].map((m) => ({ runId: m.id, config: m.config, resume: false, meta: { name: m.name, twin: m.twin } })),
        [a, b],
      ).catch((err) => set({ error: message(err) }));
    },

    pause() {
      const s = get().session;
      if (!s || s.phase === 'paused' || s.phase === 'stopping') return;
      worker?.pause();
    },

    async resume() {
      const s = get().session;
      if (s) {
        if (s.phase === 'paused' || s.phase === 'pausing') worker?.resume();
        return;
      }
      // After a reload (or a stop): continue the selected run (both arms of a twin) from its checkpoint.
      const id = get().selectedId;
      if (!id) return;
      const arms = runsOf(get().runs, id);
      if (!arms.length || arms.some((r) => r.checkpointStep === null)) return set({ error: 'This run has no checkpoint to resume from.' });
      await launch(arms.map((r) => ({ runId: r.id, config: r.config, resume: true })), null).catch((err) => set({ error: message(err) }));
    },

    stop() {
      if (!get().session) return;
      worker?.stop();
    },

    async select(id) {
      set({ selectedId: id });
      await ensureData(id);
    },

    async setCompare(id) {
      set({ compareId: id });
      await ensureData(id);
    },

    load: (id) => ensureData(id),

    async remove(id) {
      if (get().session?.runIds.includes(id)) return set({ error: 'Stop the run before deleting it.' });
      try {
        await deleteRun(id);
        set((s) => {
          const data = { ...s.data };
          delete data[id];
          return { runs: s.runs.filter((r) => r.id !== id), data, selectedId: s.selectedId === id ? null : s.selectedId, compareId: s.compareId === id ? null : s.compareId };
        });
      } catch (err) {
        set({ error: `Could not delete the run: ${message(err)}` });
      }
    },

    async exportRun(id) {
      const meta = get().runs.find((r) => r.id === id);
      if (!meta) return;
      try {
        const text = buildRunFile(meta, await readAllFiles(id));
        downloadText(`${meta.id}.pyvision-rl.json`, text);
      } catch (err) {
        set({ error: `Export failed: ${message(err)}` });
      }
    },

    async importFile(file) {
      set({ error: null, notice: null });
      try {
        const { meta, files } = parseRunFile(await file.text());
        // Always a new id: an import never overwrites a run that is here.
        const id = newRunId();
        const fresh: RunMeta = { ...meta, id, name: `${meta.name} (imported)`, createdAt: Date.now() };
        await writeRunFiles(id, files);
        await putRun(fresh);
        set((s) => ({ runs: [fresh, ...s.runs], notice: `Imported "${meta.name}" (${meta.step} steps).` }));
        await get().select(id);
      } catch (err) {
        set({ error: `Import failed, nothing was changed: ${message(err)}` });
      }
    },

    dismiss() {
      set({ error: null, notice: null });
    },
  };
});
