/**
 * A run's logged data as the dashboard uses it: metrics per step, every step's group records,
 * which trajectories were saved in full, and per-step token views. Parsing is pure (tested in
 * Node); loading reads the run's IndexedDB files.
 */
import { fromRecordJson } from '../../src/agent/exportFormats';
import type { Trajectory } from '../../src/agent/types';
import type { GroupRecord } from '../../src/rl/grpo';
import type { MetricName, StepMetrics } from '../../src/rl/metrics';
import type { TrajectorySummary } from '../../src/rl/trainer';
import type { StepTokens } from '../../workers/rl/protocol';
import { idbRunStore } from '../../workers/rl/idbRunStore';

export type Groups = Array<GroupRecord<TrajectorySummary>>;

export interface RunData {
  /** One entry per step, sorted, the last logged value of a step winning. */
  metrics: StepMetrics[];
  groups: Record<number, Groups>;
  /** Saved trajectories' paths by step. */
  samples: Record<number, string[]>;
}

export const emptyRunData = (): RunData => ({ metrics: [], groups: {}, samples: {} });

function lines(text: string): unknown[] {
  const out: unknown[] = [];
  for (const l of text.split('\n')) {
    if (!l.trim()) continue;
    try {
      out.push(JSON.parse(l));
    } catch {
      /* a line cut off by a crash mid-append: skip it */
    }
  }
  return out;
}

/** metrics.jsonl → one StepMetrics per step (null, i.e. NaN in the log, stays null). */
export function parseMetrics(text: string): StepMetrics[] {
  const byStep = new Map<number, StepMetrics>();
  for (const v of lines(text)) {
    const m = v as StepMetrics;
    if (m && typeof m.step === 'number') byStep.set(m.step, m);
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

export function parseGroups(text: string): Record<number, Groups> {
  const out: Record<number, Groups> = {};
  for (const v of lines(text)) {
    const g = v as { step?: number; groups?: Groups };
    if (typeof g?.step === 'number' && Array.isArray(g.groups)) out[g.step] = g.groups;
  }
  return out;
}

/** samples/step-000012-<id>.json → { 12: [path] }. */
export function samplesByStep(paths: string[]): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  for (const p of paths) {
    const m = /^samples\/step-(\d{6})-/.exec(p);
    if (m) (out[Number(m[1])] ??= []).push(p);
  }
  return out;
}

/** The trajectory id of a sample path. */
export const sampleId = (path: string): string => path.replace(/^samples\/step-\d{6}-/, '').replace(/\.json$/, '');

/** Adds (or replaces) one live step. */
export function withStep(data: RunData, step: number, metrics: StepMetrics, groups: Groups, samples: string[]): RunData {
  const rest = data.metrics.filter((m) => m.step !== step);
  const metricsOut = [...rest, metrics].sort((a, b) => a.step - b.step);
  return { metrics: metricsOut, groups: { ...data.groups, [step]: groups }, samples: { ...data.samples, [step]: samples } };
}

/** Only the steps up to `step` (a resumed run re-runs the later ones). */
export function upToStep(data: RunData, step: number): RunData {
  const keep = <T>(r: Record<number, T>) => Object.fromEntries(Object.entries(r).filter(([k]) => Number(k) <= step)) as Record<number, T>;
  return { metrics: data.metrics.filter((m) => m.step <= step), groups: keep(data.groups), samples: keep(data.samples) };
}

/** A metric's points, non-finite values as null (a gap in the chart). */
export function series(metrics: StepMetrics[], name: MetricName): Array<[number, number | null]> {
  return metrics.map((m) => {
    const v = m[name];
    return [m.step, typeof v === 'number' && Number.isFinite(v) ? v : null];
  });
}

const text = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : '');

export async function loadRunData(runId: string): Promise<RunData> {
  const store = idbRunStore(runId);
  const [metrics, groups, samples] = await Promise.all([store.read('metrics.jsonl'), store.read('groups.jsonl'), store.list('samples/')]);
  return { metrics: parseMetrics(text(metrics)), groups: parseGroups(text(groups)), samples: samplesByStep(samples) };
}

export async function loadStepTokens(runId: string, step: number): Promise<StepTokens | null> {
  const b = await idbRunStore(runId).read(`tokens/step-${String(step).padStart(6, '0')}.json`);
  return b ? (JSON.parse(text(b)) as StepTokens) : null;
}

export async function loadSample(runId: string, path: string): Promise<Trajectory | null> {
  const b = await idbRunStore(runId).read(path);
  return b ? fromRecordJson(text(b)) : null;
}

/** Every file of a run (export). */
export async function readAllFiles(runId: string): Promise<Map<string, Uint8Array>> {
  const store = idbRunStore(runId);
  const out = new Map<string, Uint8Array>();
  for (const p of await store.list('')) {
    const b = await store.read(p);
    if (b) out.set(p, b);
  }
  return out;
}
