/**
 * Progress and ETA of a run: finished steps plus the step in progress (its rollouts' share),
 * and the remaining time from the mean duration of the steps finished in this session.
 */
export interface ProgressInput {
  /** Steps finished (all arms together for twin runs). */
  done: number;
  total: number;
  /** Rollouts of the step in progress, when known. */
  rollout: { done: number; total: number } | null;
  /** Durations (ms) of the steps finished since the worker started. */
  stepMs: number[];
}

/** Rollouts are most of a step; the update the rest. */
const ROLLOUT_SHARE = 0.8;

export function progressOf(p: ProgressInput): { fraction: number; etaMs: number | null } {
  if (p.total <= 0) return { fraction: 1, etaMs: 0 };
  const partial = p.rollout && p.rollout.total > 0 ? ROLLOUT_SHARE * (p.rollout.done / p.rollout.total) : 0;
  const fraction = Math.min(1, (p.done + (p.done < p.total ? partial : 0)) / p.total);
  if (!p.stepMs.length) return { fraction, etaMs: null };
  const recent = p.stepMs.slice(-5);
  const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
  return { fraction, etaMs: Math.max(0, (p.total - p.done - partial) * mean) };
}

export function formatEta(ms: number | null): string {
  if (ms === null) return 'estimating…';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
