/**
 * The playground's runs (zustand): every trajectory of this page (and the last ones saved in
 * IndexedDB), the active run (which may be paused between steps), the streaming text of the turn
 * being generated, the human's pending turn, and branching from an edited turn.
 */
import { create } from 'zustand';
import { toOpenAIMessages, toRecordJson } from '../../src/agent/exportFormats';
import { AgentRun, branchFrom, type AgentEvent } from '../../src/agent/loop';
import { INTERACTIVE_LOOP, type LoopConfig, type Trajectory } from '../../src/agent/types';
import { newId } from '../../src/agent/util';
import type { HumanPolicy, HumanRequest } from '../../src/policies/human';
import type { Policy } from '../../src/agent/types';
import type { Task } from '../../src/tasks/types';
import { downloadText } from '../agent/download';
import { parseTrajectoryFile } from '../agent/importTrajectory';
import { buildPolicy, disposePolicy } from '../agent/policyFactory';
import { snapshot } from '../agent/snapshot';
import { trackingRuntime } from '../agent/trackFrames';
import { forget, loadSaved, saveSoon } from '../persist/trajectoryPersistence';
import { sharedRuntime } from '../runtime/sharedRuntime';
import { useMedia } from './mediaStore';
import { useSettings } from './settingsStore';

export type LivePhase = 'starting' | 'generating' | 'executing' | 'paused';

export interface LiveState {
  id: string;
  turn: number;
  /** Text streamed so far for the turn being generated. */
  streaming: string;
  phase: LivePhase;
}

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

export interface AgentState {
  trajectories: Record<string, Trajectory>;
  /** Ids, oldest first. */
  order: string[];
  selectedId: string | null;
  /** Video frames fetched by each trajectory's Python, in request order. */
  frames: Record<string, number[]>;
  /** Trajectories written to IndexedDB (kept across reloads). */
  saved: Record<string, boolean>;
  live: LiveState | null;
  busy: boolean;
  human: HumanRequest | null;
  notice: Notice | null;
  importError: string | null;
  restoring: { done: number; total: number } | null;
  restore(): Promise<void>;
  runToEnd(): Promise<void>;
  step(): Promise<void>;
  stop(): void;
  branch(parentId: string, fromTurn: number, edit: { text?: string; code?: string }): Promise<void>;
  select(id: string): void;
  remove(id: string): void;
  submitHuman(text: string): void;
  importFile(file: File): Promise<void>;
  exportRecord(id: string): void;
  exportMessages(id: string): void;
  dismissNotice(): void;
}

interface Active {
  id: string;
  run: AgentRun;
  mediaVersion: number;
  human: HumanPolicy | null;
  policy: Policy;
  unsubscribe: () => void;
}

/** The task each trajectory of this page ran on (branching needs it). */
const tasks = new Map<string, Task>();
let active: Active | null = null;
const runtime = sharedRuntime();

function loopConfig(): LoopConfig {
  const { maxTurns, errorMode } = useSettings.getState();
  return { ...INTERACTIVE_LOOP, maxTurns, errorMode };
}

export const useAgent = create<AgentState>()((set, get) => {
  const notify = (kind: Notice['kind'], text: string) => set({ notice: { kind, text } });
  const put = (t: Trajectory) =>
    set((s) => ({
      trajectories: { ...s.trajectories, [t.id]: t },
      order: s.order.includes(t.id) ? s.order : [...s.order, t.id],
    }));
  const persist = (t: Trajectory) =>
    void saveSoon(t, get().frames[t.id]).then((ok) => {
      if (!get().trajectories[t.id]) forget(t.id); // deleted while it was being saved
      else if (ok) set((s) => ({ saved: { ...s.saved, [t.id]: true } }));
    });

  const onEvent = (id: string) => (ev: AgentEvent) => {
    const live = get().live;
    switch (ev.type) {
      case 'turn-start':
        set({ live: { id, turn: ev.turn, streaming: '', phase: 'generating' } });
        break;
      case 'text':
        if (live?.id === id) set({ live: { ...live, streaming: (ev.restart ? '' : live.streaming) + ev.delta } });
        break;
      case 'turn-generated':
        if (active?.id === id) put(snapshot(active.run.trajectory));
        if (live?.id === id) set({ live: { ...live, phase: ev.record.code !== null ? 'executing' : 'generating' } });
        break;
      case 'observation':
        if (active?.id === id) put(snapshot(active.run.trajectory));
        break;
      case 'end': {
        const t = snapshot(ev.trajectory);
        put(t);
        if (get().live?.id === id) set({ live: null });
        persist(t);
        break;
      }
    }
  };

  const release = (a: Active) => {
    a.unsubscribe();
    if (active === a) {
      active = null;
      set({ human: null });
    }
    // The policy is freed once the run has closed (a tiny policy may still be mid-token).
    void a.run
      .close()
      .catch(() => {})
      .finally(() => disposePolicy(a.policy));
  };

  const begin = (id: string, run: AgentRun, task: Task, policy: Policy, human: HumanPolicy | null) => {
    if (active) release(active);
    const unsubscribe = human ? human.subscribe((pending) => active?.id === id && set({ human: pending })) : () => {};
    active = { id, run, mediaVersion: useMedia.getState().version, human, policy, unsubscribe };
    tasks.set(id, task);
    put(snapshot(run.trajectory));
    set({ selectedId: id, live: { id, turn: 0, streaming: '', phase: 'starting' }, notice: null, frames: { ...get().frames, [id]: [] } });
  };

  /** The runtime for run `id`: records the video frames its Python fetches. */
  const runtimeFor = (id: string) => trackingRuntime(runtime, (i) => set((s) => ({ frames: { ...s.frames, [id]: [...(s.frames[id] ?? []), i] } })));

  const startNew = (): boolean => {
    const task = useMedia.getState().runTask();
    if (!task) {
      notify('error', 'Choose media first: generate a task or upload an image or a video.');
      return false;
    }
    if (!task.question.trim()) {
      notify('error', 'Ask a question first.');
      return false;
    }
    const built = buildPolicy(useSettings.getState().policy, task, useSettings.getState().remote);
    if (!built.ok) {
      notify('error', built.error);
      return false;
    }
    const id = newId();
    const run = new AgentRun({ task, policy: built.policy, runtime: runtimeFor(id), config: loopConfig(), id, onEvent: onEvent(id) });
    begin(id, run, task, built.policy, built.human);
    return true;
  };

  /** Continue the active run when it is the one shown and its media is still current. */
  const canContinue = (): boolean =>
    !!active && !active.run.done && active.id === get().selectedId && active.mediaVersion === useMedia.getState().version;

  const drive = async (mode: 'step' | 'end') => {
    if (get().busy) return;
    if (!canContinue() && !startNew()) return;
    const a = active!;
    set({ busy: true });
    try {
      if (mode === 'step') await a.run.step();
      else await a.run.run();
    } catch (err) {
      notify('error', `The run failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      set({ busy: false });
      if (a.run.done) release(a);
      else if (active === a) {
        put(snapshot(a.run.trajectory));
        set({ live: { id: a.id, turn: a.run.trajectory.turns.length, streaming: '', phase: 'paused' } });
      }
    }
  };

  return {
    trajectories: {},
    order: [],
    selectedId: null,
    frames: {},
    saved: {},
    live: null,
    busy: false,
    human: null,
    notice: null,
    importError: null,
    restoring: null,

    async restore() {
      try {
        await loadSaved(
          (t, frames) => {
            if (get().trajectories[t.id]) return;
            put(t);
            set((s) => ({ saved: { ...s.saved, [t.id]: true }, ...(frames ? { frames: { ...s.frames, [t.id]: frames } } : {}) }));
          },
          (done, total) => set({ restoring: done < total ? { done, total } : null }),
        );
        if (!get().selectedId && get().order.length) set({ selectedId: get().order[get().order.length - 1]! });
      } catch (err) {
        console.warn('saved trajectories could not be read', err);
      } finally {
        set({ restoring: null });
      }
    },

    runToEnd: () => drive('end'),
    step: () => drive('step'),

    stop() {
      if (!active) return;
      active.run.cancel();
      if (!get().busy) release(active);
    },

    async branch(parentId, fromTurn, edit) {
      if (get().busy) return notify('error', 'Wait for the current run to finish (or stop it) before branching.');
      const parent = get().trajectories[parentId];
      if (!parent) return;
      let task = tasks.get(parentId);
      if (!task) {
        const current = useMedia.getState().runTask();
        if (current && current.id === parent.task.id) task = current;
      }
      if (!task) {
        return notify('error', `To re-run this trajectory, load its task first (task "${parent.task.id}"): its media is not in this page.`);
      }
      const built = buildPolicy(useSettings.getState().policy, task, useSettings.getState().remote);
      if (!built.ok) return notify('error', built.error);
      const id = newId();
      let run: AgentRun;
      try {
        run = branchFrom({ parent, fromTurn, edit, task, policy: built.policy, runtime: runtimeFor(id), config: parent.config, id, onEvent: onEvent(id) });
      } catch (err) {
        disposePolicy(built.policy);
        return notify('error', `Cannot branch: ${err instanceof Error ? err.message : String(err)}`);
      }
      begin(id, run, task, built.policy, built.human);
      await drive('end');
    },

    select(id) {
      if (get().trajectories[id]) set({ selectedId: id });
    },

    remove(id) {
      if (active?.id === id && !active.run.done) return notify('error', 'Stop the run before deleting it.');
      tasks.delete(id);
      set((s) => {
        const { [id]: _gone, ...trajectories } = s.trajectories;
        const { [id]: _frames, ...frames } = s.frames;
        const { [id]: _saved, ...saved } = s.saved;
        const order = s.order.filter((x) => x !== id);
        return { trajectories, frames, saved, order, selectedId: s.selectedId === id ? (order[order.length - 1] ?? null) : s.selectedId };
      });
      forget(id);
    },

    submitHuman(text) {
      if (!active?.human?.pending) return;
      try {
        active.human.submit(text);
      } catch (err) {
        notify('error', err instanceof Error ? err.message : String(err));
      }
    },

    async importFile(file) {
      set({ importError: null });
      let parsed: ReturnType<typeof parseTrajectoryFile>;
      try {
        parsed = parseTrajectoryFile(await file.text(), file.name);
      } catch (err) {
        // Nothing changes: the current trajectories and selection stay as they were.
        set({ importError: err instanceof Error ? err.message : String(err) });
        return;
      }
      const t = parsed.trajectory;
      if (active?.id === t.id && !active.run.done) {
        set({ importError: `Could not import "${file.name}": a trajectory with the same id is running.` });
        return;
      }
      const replaced = !!get().trajectories[t.id];
      put(t);
      set((s) => ({ saved: { ...s.saved, [t.id]: false } }));
      set({ selectedId: t.id });
      notify('info', `Imported "${file.name}" (${parsed.format === 'record' ? 'trajectory record' : 'OpenAI messages'}, ${t.turns.length} turn${t.turns.length === 1 ? '' : 's'})${replaced ? ', replacing the copy already here' : ''}.`);
      persist(t);
    },

    exportRecord(id) {
      const t = get().trajectories[id];
      if (t) downloadText(`trajectory-${t.id}.json`, toRecordJson(t));
    },

    exportMessages(id) {
      const t = get().trajectories[id];
      if (t) downloadText(`messages-${t.id}.json`, JSON.stringify(toOpenAIMessages(t), null, 1));
    },

    dismissNotice() {
      set({ notice: null });
    },
  };
});

/** Whether `id` is the active run and can be continued with Run/Step. */
export function isActiveRun(id: string | null): boolean {
  return !!active && active.id === id && !active.run.done;
}
