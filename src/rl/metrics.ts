/**
 * Per-step GRPO metrics (issue 5 §2). The names are the contract between the trainer, the CLI's
 * JSONL logs, the dashboard and the tests: import these constants, never retype the strings.
 *
 * Rollout statistics cover every trajectory rolled out in the step (all generation batches,
 * before filtering), which is what the paper plots; advantage statistics cover the trajectories
 * that were trained on.
 */
import type { EndReason } from '../agent/types';
import type { GroupRecord } from './grpo';
import type { TrajectorySummary } from './trainer';
import type { UpdateStats } from './grpo';

export const M = {
  step: 'step',
  accuracy: 'rollout/accuracy',
  rewardMean: 'rollout/reward_mean',
  toolCallsMean: 'tools/calls_mean',
  zeroToolShare: 'tools/zero_share',
  turnsMean: 'rollout/turns_mean',
  responseTokensMean: 'rollout/response_tokens_mean',
  visualTokensMean: 'rollout/visual_tokens_mean',
  /** Visual tokens per video sample (NaN when the step had no video task). */
  videoVisualTokensMean: 'video/visual_tokens_mean',
  videoAccuracy: 'video/accuracy',
  trajectories: 'rollout/trajectories',
  generationBatches: 'rollout/generation_batches',
  /** Mean rows per decode batch: how well generation was batched. */
  decodeBatchMean: 'rollout/decode_batch_mean',
  loss: 'policy/loss',
  /** Mean entropy of the pre-update policy over the trained tokens. */
  entropy: 'policy/entropy',
  gradNorm: 'policy/grad_norm',
  clipFraction: 'policy/clip_fraction',
  approxKl: 'policy/approx_kl',
  klRef: 'policy/kl_ref',
  lr: 'policy/lr',
  trainedTokens: 'policy/tokens',
  groupsTotal: 'filter/groups_total',
  groupsKept: 'filter/groups_kept',
  filteredAllCorrect: 'filter/all_correct',
  filteredAllWrong: 'filter/all_wrong',
  filteredBroken: 'filter/broken',
  filteredNoImage: 'filter/no_image',
  surplusGroups: 'filter/surplus',
  brokenTrajectories: 'filter/broken_trajectories',
  /** Share of the trained correct trajectories whose advantage is negative. */
  correctNegativeShare: 'adv/correct_negative_share',
  advantageAbsMean: 'adv/abs_mean',
  /** Wall time the model spent decoding. */
  timeGeneration: 'time/generation_ms',
  /** Python execution summed over trajectories (they overlap each other and generation). */
  timePython: 'time/python_ms',
  /** Wall time of the rollout phase (generation and Python overlapped). */
  timeRollout: 'time/rollout_ms',
  /** Advantages, filtering and ranking. */
  timeScoring: 'time/scoring_ms',
  /** Old log-probs forward + PPO optimizer steps. */
  timeUpdate: 'time/update_ms',
  timeStep: 'time/step_ms',
} as const;

export const END_REASONS: EndReason[] = ['DONE', 'EXCEED_MAX_TURNS', 'OVER_LENGTH', 'EXCEED_MAX_IMAGES', 'ERROR_IN_ACTION', 'CANCELLED'];

/** `end/<REASON>`: trajectories of the step that ended that way. */
export const endMetric = (reason: EndReason): `end/${EndReason}` => `end/${reason}`;

export type MetricName = (typeof M)[keyof typeof M] | `end/${EndReason}`;
export type StepMetrics = Partial<Record<MetricName, number>> & { step: number };

export interface StepTimings {
  generationMs: number;
  pythonMs: number;
  rolloutMs: number;
  scoringMs: number;
  updateMs: number;
  stepMs: number;
}

const avg = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** The step's metrics from its rollouts, group decisions and update. */
export function stepMetrics(
  step: number,
  all: TrajectorySummary[],
  groups: Array<GroupRecord<TrajectorySummary>>,
  update: UpdateStats | null,
  extra: { generationBatches: number; decodeBatches: number; decodeRows: number; timings: StepTimings },
): StepMetrics {
  const m: StepMetrics = { step };
  m[M.trajectories] = all.length;
  m[M.accuracy] = avg(all.map((t) => t.accuracy));
  m[M.rewardMean] = avg(all.map((t) => t.reward ?? 0));
  m[M.toolCallsMean] = avg(all.map((t) => t.toolCalls));
  m[M.zeroToolShare] = avg(all.map((t) => (t.toolCalls === 0 ? 1 : 0)));
  m[M.turnsMean] = avg(all.map((t) => t.turns));
  m[M.responseTokensMean] = avg(all.map((t) => t.responseTokens));
  m[M.visualTokensMean] = avg(all.map((t) => t.visualTokens));
  const video = all.filter((t) => t.media === 'video');
  m[M.videoVisualTokensMean] = avg(video.map((t) => t.visualTokens));
  m[M.videoAccuracy] = avg(video.map((t) => t.accuracy));
  for (const r of END_REASONS) m[endMetric(r)] = all.filter((t) => t.endReason === r).length;
  m[M.generationBatches] = extra.generationBatches;
  m[M.decodeBatchMean] = extra.decodeBatches ? extra.decodeRows / extra.decodeBatches : NaN;

  m[M.groupsTotal] = groups.length;
  m[M.groupsKept] = groups.filter((g) => g.fate === 'kept').length;
  m[M.filteredAllCorrect] = groups.filter((g) => g.fate === 'all-correct').length;
  m[M.filteredAllWrong] = groups.filter((g) => g.fate === 'all-wrong').length;
  m[M.filteredBroken] = groups.filter((g) => g.fate === 'broken').length;
  m[M.filteredNoImage] = groups.filter((g) => g.fate === 'no-image').length;
  m[M.surplusGroups] = groups.filter((g) => g.fate === 'surplus').length;
  m[M.brokenTrajectories] = all.filter((t) => t.broken !== null).length;

  const trained = groups.flatMap((g) => g.members.filter((x) => x.fate === 'kept'));
  const correct = trained.filter((x) => x.accuracy === 1);
  m[M.correctNegativeShare] = correct.length ? correct.filter((x) => x.trainAdvantage < 0).length / correct.length : NaN;
  m[M.advantageAbsMean] = avg(trained.map((x) => Math.abs(x.trainAdvantage)));

  if (update) {
    m[M.loss] = update.loss;
    m[M.entropy] = update.entropy;
    m[M.gradNorm] = update.gradNorm;
    m[M.clipFraction] = update.clipFraction;
    m[M.approxKl] = update.approxKl;
    m[M.klRef] = update.klRef;
    m[M.lr] = update.lr;
    m[M.trainedTokens] = update.tokens;
  }
  const t = extra.timings;
  m[M.timeGeneration] = t.generationMs;
  m[M.timePython] = t.pythonMs;
  m[M.timeRollout] = t.rolloutMs;
  m[M.timeScoring] = t.scoringMs;
  m[M.timeUpdate] = t.updateMs;
  m[M.timeStep] = t.stepMs;
  return m;
}

/** One line of the CLI log. */
export function formatMetricsLine(m: StepMetrics): string {
  const f = (name: MetricName, digits = 3) => {
    const v = m[name];
    return v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits);
  };
  return (
    `step ${m.step}: acc ${f(M.accuracy)} R ${f(M.rewardMean)} tools ${f(M.toolCallsMean, 2)} zero-tool ${f(M.zeroToolShare, 2)} ` +
    `turns ${f(M.turnsMean, 2)} kept ${f(M.groupsKept, 0)}/${f(M.groupsTotal, 0)} (all✓ ${f(M.filteredAllCorrect, 0)} all✗ ${f(M.filteredAllWrong, 0)} broken ${f(M.filteredBroken, 0)}) ` +
    `H ${f(M.entropy)} |g| ${f(M.gradNorm)} clip ${f(M.clipFraction)} ${((m[M.timeStep] ?? 0) / 1000).toFixed(1)} s`
  );
}
