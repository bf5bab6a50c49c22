/**
 * GRPO as PyVision-RL runs it (DESIGN.md §2), top to bottom:
 *
 *   1. advantages   A_i = R_i − mean(R of the group), on the WHOLE group (before any filtering);
 *                   divided by the group's std only when `stdNormalize` is on (off by default).
 *   2. filtering    drop zero-variance groups (all-correct / all-wrong, counted apart), then
 *                   broken trajectories and, optionally, those where no tool returned an image;
 *                   a group left with no trajectory is dropped as broken / no-image.
 *   3. ranking      the surviving groups by within-group reward std (largest first, ties by
 *                   rollout order; `rankByStd` off: rollout order), keep the top promptsPerStep.
 *   4. update       PPO-clip on the kept trajectories: per token
 *                     ratio = exp(log π_θ − log π_old),
 *                     loss  = max(−A·ratio, −A·clip(ratio, 1 − ε, 1 + ε))
 *                   averaged over every policy token of the mini-batch (token-mean; observation,
 *                   prompt and image positions are masked out by the example's lossMask), plus
 *                   klCoef · k3(π_ref ‖ π_θ) and − entropyCoef · entropy when switched on.
 *                   log π_old comes from a forward pass of the pre-update model over the same
 *                   packed batches (the same numerics as the update), not from sampling.
 *
 * Std is the sample std (n − 1 in the denominator, as torch.std in verl's GRPO); a group of one
 * has std 0. Rewards of null (no checker) count as 0.
 */
import * as tf from '@tensorflow/tfjs';
import { packBatch, type Example } from '../model/batch';
import { visualTokens } from '../model/config';
import type { Tokenizer } from '../model/tokenizer';
import type { AdamW } from '../model/trainStep';
import type { TinyVLM, TrainBatch } from '../model/transformer';
import type { RlConfig } from './config';

// ---------------------------------------------------------------------------------------------
// 1. Advantages

export const STD_EPS = 1e-6;

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

export interface GroupAdvantages {
  mean: number;
  std: number;
  /** R_i − mean. */
  raw: number[];
  /** raw / (std + ε): what is trained on when stdNormalize is on. */
  normalized: number[];
}

export function groupAdvantages(rewards: readonly number[]): GroupAdvantages {
  const m = mean(rewards);
  const std = sampleStd(rewards);
  const raw = rewards.map((r) => r - m);
  return { mean: m, std, raw, normalized: raw.map((a) => a / (std + STD_EPS)) };
}

// ---------------------------------------------------------------------------------------------
// 2–3. Filtering and ranking

/** What the filter needs to know about one trajectory (the trainer adds its own summary fields). */
export interface MemberInput {
  id: string;
  /** Total reward (null: no checker, counted as 0). */
  reward: number | null;
  accuracy: number;
  /** Why the interaction broke (over-length, too many images, runtime failure), or null. */
  broken: string | null;
  /** Whether some tool call returned an image. */
  imageObservation: boolean;
}

export interface GroupInput<M extends MemberInput = MemberInput> {
  /** Rollout order across the step's generation batches. */
  index: number;
  taskId: string;
  members: M[];
}

export type GroupFate = 'kept' | 'all-correct' | 'all-wrong' | 'broken' | 'no-image' | 'surplus';
export type MemberFate = 'kept' | 'broken' | 'no-image' | 'group-dropped';

export type MemberRecord<M extends MemberInput = MemberInput> = M & {
  /** R_i − group mean (computed on the whole group, before filtering). */
  advantage: number;
  /** advantage / (group std + ε). */
  normAdvantage: number;
  /** The advantage the update uses (normAdvantage when stdNormalize is on). */
  trainAdvantage: number;
  fate: MemberFate;
};

export interface GroupRecord<M extends MemberInput = MemberInput> {
  index: number;
  taskId: string;
  rewards: number[];
  mean: number;
  std: number;
  fate: GroupFate;
  /** 1-based position in the std ranking among the surviving groups (null when dropped before). */
  rank: number | null;
  members: Array<MemberRecord<M>>;
}

export interface SelectOptions {
  /** Groups to keep. */
  keep: number;
  stdNormalize: boolean;
  rankByStd: boolean;
  filter: RlConfig['filter'];
}

/** Advantages, filtering and ranking of a step's groups; records every decision for the UI. */
export function selectGroups<M extends MemberInput>(groups: Array<GroupInput<M>>, opts: SelectOptions): Array<GroupRecord<M>> {
  const records = groups.map((g): GroupRecord<M> => {
    const rewards = g.members.map((m) => m.reward ?? 0);
    const adv = groupAdvantages(rewards);
    const members = g.members.map((m, i): MemberRecord<M> => {
      let fate: MemberFate = 'kept';
      if (opts.filter.broken && m.broken !== null) fate = 'broken';
      else if (opts.filter.requireImageObservation && !m.imageObservation) fate = 'no-image';
      const trainAdvantage = opts.stdNormalize ? adv.normalized[i]! : adv.raw[i]!;
      return { ...m, advantage: adv.raw[i]!, normAdvantage: adv.normalized[i]!, trainAdvantage, fate };
    });
    let fate: GroupFate = 'kept';
    if (opts.filter.zeroVariance && rewards.every((r) => r === rewards[0])) {
      fate = g.members.every((m) => m.accuracy === 1) ? 'all-correct' : 'all-wrong';
    } else if (!members.some((m) => m.fate === 'kept')) {
      fate = members.some((m) => m.fate === 'broken') ? 'broken' : 'no-image';
    }
    if (fate !== 'kept') for (const m of members) if (m.fate === 'kept') m.fate = 'group-dropped';
    return { index: g.index, taskId: g.taskId, rewards, mean: adv.mean, std: adv.std, fate, rank: null, members };
  });
  const survivors = records.filter((r) => r.fate === 'kept');
  if (opts.rankByStd) survivors.sort((a, b) => b.std - a.std || a.index - b.index);
  else survivors.sort((a, b) => a.index - b.index);
  survivors.forEach((r, i) => {
    r.rank = i + 1;
    if (i >= opts.keep) {
      r.fate = 'surplus';
      for (const m of r.members) if (m.fate === 'kept') m.fate = 'group-dropped';
    }
  });
  return records;
}

/** Groups that survive filtering (before ranking): whether another generation batch is needed. */
export function survivorCount<M extends MemberInput>(groups: Array<GroupRecord<M>>): number {
  return groups.filter((g) => g.fate === 'kept' || g.fate === 'surplus').length;
}

// ---------------------------------------------------------------------------------------------
// 4. The PPO-clip update

export interface TrainRow {
  example: Example;
  /** The trajectory's advantage, shared by all its tokens. */
  advantage: number;
}

/** One token's clipped surrogate loss (the tensor version below computes exactly this). */
export function ppoTokenLoss(logp: number, oldLogp: number, advantage: number, eps: number): { loss: number; clipped: boolean } {
  const ratio = Math.exp(logp - oldLogp);
  const unclipped = -advantage * ratio;
  const clipped = -advantage * Math.min(1 + eps, Math.max(1 - eps, ratio));
  return { loss: Math.max(unclipped, clipped), clipped: clipped > unclipped };
}

/** k3 estimator of KL(π_θ ‖ π_ref) per token: exp(ref − θ) − (ref − θ) − 1 (≥ 0, unbiased). */
export function k3(logp: number, refLogp: number): number {
  const d = refLogp - logp;
  return Math.exp(d) - d - 1;
}

interface MicroBatch {
  batch: TrainBatch;
  /** Per selected token (tokenLogprobs order): its row's advantage. */
  advantages: Float32Array;
  oldLogp: Float32Array;
  refLogp: Float32Array | null;
}

/** Packs rows into micro-batches, each as long as its longest row (≤ maxSeq). */
export function packMicroBatches(rows: TrainRow[], tokenizer: Tokenizer, model: TinyVLM, microBatch: number): Array<{ batch: TrainBatch; advantages: Float32Array }> {
  const K = visualTokens(model.config);
  const out: Array<{ batch: TrainBatch; advantages: Float32Array }> = [];
  for (let i = 0; i < rows.length; i += microBatch) {
    const part = rows.slice(i, i + microBatch);
    const len = Math.max(...part.map((r) => r.example.ids.length + r.example.images.length * (K - 1)));
    const batch = packBatch(
      part.map((r) => r.example),
      { seqLen: Math.min(len, model.config.maxSeq), imageId: tokenizer.imageId, padId: tokenizer.padId, K },
    );
    // tokenLogprobs selects positions t ≥ 1 with lossMask 1, row by row: align advantages with it.
    const adv: number[] = [];
    const T = batch.seqLen;
    part.forEach((r, b) => {
      for (let t = 1; t < T; t++) if (batch.lossMask[b * T + t]) adv.push(r.advantage);
    });
    if (adv.length) out.push({ batch, advantages: Float32Array.from(adv) });
  }
  return out;
}

export interface UpdateStats {
  /** Mean of the optimizer steps' losses. */
  loss: number;
  gradNorm: number;
  lr: number;
  /** Share of policy tokens whose ratio was clipped (over all optimizer steps). */
  clipFraction: number;
  /** Mean entropy of the pre-update policy over the trained tokens. */
  entropy: number;
  /** Mean k3(π_θ ‖ π_old) at the time of each forward (0 on the first pass). */
  approxKl: number;
  /** Mean k3 to the reference model (NaN without one). */
  klRef: number;
  tokens: number;
  optimizerSteps: number;
}

async function read(t: tf.Tensor): Promise<Float32Array> {
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

/** The PPO update(s) on the kept trajectories. */
export async function ppoUpdate(
  model: TinyVLM,
  optimizer: AdamW,
  tokenizer: Tokenizer,
  rows: TrainRow[],
  cfg: Pick<RlConfig, 'clipEps' | 'klCoef' | 'entropyCoef' | 'ppoEpochs' | 'miniBatches' | 'microBatch' | 'temperature'>,
  refModel: TinyVLM | null = null,
): Promise<UpdateStats> {
  const packed = packMicroBatches(rows, tokenizer, model, cfg.microBatch);
  const temperature = cfg.temperature;
  // Old (behaviour) log-probs and entropy: the pre-update model over the same batches.
  const micro: MicroBatch[] = [];
  let entropySum = 0;
  let tokens = 0;
  for (const p of packed) {
    const [lp, ent] = tf.tidy(() => {
      const out = model.tokenLogprobs(p.batch, { entropy: true, temperature });
      return [out.logprobs, out.entropy!];
    });
    const oldLogp = await read(lp);
    for (const e of await read(ent)) entropySum += e;
    let refLogp: Float32Array | null = null;
    if (refModel && cfg.klCoef > 0) refLogp = await read(tf.tidy(() => refModel.tokenLogprobs(p.batch, { temperature }).logprobs));
    tokens += oldLogp.length;
    micro.push({ ...p, oldLogp, refLogp });
  }
  const stats: UpdateStats = { loss: 0, gradNorm: 0, lr: 0, clipFraction: 0, entropy: tokens ? entropySum / tokens : NaN, approxKl: 0, klRef: NaN, tokens, optimizerSteps: 0 };
  if (!micro.length) return stats;

  const chunks = Math.min(cfg.miniBatches, micro.length);
  const per = Math.ceil(micro.length / chunks);
  let clipped = 0;
  let seen = 0;
  let klOld = 0;
  let klRef = 0;
  for (let epoch = 0; epoch < cfg.ppoEpochs; epoch++) {
    for (let c = 0; c < micro.length; c += per) {
      const mini = micro.slice(c, c + per);
      const n = mini.reduce((s, m) => s + m.oldLogp.length, 0);
      const kept: tf.Tensor[] = [];
      const lossFns = mini.map((m) => () => {
        const out = model.tokenLogprobs(m.batch, { entropy: cfg.entropyCoef > 0, temperature, training: true });
        kept.push(tf.keep(out.logprobs));
        const adv = tf.tensor1d(m.advantages);
        const ratio = tf.exp(tf.sub(out.logprobs, tf.tensor1d(m.oldLogp)));
        const pg1 = tf.mul(tf.neg(adv), ratio);
        const pg2 = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - cfg.clipEps, 1 + cfg.clipEps));
        // Token-mean over the whole mini-batch: each micro-batch contributes sum / n.
        let perToken = tf.maximum(pg1, pg2);
        if (m.refLogp) {
          const d = tf.sub(tf.tensor1d(m.refLogp), out.logprobs);
          perToken = tf.add(perToken, tf.mul(tf.sub(tf.sub(tf.exp(d), d), 1), cfg.klCoef));
        }
        if (out.entropy) perToken = tf.sub(perToken, tf.mul(out.entropy, cfg.entropyCoef));
        return tf.div(tf.sum(perToken), n) as tf.Scalar;
      });
      const r = await optimizer.optimizeStep(model, lossFns);
      for (let i = 0; i < mini.length; i++) {
        const m = mini[i]!;
        const logp = await read(kept[i]!);
        logp.forEach((x, j) => {
          if (ppoTokenLoss(x, m.oldLogp[j]!, m.advantages[j]!, cfg.clipEps).clipped) clipped++;
          klOld += k3(x, m.oldLogp[j]!);
          if (m.refLogp) klRef += k3(x, m.refLogp[j]!);
        });
        seen += logp.length;
      }
      stats.loss += r.loss;
      stats.gradNorm += r.gradNorm;
      stats.lr = r.lr;
      stats.optimizerSteps++;
    }
  }
  stats.loss /= stats.optimizerSteps;
  stats.gradNorm /= stats.optimizerSteps;
  stats.clipFraction = seen ? clipped / seen : 0;
  stats.approxKl = seen ? klOld / seen : 0;
  stats.klRef = refModel && cfg.klCoef > 0 && seen ? klRef / seen : NaN;
  return stats;
}
