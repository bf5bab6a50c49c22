/**
 * Which curves the dashboard draws (DESIGN.md §2 "what to plot per step"), by metric name from
 * src/rl/metrics.ts: the same names as the CLI's JSONL logs.
 */
import { endMetric, END_REASONS, M, type MetricName } from '../../src/rl/metrics';

export interface ChartDef {
  id: string;
  title: string;
  lines: Array<{ metric: MetricName; label: string }>;
  /** Shown instead of empty axes when a run has steps but none with these metrics. */
  emptyNote?: string;
}

export const METRIC_CHARTS: ChartDef[] = [
  { id: 'accuracy', title: 'Accuracy and reward', lines: [{ metric: M.accuracy, label: 'accuracy' }, { metric: M.rewardMean, label: 'reward' }] },
  { id: 'tools', title: 'Tool calls per trajectory', lines: [{ metric: M.toolCallsMean, label: 'tool calls' }] },
  { id: 'zero-tool', title: 'Share of trajectories with no tool call', lines: [{ metric: M.zeroToolShare, label: 'zero-tool share' }] },
  { id: 'turns', title: 'Turns and response length', lines: [{ metric: M.turnsMean, label: 'turns' }] },
  { id: 'tokens', title: 'Response tokens per trajectory', lines: [{ metric: M.responseTokensMean, label: 'tokens' }] },
  {
    id: 'filter',
    title: 'Groups: kept and filtered',
    lines: [
      { metric: M.groupsKept, label: 'kept' },
      { metric: M.filteredAllCorrect, label: 'all correct' },
      { metric: M.filteredAllWrong, label: 'all wrong' },
      { metric: M.filteredBroken, label: 'broken' },
      { metric: M.filteredNoImage, label: 'no image' },
    ],
  },
  { id: 'end', title: 'End reasons (trajectories)', lines: END_REASONS.filter((r) => r !== 'CANCELLED').map((r) => ({ metric: endMetric(r), label: r })) },
  { id: 'loss', title: 'Policy loss and entropy', lines: [{ metric: M.loss, label: 'loss' }, { metric: M.entropy, label: 'entropy' }] },
  { id: 'grad', title: 'Gradient norm and clip fraction', lines: [{ metric: M.gradNorm, label: 'grad norm' }, { metric: M.clipFraction, label: 'clip fraction' }] },
  { id: 'kl', title: 'KL (to the old policy, to the start)', lines: [{ metric: M.approxKl, label: 'approx KL' }, { metric: M.klRef, label: 'KL to start' }] },
  { id: 'negative', title: 'Correct trajectories with negative advantage', lines: [{ metric: M.correctNegativeShare, label: 'share' }] },
  {
    id: 'video',
    title: 'Video: visual tokens per sample and accuracy',
    lines: [{ metric: M.videoVisualTokensMean, label: 'visual tokens' }, { metric: M.videoAccuracy, label: 'accuracy' }],
    emptyNote: 'No video task in this run so far: its task mix has none (video-events weights are 0), or none has been drawn yet.',
  },
  { id: 'time', title: 'Time per step (ms)', lines: [{ metric: M.timeStep, label: 'step' }, { metric: M.timeRollout, label: 'rollouts' }, { metric: M.timeUpdate, label: 'update' }] },
];

/** The collapse demo's four panels (issue 5 §3). */
export const COLLAPSE_CHARTS: Array<{ metric: MetricName; title: string }> = [
  { metric: M.toolCallsMean, title: 'Tool calls per trajectory' },
  { metric: M.zeroToolShare, title: 'Share with zero tool calls' },
  { metric: M.accuracy, title: 'Accuracy' },
  { metric: M.turnsMean, title: 'Turns per trajectory' },
];

/** Every single metric a comparison can plot. */
export const COMPARABLE: Array<{ metric: MetricName; label: string }> = METRIC_CHARTS.flatMap((c) => c.lines.map((l) => ({ metric: l.metric, label: `${c.title}: ${l.label}` })));
