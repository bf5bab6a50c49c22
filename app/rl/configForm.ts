/**
 * The dashboard's run switches: every knob of DESIGN.md §2 the issue asks for, as data (label,
 * help text, bounds, how to read and write it on an RlConfig), so the form, its clamping and its
 * tests share one table. Values are clamped on input; validateRlConfig runs again at start.
 */
import { rlConfig, type RlConfig, type RlPresetName } from '../../src/rl/config';
import { SUITE_NAMES, SUITES, type SuiteName } from '../../src/tasks/suites';

export interface NumField {
  id: string;
  label: string;
  help: string;
  kind: 'int' | 'num';
  min: number;
  max: number;
  step: number;
  get(c: RlConfig): number;
  set(c: RlConfig, v: number): RlConfig;
}

export interface BoolField {
  id: string;
  label: string;
  help: string;
  kind: 'bool';
  get(c: RlConfig): boolean;
  set(c: RlConfig, v: boolean): RlConfig;
}

export type Field = NumField | BoolField;

const num = (id: keyof RlConfig, label: string, help: string, kind: 'int' | 'num', min: number, max: number, step = kind === 'int' ? 1 : 0.01): NumField => ({
  id,
  label,
  help,
  kind,
  min,
  max,
  step,
  get: (c) => c[id] as number,
  set: (c, v) => ({ ...c, [id]: v }),
});

const filter = (id: keyof RlConfig['filter'], label: string, help: string): BoolField => ({
  id: `filter.${id}`,
  label,
  help,
  kind: 'bool',
  get: (c) => c.filter[id],
  set: (c, v) => ({ ...c, filter: { ...c.filter, [id]: v } }),
});

export const FIELD_GROUPS: ReadonlyArray<{ title: string; fields: Field[] }> = [
  {
    title: 'Run',
    fields: [num('steps', 'Steps', 'Optimizer steps (RL steps) to run', 'int', 1, 10_000), num('seed', 'Seed', 'Tasks and sampling derive from it', 'int', 0, 2 ** 31 - 1)],
  },
  {
    title: 'Rollouts',
    fields: [
      num('groupSize', 'Group size (G)', 'Rollouts per prompt; the paper uses 8', 'int', 2, 32),
      num('promptsPerStep', 'Prompts per step', 'Groups trained on per step', 'int', 1, 64),
      num('oversample', 'Oversample factor', 'Prompts rolled out per batch = factor × prompts per step', 'num', 1, 4, 0.5),
      num('temperature', 'Temperature', 'Sampling temperature (the PPO ratio uses the same)', 'num', 0.1, 2, 0.05),
      num('maxTurns', 'Max turns', 'Turn budget: tool calls + the answer (5 = 4 calls)', 'int', 1, 10),
      num('maxNewTokens', 'Tokens per turn', 'Longest assistant turn', 'int', 1, 512),
    ],
  },
  {
    title: 'Reward and advantages',
    fields: [
      num('toolRewardCoef', 'Tool-reward coefficient', 'R = acc + coef × tool calls, only when correct (0 = off)', 'num', 0, 1, 0.05),
      {
        ...num('toolFailureRate', 'Tool failure rate', 'Share of tool calls that fail like a flaky sandbox (episode ends, reward 0): the risk a tool call adds', 'num', 0, 0.9, 0.05),
        get: (c) => c.toolFailureRate ?? 0,
      },
      { id: 'stdNormalize', label: 'Std normalisation', help: 'Divide advantages by the group std (off in PyVision-RL)', kind: 'bool', get: (c) => c.stdNormalize, set: (c, v) => ({ ...c, stdNormalize: v }) },
      { id: 'rankByStd', label: 'Std ranking', help: 'Keep the groups with the largest reward std', kind: 'bool', get: (c) => c.rankByStd, set: (c, v) => ({ ...c, rankByStd: v }) },
    ],
  },
  {
    title: 'Filters',
    fields: [
      filter('zeroVariance', 'Drop zero-variance groups', 'All-correct or all-wrong groups carry no signal'),
      filter('broken', 'Drop broken trajectories', 'Over-length, too many images, runtime failure'),
      filter('requireImageObservation', 'Require an image observation', 'Drop trajectories where no tool returned an image'),
    ],
  },
  {
    title: 'Update',
    fields: [
      num('clipEps', 'Clip ε', 'PPO ratio clipped to [1 − ε, 1 + ε]', 'num', 0.01, 0.99),
      num('klCoef', 'KL coefficient', 'k3 KL to the start weights (0 = none)', 'num', 0, 1, 0.01),
      {
        id: 'optim.lr',
        label: 'Learning rate',
        help: 'AdamW learning rate',
        kind: 'num',
        min: 1e-7,
        max: 1e-1,
        step: 1e-5,
        get: (c) => c.optim.lr ?? 1e-4,
        set: (c, v) => ({ ...c, optim: { ...c.optim, lr: v } }),
      },
      num('checkpointEvery', 'Checkpoint every', 'Steps between checkpoints (pause and stop always save one)', 'int', 0, 1000),
      num('samplesPerStep', 'Saved trajectories per step', 'Full trajectories kept for the viewer', 'int', 0, 16),
    ],
  },
];

/** The task mix's weights, one per suite (normalised by the trainer). */
export const MIX_FIELDS: ReadonlyArray<{ suite: SuiteName; description: string }> = SUITE_NAMES.map((suite) => ({ suite, description: SUITES[suite].description }));

export function setMix(c: RlConfig, suite: SuiteName, weight: number): RlConfig {
  const mix = { ...c.mix };
  if (weight > 0) mix[suite] = weight;
  else delete mix[suite];
  return { ...c, mix };
}

/** A number typed into a field, clamped to its bounds (integers rounded); NaN when unusable. */
export function clampField(f: NumField, v: number): number {
  if (!Number.isFinite(v)) return NaN;
  const x = Math.min(f.max, Math.max(f.min, v));
  return f.kind === 'int' ? Math.round(x) : x;
}

export function presetConfig(name: RlPresetName): RlConfig {
  return rlConfig({ preset: name });
}
