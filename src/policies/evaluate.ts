/**
 * Evaluation: run a policy over tasks through the real agent loop and summarise accuracy,
 * tool use, turns, end reasons and visual tokens, overall and per difficulty bucket.
 * Shared by `npm run eval` (cli/eval.ts) and the policy tests; framework-free (the caller
 * passes the Python runtime). Tasks are made lazily by index, so a 100-task suite of 2048-px
 * canvases never sits in memory at once.
 */
import { runTrajectory } from '../agent/loop';
import { countToolCalls } from '../agent/reward';
import { pixelsVisualTokens } from '../agent/tokens';
import type { EndReason, LoopConfig, Policy, Trajectory } from '../agent/types';
import type { Pixels, PythonRuntime } from '../runtime/types';
import type { Difficulty, Task } from '../tasks/types';
import { VIDEO_GLOBAL_FRAMES, uniformFrameIndices } from './globalViewBaseline';

export interface BucketStats {
  n: number;
  accuracy: number;
  meanToolCalls: number;
  /** Median seconds from the question to the end of the trajectory. */
  medianSeconds?: number;
}

export interface EvalSummary {
  n: number;
  accuracy: number;
  meanToolCalls: number;
  meanTurns: number;
  /** Share of trajectories with no tool call. */
  zeroToolShare: number;
  endReasons: Partial<Record<EndReason, number>>;
  visualTokensPerSample: number;
  byDifficulty: Partial<Record<Difficulty | 'none', BucketStats>>;
  /** Per question kind, for suites whose tasks name one (task.truth.kind: colour, count, …). */
  byKind?: Record<string, BucketStats>;
  /** Share of trajectories that ended DONE with a non-empty answer. */
  answeredShare: number;
  /** Median seconds per trajectory. */
  medianSeconds: number;
  wallSeconds: number;
}

export interface EvalItem {
  taskId: string;
  difficulty: Difficulty | null;
  correct: boolean;
  toolCalls: number;
  turns: number;
  endReason: EndReason | null;
  visualTokens: number;
  answer: string | null;
  expected: string | null;
  /** task.truth.kind when the task names one. */
  kind?: string;
  /** Wall seconds of the trajectory. */
  seconds: number;
}

export interface EvalOptions {
  policy: Policy;
  runtime: PythonRuntime;
  config: LoopConfig;
  /** Number of tasks and how to make the i-th one. */
  n: number;
  makeTask: (index: number) => Task | Promise<Task>;
  concurrency?: number;
  /** Video tasks: show this many evenly spaced frames in the first message (0: none, on-demand only). */
  upFrontFrames?: number;
  signal?: AbortSignal;
  onItem?: (item: EvalItem, trajectory: Trajectory, done: number) => void;
}

/**
 * Visual tokens a trajectory spent. The loop counts the images in the context; the baseline
 * also "looked at" VIDEO_GLOBAL_FRAMES frames of a video outside it, which are added here so
 * the comparison with tool use is fair.
 */
export async function spentVisualTokens(task: Task, traj: Trajectory, policy: Policy): Promise<number> {
  if (policy.kind !== 'baseline' || task.media.kind !== 'video') return traj.visualTokens;
  const frame = await task.media.video.getFrame(0);
  return traj.visualTokens + Math.min(VIDEO_GLOBAL_FRAMES, task.media.video.meta.frameCount) * pixelsVisualTokens(frame);
}

/** k evenly spaced frames of a video task (none for images or k = 0). */
export async function framesUpFront(task: Task, k: number): Promise<Array<{ frame: number; pixels: Pixels }>> {
  if (task.media.kind !== 'video' || k <= 0) return [];
  const video = task.media.video;
  return Promise.all(uniformFrameIndices(video.meta.frameCount, k).map(async (frame) => ({ frame, pixels: await video.getFrame(frame) })));
}

export async function evaluate(opts: EvalOptions): Promise<{ summary: EvalSummary; items: EvalItem[] }> {
  const started = Date.now();
  const items: EvalItem[] = new Array(opts.n);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= opts.n || opts.signal?.aborted) return;
      const task = await opts.makeTask(i);
      const upFrontFrames = await framesUpFront(task, opts.upFrontFrames ?? 0);
      const t0 = Date.now();
      const traj = await runTrajectory({ task, policy: opts.policy, runtime: opts.runtime, config: opts.config, signal: opts.signal, upFrontFrames });
      const last = traj.turns[traj.turns.length - 1];
      const item: EvalItem = {
        taskId: task.id,
        difficulty: task.difficulty,
        correct: traj.reward?.accuracy === 1,
        toolCalls: countToolCalls(traj.turns),
        turns: traj.turns.length,
        endReason: traj.endReason,
        visualTokens: await spentVisualTokens(task, traj, opts.policy),
        answer: last?.answer ?? null,
        expected: task.answer,
        ...(typeof task.truth.kind === 'string' ? { kind: task.truth.kind } : {}),
        seconds: (Date.now() - t0) / 1000,
      };
      items[i] = item;
      done++;
      opts.onItem?.(item, traj, done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, worker));
  const got = items.filter(Boolean);
  return { summary: summarise(got, (Date.now() - started) / 1000), items: got };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const median = (xs: number[]) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const bucket = (sel: EvalItem[]): BucketStats => ({
  n: sel.length,
  accuracy: round(mean(sel.map((it) => (it.correct ? 1 : 0)))),
  meanToolCalls: round(mean(sel.map((it) => it.toolCalls)), 3),
  medianSeconds: round(median(sel.map((it) => it.seconds)), 2),
});
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export function summarise(items: EvalItem[], wallSeconds = 0): EvalSummary {
  const endReasons: Partial<Record<EndReason, number>> = {};
  for (const it of items) if (it.endReason) endReasons[it.endReason] = (endReasons[it.endReason] ?? 0) + 1;
  const byDifficulty: EvalSummary['byDifficulty'] = {};
  for (const key of ['small', 'medium', 'large', 'none'] as const) {
    const sel = items.filter((it) => (it.difficulty ?? 'none') === key);
    if (sel.length) byDifficulty[key] = bucket(sel);
  }
  const kinds = [...new Set(items.map((it) => it.kind).filter((k): k is string => !!k))].sort();
  return {
    n: items.length,
    accuracy: round(mean(items.map((it) => (it.correct ? 1 : 0)))),
    meanToolCalls: round(mean(items.map((it) => it.toolCalls)), 3),
    meanTurns: round(mean(items.map((it) => it.turns)), 3),
    zeroToolShare: round(mean(items.map((it) => (it.toolCalls === 0 ? 1 : 0)))),
    endReasons,
    visualTokensPerSample: Math.round(mean(items.map((it) => it.visualTokens))),
    byDifficulty,
    ...(kinds.length ? { byKind: Object.fromEntries(kinds.map((k) => [k, bucket(items.filter((it) => it.kind === k))])) } : {}),
    answeredShare: round(mean(items.map((it) => (it.endReason === 'DONE' && !!it.answer?.trim() ? 1 : 0)))),
    medianSeconds: round(median(items.map((it) => it.seconds)), 2),
    wallSeconds: round(wallSeconds, 1),
  };
}
