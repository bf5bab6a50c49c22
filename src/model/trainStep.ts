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
   *
   * A list of loss functions is gradient accumulation: their gradients are summed (each runs in
   * its own tidy, so only one micro-batch's activations are alive at a time) and the reported
   * loss is the sum of their values; scale each part so the parts add up to the loss you mean.
   * A parameter that none of them reaches (the visual encoder on a batch without images) gets
   * no gradient and is skipped entirely (no moment update, no weight decay), as in PyTorch.
   */
  async optimizeStep(model: TinyVLM, lossFn: (() => tf.Scalar) | Array<() => tf.Scalar>): Promise<StepResult> {
    const cfg = this.config;
    const lr = learningRate(cfg, this.step);
    const t = this.step + 1;
    const names = [...model.params.keys()];
    // Moments are created outside the tidy (their zeros would otherwise be tracked by it).
    for (const name of names) this.moments(name, model.p(name));
    const vars = names.map((n) => model.p(n));
    const fns = Array.isArray(lossFn) ? lossFn : [lossFn];
    if (!fns.length) throw new Error('optimizeStep: no loss function');
    let acc: Array<tf.Tensor | null> = names.map(() => null);
    let lossSum: tf.Scalar | null = null;
    for (const fn of fns) {
      const prev = acc;
      const prevLoss: tf.Scalar | null = lossSum;
      const next: { g: Array<tf.Tensor | null>; loss: tf.Scalar } = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(fn, vars);
        const g = vars.map((v, i) => {
          const gi = grads[v.name];
          if (!gi) return prev[i]!;
          return prev[i] ? tf.add(prev[i]!, gi) : gi;
        });
        return { g, loss: (prevLoss ? tf.add(prevLoss, value) : value) as tf.Scalar };
      });
      // Tensors passed through unchanged are still owned by `next`; free only the replaced ones.
      prev.forEach((p, i) => p && p !== next.g[i] && p.dispose());
      prevLoss?.dispose();
      acc = next.g;
      lossSum = next.loss;
    }
    const norm = tf.tidy(() => {
      const present = acc.filter((g): g is tf.Tensor => g !== null);
      // A left fold of adds, not tf.addN: TF.js's WebGPU AddN binds every input and its output
      // as storage buffers, so from 8 inputs on it exceeds WebGPU's default
      // maxStorageBuffersPerShaderStage (8, what TF.js requests; checked on Dawn/SwiftShader):
      // its pipeline is invalid, the sum reads 0 and clipping was silently off there. Same
      // float32 sums, same order, as AddN's.
      const norm = tf.sqrt(present.map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b)));
      // One scalar scale for all grads; stays on the device (no sync mid-step).
      const scale = cfg.clipNorm > 0 ? tf.minimum(1, tf.div(cfg.clipNorm, tf.add(norm, 1e-6))) : tf.scalar(1);
      const c1 = 1 / (1 - cfg.beta1 ** t);
      const c2 = 1 / (1 - cfg.beta2 ** t);
      names.forEach((name, i) => {
        if (!acc[i]) return;
        const p = vars[i]!;
        const g = tf.mul(acc[i]!, scale);
        const [m, v] = this.moments(name, p);
        m.assign(tf.add(tf.mul(m, cfg.beta1), tf.mul(g, 1 - cfg.beta1)));
        v.assign(tf.add(tf.mul(v, cfg.beta2), tf.mul(tf.square(g), 1 - cfg.beta2)));
        let update = tf.div(tf.mul(m, c1), tf.add(tf.sqrt(tf.mul(v, c2)), cfg.eps));
        if (cfg.weightDecay > 0 && p.rank >= 2 && name !== 'pos_emb' && name !== 'vis/pos') update = tf.add(update, tf.mul(p, cfg.weightDecay));
        p.assign(tf.sub(p, tf.mul(update, lr)));
      });
      return norm;
    });
    const loss = lossSum!;
    const [l, n] = await Promise.all([loss.data(), norm.data()]);
    loss.dispose();
    norm.dispose();
    for (const g of acc) g?.dispose();
    this.step++;
    return { loss: l[0]!, gradNorm: n[0]!, lr, step: this.step };
  }

  /** The optimizer's state (step and Adam moments by parameter name), copied to the CPU: for checkpoints. */
  async exportState(): Promise<{ step: number; moments: Array<{ name: string; shape: number[]; m: Float32Array; v: Float32Array }> }> {
    const moments: Array<{ name: string; shape: number[]; m: Float32Array; v: Float32Array }> = [];
    for (const [name, m] of this.m) {
      const v = this.v.get(name)!;
      moments.push({ name, shape: [...m.shape], m: (await m.data()) as Float32Array, v: (await v.data()) as Float32Array });
    }
    return { step: this.step, moments };
  }

  /** Restores exportState's output (resuming a run continues the schedule and the moments). */
  importState(state: { step: number; moments: Array<{ name: string; shape: number[]; m: Float32Array; v: Float32Array }> }): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
    for (const { name, shape, m, v } of state.moments) {
      for (const [map, data] of [[this.m, m], [this.v, v]] as const) {
        const t = tf.tensor(data, shape);
        map.set(name, tf.variable(t, false));
        t.dispose(); // tf.variable copies its input
      }
    }
    this.step = state.step;
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
