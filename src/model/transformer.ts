/**
 * The tiny vision-language decoder: pre-LN transformer blocks (causal multi-head attention,
 * GELU MLP), learned absolute positions, token embeddings tied to the output projection, and the
 * visual tokens of visual.ts spliced in where the token stream has `<image>` slots.
 *
 * Data layout: activations are [B·T, d] matrices (one big matmul per projection); attention.ts
 * splits heads per backend. Every op used here, and its gradient, has a WASM kernel (ops.ts).
 * Methods returning tensors (hidden, tokenLogprobs, loss) are meant to run inside tf.tidy (or
 * tf.variableGrads); forward() tidies itself.
 *
 * Batches (built on the CPU, see batch.ts):
 * - `ids` [B·T] row-major; each image occupies K = visualTokens(config) consecutive slots whose
 *   ids are the tokenizer's `<image>` id; `imagePositions[i]` is the flat index of the first slot
 *   of `images[i]`. Rows are right-padded (causal attention never looks at later padding).
 * - `lossMask` [B·T]: 1 where the token is the policy's own and must be predicted from the
 *   position before it; prompt, observation, visual and padding slots are 0.
 */
import * as tf from '@tensorflow/tfjs';
import type { Pixels } from '../runtime/types';
import { type ModelConfig, headDim, validateConfig, cloneConfig, tokenShift, visualTokens } from './config';
import { causalSelfAttention } from './attention';
import { MATCH_INIT, copyMixLogprobs, copyParamShapes, imageSlots } from './copyHead';
import { buildInferenceWeights, disposeInferenceWeights, inferenceKey, readInferenceScalars, type InferenceScalars, type InferenceWeights } from './inference';

const sameKey = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((k, i) => k === b[i]);
import { dropout, gatherRows, gelu, layerNorm, linear, mm, targetLogprobs, transpose2d } from './ops';
import { encodeImages, visualParamShapes } from './visual';

export interface ForwardBatch {
  batchSize: number;
  seqLen: number;
  ids: Int32Array;
  images: Pixels[];
  imagePositions: number[];
}

export interface TrainBatch extends ForwardBatch {
  lossMask: Float32Array | Uint8Array;
}

export interface TokenLogprobs {
  /** log p(target) at each selected token, [M], differentiable. */
  logprobs: tf.Tensor1D;
  /** Entropy of the predictive distribution at each selected token, [M] (when asked for). */
  entropy: tf.Tensor1D | null;
  /** Flat index b·T + t of each selected token (the token predicted, not the position before). */
  positions: Int32Array;
}

/**
 * The attention of one layer: qkv [B·T, 3d] (q columns pre-scaled by 1/√dh) → the heads' merged
 * output [B·T, d]. (Generation has its own block over folded weights: inference.ts.)
 */
export type AttentionFn = (qkv: tf.Tensor2D) => tf.Tensor2D;

/** Additive causal mask [T, T] (0 on and below the diagonal, −1e9 above), cached per T on the CPU. */
const causalMasks = new Map<number, Float32Array>();
let variableCounter = 0;
/** tf.variable names are global: suffix a counter so two models can coexist. */
const uniqueName = (name: string) => `${name}#${++variableCounter}`;
function causalMask(T: number): tf.Tensor2D {
  let m = causalMasks.get(T);
  if (!m) {
    m = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
    causalMasks.set(T, m);
  }
  return tf.tensor2d(m, [T, T]);
}

/**
 * The id k slots before each slot of [B, T] ids (image slots count as `<image>` ids), taken from
 * `before` across the chunk's start, and `none` where the row has no such token.
 */
export function shiftedIds(ids: Int32Array, B: number, T: number, k: number, before: ReadonlyArray<readonly number[]> | null, none: number): Int32Array {
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const prev = before?.[b] ?? [];
    for (let t = 0; t < T; t++) {
      const j = t - k;
      out[b * T + t] = j >= 0 ? ids[b * T + j]! : (prev[prev.length + j] ?? none);
    }
  }
  return out;
}

/** Name → shape of every parameter, in a fixed order (the weights file uses it). */
export function paramShapes(c: ModelConfig): Array<[string, number[]]> {
  const d = c.dModel;
  const shapes: Array<[string, number[]]> = [
    ['tok_emb', [c.vocabSize, d]],
    ['pos_emb', [c.maxSeq, d]],
    // Row vocabSize of a shift table stands for "no token" (before the start of the row).
    ...Array.from({ length: tokenShift(c) }, (_, k): [string, number[]] => [`shift${k + 1}_emb`, [c.vocabSize + 1, d]]),
    ...visualParamShapes(c),
  ];
  for (let l = 0; l < c.nLayers; l++) {
    shapes.push(
      [`h${l}/ln1/g`, [d]], [`h${l}/ln1/b`, [d]],
      [`h${l}/attn/qkv/w`, [d, 3 * d]], [`h${l}/attn/qkv/b`, [3 * d]],
      [`h${l}/attn/out/w`, [d, d]], [`h${l}/attn/out/b`, [d]],
      [`h${l}/ln2/g`, [d]], [`h${l}/ln2/b`, [d]],
      [`h${l}/mlp/fc/w`, [d, c.dFF]], [`h${l}/mlp/fc/b`, [c.dFF]],
      [`h${l}/mlp/proj/w`, [c.dFF, d]], [`h${l}/mlp/proj/b`, [d]],
    );
  }
  shapes.push(['ln_f/g', [d]], ['ln_f/b', [d]], ...copyParamShapes(c));
  return shapes;
}

export class TinyVLM {
  readonly config: ModelConfig;
  /** Trainable variables by name, in paramShapes order. */
  readonly params: Map<string, tf.Variable>;
  private dropoutSeed = 1;
  private inference: InferenceWeights | null = null;
  private scalars: { key: unknown[]; values: InferenceScalars | null } | null = null;

  private constructor(config: ModelConfig, params: Map<string, tf.Variable>) {
    this.config = config;
    this.params = params;
  }

  /** Fresh weights: N(0, initStd), residual projections scaled by 1/√(2L), LayerNorm 1/0, biases 0, copy match weights MATCH_INIT. */
  static create(config: ModelConfig, seed = 0): TinyVLM {
    const c = cloneConfig(validateConfig(config));
    const params = new Map<string, tf.Variable>();
    paramShapes(c).forEach(([name, shape], i) => {
      const init = tf.tidy(() => {
        if (/\/g$/.test(name)) return tf.ones(shape);
        if (/\/b$/.test(name)) return tf.zeros(shape);
        if (name === 'copy/match/w') return tf.fill(shape, MATCH_INIT);
        const std = /(attn\/out|mlp\/proj)\/w$/.test(name) ? c.initStd / Math.sqrt(2 * c.nLayers) : c.initStd;
        return tf.randomNormal(shape, 0, std, 'float32', seed * 1000 + i);
      });
      params.set(name, tf.variable(init, true, uniqueName(name)));
      init.dispose(); // tf.variable copies and does not dispose its input
    });
    return new TinyVLM(c, params);
  }

  /** A model with the given tensors as initial values (weights.ts validates them first). */
  static fromTensors(config: ModelConfig, tensors: Map<string, tf.Tensor>): TinyVLM {
    const c = cloneConfig(validateConfig(config));
    const params = new Map<string, tf.Variable>();
    for (const [name] of paramShapes(c)) {
      const t = tensors.get(name);
      if (!t) throw new Error(`missing weight ${name}`);
      params.set(name, tf.variable(t, true, uniqueName(name)));
    }
    return new TinyVLM(c, params);
  }

  p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }

  get numParams(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /**
   * Input embeddings [B·T, d]: token rows, visual tokens at image slots (one gather over the
   * token table concatenated with this batch's visual tokens, so both get gradients), plus
   * positions (0…T−1 per row unless `positions` gives each slot's position), plus the token-shift
   * embeddings of the tokens before each slot. `before[b]` lists row b's ids that precede this
   * chunk (the most recent last; generation passes them, training rows start at their beginning).
   */
  embed(
    ids: Int32Array,
    B: number,
    T: number,
    images: Pixels[],
    imagePositions: number[],
    positions: Int32Array | null,
    training: boolean,
    before: ReadonlyArray<readonly number[]> | null = null,
  ): tf.Tensor2D {
    const c = this.config;
    const K = visualTokens(c);
    if (ids.length !== B * T) throw new Error(`ids has ${ids.length} entries, expected ${B}×${T}`);
    if (images.length !== imagePositions.length) throw new Error('images and imagePositions differ in length');
    const index = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < c.vocabSize)) throw new Error(`token id ${id} outside the vocabulary (${c.vocabSize})`);
      index[i] = id;
    }
    imagePositions.forEach((start, i) => {
      if (start < 0 || start + K > ids.length || Math.floor(start / T) !== Math.floor((start + K - 1) / T)) {
        throw new Error(`image ${i} at position ${start} does not fit in its row`);
      }
      for (let k = 0; k < K; k++) index[start + k] = c.vocabSize + i * K + k;
    });
    const table = images.length ? tf.concat([this.p('tok_emb'), encodeImages(images, c, (n) => this.p(n))]) : this.p('tok_emb');
    const tokens = gatherRows(table as tf.Tensor2D, index);
    if (!positions && T > c.maxSeq) throw new Error(`sequence length ${T} exceeds maxSeq ${c.maxSeq}`);
    const posIds = positions ?? Int32Array.from({ length: B * T }, (_, i) => i % T);
    for (const q of posIds) if (!(q >= 0 && q < c.maxSeq)) throw new Error(`position ${q} exceeds maxSeq ${c.maxSeq}`);
    let x = tf.add(tokens, gatherRows(this.p('pos_emb') as tf.Tensor2D, posIds)) as tf.Tensor2D;
    for (let k = 1; k <= tokenShift(c); k++) {
      x = tf.add(x, gatherRows(this.p(`shift${k}_emb`) as tf.Tensor2D, shiftedIds(ids, B, T, k, before, c.vocabSize))) as tf.Tensor2D;
    }
    return dropout(x, training ? c.dropout : 0, this.nextSeed(training)) as tf.Tensor2D;
  }

  /** One pre-LN block on x [B·Tq, d] of Tq new positions per row. */
  block(x: tf.Tensor2D, l: number, attention: AttentionFn, training: boolean): tf.Tensor2D {
    const c = this.config;
    const rate = training ? c.dropout : 0;
    const h1 = layerNorm(x, this.p(`h${l}/ln1/g`) as tf.Tensor1D, this.p(`h${l}/ln1/b`) as tf.Tensor1D, c.layerNormEps);
    const [w, bias] = this.scaledQkv(l);
    const merged = attention(linear(h1, w, bias));
    const attnOut = linear(merged, this.p(`h${l}/attn/out/w`) as tf.Tensor2D, this.p(`h${l}/attn/out/b`) as tf.Tensor1D);
    const x1 = tf.add(x, dropout(attnOut, rate, this.nextSeed(training))) as tf.Tensor2D;
    const h2 = layerNorm(x1, this.p(`h${l}/ln2/g`) as tf.Tensor1D, this.p(`h${l}/ln2/b`) as tf.Tensor1D, c.layerNormEps);
    const fc = gelu(linear(h2, this.p(`h${l}/mlp/fc/w`) as tf.Tensor2D, this.p(`h${l}/mlp/fc/b`) as tf.Tensor1D)) as tf.Tensor2D;
    const mlpOut = linear(fc, this.p(`h${l}/mlp/proj/w`) as tf.Tensor2D, this.p(`h${l}/mlp/proj/b`) as tf.Tensor1D);
    return tf.add(x1, dropout(mlpOut, rate, this.nextSeed(training))) as tf.Tensor2D;
  }

  /** The qkv weight and bias of layer l with 1/√dh folded into the q columns (cheaper than scaling activations). */
  private scaledQkv(l: number): [tf.Tensor2D, tf.Tensor1D] {
    const d = this.config.dModel;
    const colScale = tf.tensor1d(new Float32Array(3 * d).fill(1).fill(1 / Math.sqrt(headDim(this.config)), 0, d));
    return [tf.mul(this.p(`h${l}/attn/qkv/w`), colScale) as tf.Tensor2D, tf.mul(this.p(`h${l}/attn/qkv/b`), colScale) as tf.Tensor1D];
  }

  /** Folded weights for generation (inference.ts), cached until a parameter changes. Owned by the model. */
  inferenceWeights(): InferenceWeights {
    const key = inferenceKey(this);
    const cached = this.inference;
    if (cached && sameKey(cached.key, key)) return cached;
    if (cached) disposeInferenceWeights(cached);
    const scalars = this.scalars && sameKey(this.scalars.key, key) ? this.scalars.values : null;
    this.inference = { ...buildInferenceWeights(this, scalars), key };
    return this.inference;
  }

  /**
   * Reads what folding the weights needs from the parameters without a synchronous download
   * (generate.ts awaits this before inferenceWeights()); a no-op while the parameters are unchanged.
   */
  async prepareInference(): Promise<void> {
    const key = inferenceKey(this);
    if (this.inference && sameKey(this.inference.key, key)) return;
    if (this.scalars && sameKey(this.scalars.key, key)) return;
    this.scalars = { key, values: await readInferenceScalars(this) };
  }

  finalNorm(x: tf.Tensor2D): tf.Tensor2D {
    return layerNorm(x, this.p('ln_f/g') as tf.Tensor1D, this.p('ln_f/b') as tf.Tensor1D, this.config.layerNormEps);
  }

  /** Logits over the vocabulary for rows of final hidden states [N, d] → [N, V] (tied weights). */
  project(h: tf.Tensor2D): tf.Tensor2D {
    // h·Eᵀ as a non-transposed matmul (the transposed form is slow on WASM, see ops.ts).
    return mm(h, transpose2d(this.p('tok_emb')));
  }

  /** Final hidden states [B·T, d] of a whole batch with causal self-attention. */
  hidden(batch: ForwardBatch, training = false): tf.Tensor2D {
    const { batchSize: B, seqLen: T } = batch;
    let x = this.embed(batch.ids, B, T, batch.images, batch.imagePositions, null, training);
    const mask = causalMask(T);
    const layout = { B, T, H: this.config.nHeads, dh: headDim(this.config) };
    const causal: AttentionFn = (qkv) => causalSelfAttention(qkv, layout, mask);
    for (let l = 0; l < this.config.nLayers; l++) x = this.block(x, l, causal, training);
    return this.finalNorm(x);
  }

  /** Logits [B, T, V] for every position (position t predicts token t+1). */
  forward(batch: ForwardBatch): tf.Tensor3D {
    return tf.tidy(() => {
      const h = this.hidden(batch);
      const all = Int32Array.from({ length: batch.batchSize * batch.seqLen }, (_, i) => i);
      return tf.reshape(this.outputLogits(batch, h, all, h), [batch.batchSize, batch.seqLen, this.config.vocabSize]);
    });
  }

  /**
   * The policy's logits at positions `sel` [M, V] from the final hidden states `hidden` [B·T, d]
   * (`hSel` = their rows at sel): the tied projection, or with the copy head its mixture's log-probs.
   */
  outputLogits(batch: ForwardBatch, hidden: tf.Tensor2D, sel: Int32Array | number[], hSel: tf.Tensor2D): tf.Tensor2D {
    const logits = this.project(hSel);
    if (!this.config.copyHead) return logits;
    const { batchSize: B, seqLen: T } = batch;
    const rows = { B, T, ids: batch.ids, imageSlot: imageSlots(B * T, batch.imagePositions, visualTokens(this.config)) };
    return copyMixLogprobs((n) => this.p(n), this.config, hidden, rows, sel, hSel, logits);
  }

  /**
   * Differentiable log-probabilities of the tokens where lossMask = 1, under the current
   * parameters (what SFT's loss and GRPO's ratio need), optionally at a sampling temperature.
   * Only those positions are projected onto the vocabulary, which skips the largest matmul for
   * prompt and observation tokens.
   */
  tokenLogprobs(batch: TrainBatch, opts: { entropy?: boolean; training?: boolean; temperature?: number } = {}): TokenLogprobs {
    const { batchSize: B, seqLen: T, ids, lossMask } = batch;
    if (lossMask.length !== B * T) throw new Error(`lossMask has ${lossMask.length} entries, expected ${B}×${T}`);
    const sel: number[] = [];
    const tokens: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let t = 1; t < T; t++) {
        if (lossMask[b * T + t]) {
          sel.push(b * T + t - 1);
          tokens.push(b * T + t);
        }
      }
    }
    if (sel.length === 0) throw new Error('lossMask selects no token to predict');
    const targets = tf.tensor1d(tokens.map((i) => ids[i]!), 'int32');
    const hidden = this.hidden(batch, opts.training ?? false);
    const out = this.outputLogits(batch, hidden, sel, gatherRows(hidden, sel));
    // A sampling temperature T ≠ 1 means the policy is softmax(logits / T): GRPO's ratio must
    // compare that distribution, not the untempered one.
    const T0 = opts.temperature ?? 1;
    const logits = T0 > 0 && T0 !== 1 ? (tf.div(out, T0) as tf.Tensor2D) : out;
    const logprobs = targetLogprobs(logits, targets);
    let entropy: tf.Tensor1D | null = null;
    if (opts.entropy) {
      // H = −Σ p log p, differentiable (GRPO may regularise it).
      const logp = tf.logSoftmax(logits);
      entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)) as tf.Tensor1D;
    }
    return { logprobs, entropy, positions: Int32Array.from(tokens) };
  }

  /** Token-mean cross-entropy over lossMask positions, with the per-token log-probs and entropy. */
  loss(batch: TrainBatch, opts: { entropy?: boolean; training?: boolean } = {}): { loss: tf.Scalar } & TokenLogprobs {
    const out = this.tokenLogprobs(batch, opts);
    return { loss: tf.neg(tf.mean(out.logprobs)) as tf.Scalar, ...out };
  }

  private nextSeed(training: boolean): number | undefined {
    return training && this.config.dropout > 0 ? this.dropoutSeed++ : undefined;
  }

  dispose(): void {
    if (this.inference) disposeInferenceWeights(this.inference);
    this.inference = null;
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
