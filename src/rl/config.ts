/**
 * The GRPO run config (DESIGN.md §2, PyVision-RL's recipe): one serialisable object, seed
 * included, saved with every run. Every ablation the design names is a field here:
 * tool-reward coefficient (0.1 vs 0), std normalisation, std ranking, turn budget (maxTurns 3 =
 * 2 tool calls + answer, 5 = 4 + answer).
 *
 * Presets:
 * - `test`: unit tests and smoke runs (tiny groups, few tokens per turn).
 * - `demo`: a laptop in a browser tab: 4 prompts × 4 rollouts per step, 2× oversampling.
 * - `paper`: the paper's shape (group 8), for a machine with time to spare.
 * - `collapse`: the interaction-collapse demo's arms (cli/demoCollapse.ts).
 */
import type { SuiteName } from '../tasks/suites';
import type { OptimConfig } from '../model/trainStep';

export interface FilterConfig {
  /** Drop groups whose rewards are all equal (no learning signal; logged as all-correct / all-wrong). */
  zeroVariance: boolean;
  /** Drop trajectories whose interaction broke (over-length, too many images, runtime failure). */
  broken: boolean;
  /** Drop trajectories in which no tool call returned an image (the reference code does this silently). */
  requireImageObservation: boolean;
}

export interface RlConfig {
  /** Everything random (tasks, sampling) derives from it. */
  seed: number;
  /** Optimizer steps to run (a resumed run continues to this total). */
  steps: number;

  // ---- data ----
  /** Suite → share of the prompts (normalised). */
  mix: Partial<Record<SuiteName, number>>;
  /** Draw prompts from a fixed pool of this many tasks (0 = a fresh task every time). */
  taskPool: number;

  // ---- rollouts ----
  /** Groups trained on per step (the batch, in prompts). */
  promptsPerStep: number;
  /** G: rollouts per prompt. */
  groupSize: number;
  /** Prompts rolled out per generation batch = ceil(oversample × promptsPerStep). */
  oversample: number;
  /** More generation batches are rolled out while fewer than promptsPerStep groups survive, up to this many. */
  maxGenerationBatches: number;
  /** Sampling temperature (the PPO ratio is computed at the same temperature). */
  temperature: number;
  /** Tokens per assistant turn. */
  maxNewTokens: number;
  /**
   * Constrained decoding (src/model/grammar.ts): rollouts can only write well-formed turns.
   * Absent = off (the paper's setting: a malformed turn ends the episode with reward 0).
   */
  constrained?: boolean;
  /** Turn budget (tool calls + the answer). */
  maxTurns: number;
  /** Images in the context beyond which the episode ends (EXCEED_MAX_IMAGES). */
  maxImages: number;
  /** Trajectories in flight at once (each holds one Python session while it runs code). */
  concurrency: number;
  /** Rows per decode batch (the pending turns of different trajectories decoded together). */
  maxDecodeBatch: number;

  // ---- reward ----
  /** Accumulative tool reward: R = acc + coef × toolCalls × 1[acc = 1]; 0 turns it off. */
  toolRewardCoef: number;
  /**
   * Share of tool calls that fail as a flaky sandbox's would (a timeout the policy cannot
   * prevent; with training-time error semantics the episode ends with reward 0). 0 (the
   * default; absent in older runs) = none. A teaching knob for the collapse demo: it sets how
   * much risk a tool call adds (rollouts.ts).
   */
  toolFailureRate?: number;

  // ---- advantages, filtering, ranking ----
  /** Divide advantages by the group's reward std (off: PyVision-RL found it makes training fluctuate). */
  stdNormalize: boolean;
  /** Keep the groups with the largest within-group reward std (off: keep them in rollout order). */
  rankByStd: boolean;
  filter: FilterConfig;

  // ---- loss and update ----
  /** PPO clip ε: the ratio is clipped to [1 − ε, 1 + ε]. */
  clipEps: number;
  /** Coefficient of the k3 KL estimate to the starting checkpoint (0 = no KL, no reference model kept). */
  klCoef: number;
  /** Entropy bonus coefficient (0 = off; entropy is logged either way). */
  entropyCoef: number;
  /** Passes over the step's trajectories. */
  ppoEpochs: number;
  /** Optimizer steps per pass (the kept trajectories are split into this many mini-batches). */
  miniBatches: number;
  /** Rows per forward/backward pass (gradients are accumulated over micro-batches). */
  microBatch: number;
  /** AdamW settings (clipNorm is the gradient clipping); totalSteps defaults to steps × ppoEpochs × miniBatches. */
  optim: Partial<OptimConfig>;

  // ---- bookkeeping ----
  /** Save a checkpoint every this many steps (and at the end); 0 = only at the end. */
  checkpointEvery: number;
  /** Trajectories saved (as record JSON) per step, spread over the kept groups; 0 = none. */
  samplesPerStep: number;
}

const BASE: RlConfig = {
  seed: 1,
  steps: 100,
  mix: { 'visual-search': 0.5, counting: 0.25, 'video-events': 0.25 },
  taskPool: 0,
  promptsPerStep: 4,
  groupSize: 4,
  oversample: 2,
  maxGenerationBatches: 2,
  temperature: 1,
  maxNewTokens: 160,
  maxTurns: 5,
  maxImages: 12,
  concurrency: 8,
  maxDecodeBatch: 16,
  toolRewardCoef: 0.1,
  stdNormalize: false,
  rankByStd: true,
  filter: { zeroVariance: true, broken: true, requireImageObservation: false },
  clipEps: 0.2,
  klCoef: 0,
  entropyCoef: 0,
  ppoEpochs: 1,
  miniBatches: 1,
  microBatch: 4,
  // Fine-tuning a converged SFT model: small, constant-ish rate, no weight decay, short warmup.
  optim: { lr: 1e-4, warmupSteps: 3, minLrRatio: 1, weightDecay: 0, clipNorm: 1 },
  checkpointEvery: 10,
  samplesPerStep: 2,
};

export const RL_PRESETS = {
  test: {
    ...BASE,
    steps: 2,
    promptsPerStep: 2,
    groupSize: 2,
    maxGenerationBatches: 1,
    maxNewTokens: 16,
    maxTurns: 3,
    concurrency: 4,
    microBatch: 2,
    optim: { ...BASE.optim, lr: 1e-3, warmupSteps: 1 },
    checkpointEvery: 0,
    samplesPerStep: 1,
  },
  demo: BASE,
  paper: { ...BASE, promptsPerStep: 8, groupSize: 8, concurrency: 16, maxDecodeBatch: 32, optim: { ...BASE.optim, lr: 3e-5 } },
  /**
   * The interaction-collapse demo (`npm run demo:collapse`, cli/demoCollapse.ts; started from
   * public/models/collapse-start): both arms use this and differ only in toolRewardCoef. Small
   * steps (24 rollouts) and 3× the demo's learning rate, so a drift in tool use shows within
   * minutes on a 2-core CPU (60 steps ≈ 9–11 min for both arms in parallel on the former
   * 512–2,048 px glance canvases; `npm run bench:rl -- --config collapse` went from 8.6 to 4.6 s per step
   * with today's 448–768 px ones). 1e-3 was tried and
   * damages the policy's text within ~20 steps.
   */
  collapse: {
    ...BASE,
    steps: 60,
    // A flaky sandbox: 15 % of tool calls time out (the episode ends, reward 0): the risk a tool
    // call adds over a direct answer, which RL without the tool reward learns to avoid. With seed
    // 1 from collapse-start this showed both collapse and its cure; the effect is fragile (other
    // seeds and rates: cli/demoCollapse.ts has every run).
    toolFailureRate: 0.15,
    // Tasks answerable at a glance: the tiny policy's tool path is far more accurate than its
    // direct answers on any task that needs a closer look (measured on visual-search-large and
    // -medium: 0.60 / 0.46 with tools vs 0.13 / 0.0 without), so there GRPO favours tools
    // whatever the tool reward. Collapse needs tasks where tools only add risk.
    mix: { 'visual-search-glance': 1 },
    promptsPerStep: 4,
    groupSize: 4,
    oversample: 1.5,
    maxGenerationBatches: 1,
    concurrency: 8,
    optim: { ...BASE.optim, lr: 3e-4, warmupSteps: 1 },
    checkpointEvery: 0,
    samplesPerStep: 1,
  },
} satisfies Record<string, RlConfig>;

export type RlPresetName = keyof typeof RL_PRESETS;

export function isRlPreset(name: string): name is RlPresetName {
  return Object.prototype.hasOwnProperty.call(RL_PRESETS, name);
}

/** A preset (default `demo`) with overrides; nested `filter` and `optim` merge field by field. */
export function rlConfig(over: Partial<RlConfig> & { preset?: RlPresetName } = {}): RlConfig {
  const { preset, ...rest } = over;
  const base = RL_PRESETS[preset ?? 'demo'];
  return {
    ...base,
    ...rest,
    mix: { ...(rest.mix ?? base.mix) },
    filter: { ...base.filter, ...rest.filter },
    optim: { ...base.optim, ...rest.optim },
  };
}

/** Throws a clear error on an inconsistent config; returns it for chaining. */
export function validateRlConfig(c: RlConfig): RlConfig {
  const ints: Array<[string, number, number]> = [
    ['steps', c.steps, 0],
    ['promptsPerStep', c.promptsPerStep, 1],
    ['groupSize', c.groupSize, 2],
    ['maxGenerationBatches', c.maxGenerationBatches, 1],
    ['maxNewTokens', c.maxNewTokens, 1],
    ['maxTurns', c.maxTurns, 1],
    ['maxImages', c.maxImages, 1],
    ['concurrency', c.concurrency, 1],
    ['maxDecodeBatch', c.maxDecodeBatch, 1],
    ['ppoEpochs', c.ppoEpochs, 1],
    ['miniBatches', c.miniBatches, 1],
    ['microBatch', c.microBatch, 1],
    ['checkpointEvery', c.checkpointEvery, 0],
    ['samplesPerStep', c.samplesPerStep, 0],
    ['taskPool', c.taskPool, 0],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isInteger(v) || v < min) throw new Error(`RL config: ${name} must be an integer ≥ ${min} (got ${v})`);
  }
  if (!(c.oversample >= 1)) throw new Error(`RL config: oversample must be ≥ 1 (got ${c.oversample})`);
  if (!(c.temperature > 0)) throw new Error(`RL config: temperature must be > 0 (got ${c.temperature})`);
  if (!(c.toolRewardCoef >= 0)) throw new Error(`RL config: toolRewardCoef must be ≥ 0 (got ${c.toolRewardCoef})`);
  const flake = c.toolFailureRate ?? 0;
  if (!(flake >= 0 && flake < 1)) throw new Error(`RL config: toolFailureRate must be in [0, 1) (got ${c.toolFailureRate})`);
  if (!(c.clipEps > 0 && c.clipEps < 1)) throw new Error(`RL config: clipEps must be in (0, 1) (got ${c.clipEps})`);
  if (!(c.klCoef >= 0) || !(c.entropyCoef >= 0)) throw new Error('RL config: klCoef and entropyCoef must be ≥ 0');
  if (!Object.values(c.mix).some((w) => (w ?? 0) > 0)) throw new Error('RL config: the task mix is empty');
  return c;
}
