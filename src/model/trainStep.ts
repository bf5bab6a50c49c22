/**
 * One optimisation step: gradients of a scalar loss, global-norm clipping, AdamW with a
 * warmup + cosine learning-rate schedule. Written out (not tf.train.adam) so the schedule,
 * the decoupled weight decay and the optimizer state are explicit and inspectable.
 *
 * `optimizeStep` takes any loss function (SFT's cross-entropy here, GRPO's clipped objective
 * later); `sftStep` is the SFT loss over a TrainBatch. Everything runs inside one tf.tidy; the
 * only tensors that outlive a step are the parameters and the Adam moments.
 */
import * as tf from '@tensorflow/tfjs';
import type { TinyVLM, TrainBatch } from './transformer';

export interface OptimConfig {
  /** Peak learning rate. */
  lr: number;
  /** Linear warmup from 0 to lr over this many steps. */
  warmupSteps: number;
  /** Cosine decay from lr to lr·minLrRatio ends here (held constant after). */
  totalSteps: number;
  minLrRatio: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled (AdamW) weight decay on weight matrices and the token table; not on biases, LayerNorm gains or position tables. */
  weightDecay: number;
  /** Gradients are rescaled so their global L2 norm is at most this (0 = no clipping). */
  clipNorm: number;
}

export const DEFAULT_OPTIM: OptimConfig = {
  lr: 3e-3,
  warmupSteps: 100,
  totalSteps: 3000,
  minLrRatio: 0.1,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  weightDecay: 0.01,
  clipNorm: 1,
};

/** Learning rate at `step` (0-based): linear warmup, then cosine to lr·minLrRatio. */
export function learningRate(cfg: OptimConfig, step: number): number {
  if (step < cfg.warmupSteps) return (cfg.lr * (step + 1)) / cfg.warmupSteps;
  const span = Math.max(1, cfg.totalSteps - cfg.warmupSteps);
  const progress = Math.min(1, (step - cfg.warmupSteps) / span);
  const min = cfg.lr * cfg.minLrRatio;
  return min + (cfg.lr - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

export interface StepResult {
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  lr: number;
  step: number;
}

export class AdamW {
  readonly config: OptimConfig;
  /** Steps taken so far (the schedule's position). */
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(config: Partial<OptimConfig> = {}) {
    this.config = { ...DEFAULT_OPTIM, ...config };
  }

  private moments(name: string, like: tf.Variable): [tf.Variable, tf.Variable] {
    let m = this.m.get(name);
    let v = this.v.get(name);
    if (!m || !v) {
      const zeros = tf.zerosLike(like);
      m = tf.variable(zeros, false);
      v = tf.variable(zeros, false);
      zeros.dispose(); // tf.variable copies its input and does not dispose it
      this.m.set(name, m);
      this.v.set(name, v);
    }
    return [m, v];
  }

  /**
   * Computes gradients of `lossFn` w.r.t. the model's parameters and applies one AdamW update.
   * `lossFn` runs inside a tidy: it may create any tensors.
   */
  async optimizeStep(model: TinyVLM, lossFn: () => tf.Scalar): Promise<StepResult> {
    const cfg = this.config;
    const lr = learningRate(cfg, this.step);
    const t = this.step + 1;
    const names = [...model.params.keys()];
    // Moments are created outside the tidy (their zeros would otherwise be tracked by it).
    for (const name of names) this.moments(name, model.p(name));
    const { loss, norm } = tf.tidy(() => {
      const vars = names.map((n) => model.p(n));
      const { value, grads } = tf.variableGrads(lossFn, vars);
      const gradList = vars.map((v) => grads[v.name]!);
      const norm = tf.sqrt(tf.addN(gradList.map((g) => tf.sum(tf.square(g)))));
      // One scalar scale for all grads; stays on the device (no sync mid-step).
      const scale = cfg.clipNorm > 0 ? tf.minimum(1, tf.div(cfg.clipNorm, tf.add(norm, 1e-6))) : tf.scalar(1);
      const c1 = 1 / (1 - cfg.beta1 ** t);
      const c2 = 1 / (1 - cfg.beta2 ** t);
      names.forEach((name, i) => {
        const p = vars[i]!;
        const g = tf.mul(gradList[i]!, scale);
        const [m, v] = this.moments(name, p);
        m.assign(tf.add(tf.mul(m, cfg.beta1), tf.mul(g, 1 - cfg.beta1)));
        v.assign(tf.add(tf.mul(v, cfg.beta2), tf.mul(tf.square(g), 1 - cfg.beta2)));
        let update = tf.div(tf.mul(m, c1), tf.add(tf.sqrt(tf.mul(v, c2)), cfg.eps));
        if (cfg.weightDecay > 0 && p.rank >= 2 && name !== 'pos_emb' && name !== 'vis/pos') update = tf.add(update, tf.mul(p, cfg.weightDecay));
        p.assign(tf.sub(p, tf.mul(update, lr)));
      });
      return { loss: value, norm };
    });
    const [l, n] = await Promise.all([loss.data(), norm.data()]);
    loss.dispose();
    norm.dispose();
    this.step++;
    return { loss: l[0]!, gradNorm: n[0]!, lr, step: this.step };
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** One SFT step: token-mean cross-entropy over the batch's lossMask positions. */
export function sftStep(model: TinyVLM, optimizer: AdamW, batch: TrainBatch): Promise<StepResult> {
  return optimizer.optimizeStep(model, () => model.loss(batch, { training: true }).loss);
}
