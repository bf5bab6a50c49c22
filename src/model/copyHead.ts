/**
 * The copy (pointer) head: the output distribution is a mixture of the vocabulary softmax and a
 * copy of an earlier token of the same row, in the manner of pointer-generator networks:
 *
 *   p(v) = g · softmax(E·h_i)_v + (1 − g) · Σ_{j ≤ i, id_j = v} a_j,
 *   g = σ(w_g·h_i + b_g),   a = softmax_j(q·k_j − λ·(i − j) + Σ_{m ≤ L_ij} μ_m),
 *   q = W_q·h_i/√dc,  k_j = W_k·h_j,
 *
 * over the final hidden states h (after the final LayerNorm).
 *
 * Why: the policy's answers are mostly values it must copy — a shape word from the question
 * into the helper's query, `yellow` from `colour=yellow` into `\boxed{…}`. With the token-shift
 * embeddings the key of `yellow` knows it follows `colour=`, and this head moves the copied
 * token's probability in one step, which a plain transformer this small did not learn to do
 * (an attention head plus an identity map onto the tied embeddings) in 1,600 SFT steps.
 *
 * - The gate starts at ½ (b_g = 0). A "null" attention slot as the gate (tried first) starts
 *   either nearly shut, which Adam's ~lr-per-step moves cannot open within an SFT run, or nearly
 *   open for long contexts.
 * - λ = softplus(r)/16 ≥ 0 is a learned recency slope (ALiBi-like; r starts at 0: −4.3 at 100
 *   positions back). Learned absolute positions make "the most recent `quadrant=` value" hard
 *   to express in q·k: without it the model wrote `quadrant=bottom-right` in its sentence and
 *   then boxed `top-right`.
 * - μ_m rewards a context match (`copyMatch` in the config, absent = off): L_ij is how many
 *   tokens before j equal the last tokens up to i (ids j−1, j−2, … against i, i−1, …; at most
 *   copyMatch). This is an induction head given, not learned: at `…has colour=` the value
 *   printed after `colour=` matches 2 tokens, the one after `shape=` only 1. Measured: without
 *   it the default model's copy attention at `colour=` split about evenly over every printed
 *   value (colour, shape, part of the clip), even on its training records, and the nearest won;
 *   video colour questions scored 5/14. μ_m = MATCH_SCALE·w_m with w_m starting at ¼ (2 logits
 *   per matched token), since Adam moves a raw scalar only ~lr per step.
 * - Image slots and control tokens (NEVER_OUTPUT_IDS, which generation bans) are never copied,
 *   except position i itself (so every position has a candidate; the policy's own tokens never
 *   follow an image slot). Copy mass on a banned id made sampling's renormalised log-probs and
 *   the training forward's differ by up to 1e-3.
 *
 * Two forms with the same arithmetic: a differentiable one for training and the log-probs GRPO
 * needs (tensors), and a JS one for decoding, where each row keeps its own list of keys (so the
 * ragged, holey KV cache layout does not matter here).
 */
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, headDim } from './config';
import { mm, transpose2d } from './ops';
import { NEVER_OUTPUT_IDS } from './tokenizer';

/** Added to p before the log: the same floor in training and decoding. */
export const COPY_FLOOR = 1e-30;
/** λ = softplus(r) / RECENCY_SCALE. */
export const RECENCY_SCALE = 16;
/** μ_m = w_m · MATCH_SCALE. */
export const MATCH_SCALE = 8;
/** The raw match weights' starting value (models.create). */
export const MATCH_INIT = 0.25;

/** The recency slope λ from its raw parameter r (JS, for decoding). */
export function recencySlope(r: number): number {
  return Math.log1p(Math.exp(r)) / RECENCY_SCALE;
}

export function copyDim(c: ModelConfig): number {
  return headDim(c);
}

export function copyParamShapes(c: ModelConfig): Array<[string, number[]]> {
  if (!c.copyHead) return [];
  const d = c.dModel;
  const dc = copyDim(c);
  return [
    ['copy/q/w', [d, dc]],
    ['copy/k/w', [d, dc]],
    ['copy/gate/w', [d, 1]],
    ['copy/gate/b', [1]],
    ['copy/recency/b', [1]],
    ...(copyMatch(c) > 0 ? [['copy/match/w', [copyMatch(c)]] as [string, number[]]] : []),
  ];
}

/** Context-match depth (0: the feature is off, as in files that predate it). */
export function copyMatch(c: ModelConfig): number {
  return c.copyHead ? (c.copyMatch ?? 0) : 0;
}

/**
 * How many tokens before candidate j equal the tokens ending at query i (at most `depth`):
 * ids[j−m] = ids[i+1−m] for m = 1…L. Image slots never match.
 */
export function matchLength(ids: ArrayLike<number>, image: (k: number) => boolean, i: number, j: number, depth: number): number {
  let L = 0;
  for (let m = 1; m <= depth; m++) {
    const a = j - m;
    const b = i + 1 - m;
    if (a < 0 || b < 0 || image(a) || image(b) || ids[a] !== ids[b]) break;
    L = m;
  }
  return L;
}

export interface CopyRows {
  B: number;
  T: number;
  /** Token ids [B·T]; image slots are excluded through `imageSlot`. */
  ids: Int32Array;
  /** 1 at flat indices that hold visual tokens. */
  imageSlot: Uint8Array;
}

/** 1 at the flat index of every visual token of a batch. */
export function imageSlots(n: number, imagePositions: number[], K: number): Uint8Array {
  const out = new Uint8Array(n);
  for (const s of imagePositions) out.fill(1, s, s + K);
  return out;
}

/**
 * log p [M, V] at the positions `sel` (flat indices b·T + t, ascending: position t predicts token
 * t+1 and may copy any non-image token at 0…t of its row). `hidden` [B·T, d] are the final
 * (normalised) hidden states, `hSel` [M, d] their rows at `sel`, `vocabLogits` [M, V] the tied
 * projection of hSel. Differentiable.
 */
export function copyMixLogprobs(
  p: (name: string) => tf.Tensor,
  c: ModelConfig,
  hidden: tf.Tensor2D,
  rows: CopyRows,
  sel: ArrayLike<number>,
  hSel: tf.Tensor2D,
  vocabLogits: tf.Tensor2D,
): tf.Tensor2D {
  const { B, T, ids, imageSlot } = rows;
  const V = vocabLogits.shape[1];
  const M = sel.length;
  const dc = copyDim(c);
  const selIdx = Int32Array.from(sel);
  const q = tf.mul(mm(hSel, p('copy/q/w') as tf.Tensor2D), 1 / Math.sqrt(dc)) as tf.Tensor2D;
  const k = mm(hidden, p('copy/k/w') as tf.Tensor2D);
  const gate = tf.sigmoid(tf.add(mm(hSel, p('copy/gate/w') as tf.Tensor2D), p('copy/gate/b')));
  const slope = tf.div(tf.softplus(p('copy/recency/b')), RECENCY_SCALE);
  const depth = copyMatch(c);
  // A score gains μ_1 + … + μ_L: indicators [L ≥ m] times μ, summed (WASM has no gather gradient,
  // and its matmul gradient for this [N, depth]·[depth, 1] shape came out wrong: measured).
  const mu = depth > 0 ? tf.mul(p('copy/match/w'), MATCH_SCALE) : null;
  const scoreRows: tf.Tensor2D[] = [];
  const onehots: Array<[number, number, tf.Tensor2D]> = [];
  let start = 0;
  for (let b = 0; b < B; b++) {
    let end = start;
    while (end < M && Math.floor(selIdx[end]! / T) === b) end++;
    if (end === start) continue;
    const mb = end - start;
    const bias = new Float32Array(mb * T);
    const back = new Float32Array(mb * T);
    const atLeast = mu ? new Float32Array(mb * T * depth) : null;
    const rowIds = ids.subarray(b * T, (b + 1) * T);
    const isImage = (x: number) => imageSlot[b * T + x] === 1;
    for (let r = 0; r < mb; r++) {
      const t = selIdx[start + r]! - b * T;
      for (let j = 0; j < T; j++) {
        if (j > t || ((isImage(j) || NEVER_OUTPUT_IDS.has(rowIds[j]!)) && j !== t)) bias[r * T + j] = -1e9;
        else {
          back[r * T + j] = t - j;
          if (atLeast) atLeast.fill(1, (r * T + j) * depth, (r * T + j) * depth + matchLength(rowIds, isImage, t, j, depth));
        }
      }
    }
    const kb = transpose2d(tf.slice(k, [b * T, 0], [T, dc]));
    let scores = tf.add(mm(tf.slice(q, [start, 0], [mb, dc]) as tf.Tensor2D, kb), tf.tensor2d(bias, [mb, T]));
    if (atLeast) scores = tf.add(scores, tf.sum(tf.mul(tf.tensor3d(atLeast, [mb, T, depth]), mu!), -1));
    scoreRows.push(tf.sub(scores, tf.mul(slope, tf.tensor2d(back, [mb, T]))) as tf.Tensor2D);
    const oh = new Float32Array(T * V);
    for (let j = 0; j < T; j++) oh[j * V + ids[b * T + j]!] = 1;
    onehots.push([start, mb, tf.tensor2d(oh, [T, V])]);
    start = end;
  }
  if (start !== M) throw new Error('copyMixLogprobs: positions must be sorted by row');
  const attn = tf.softmax(scoreRows.length === 1 ? scoreRows[0]! : tf.concat(scoreRows, 0)) as tf.Tensor2D;
  const copied = onehots.map(([s, mb, oh]) => mm(onehots.length === 1 ? attn : (tf.slice(attn, [s, 0], [mb, T]) as tf.Tensor2D), oh));
  const copy = copied.length === 1 ? copied[0]! : tf.concat(copied, 0);
  const mixed = tf.add(tf.mul(gate, tf.softmax(vocabLogits)), tf.mul(tf.sub(1, gate), copy));
  return tf.log(tf.add(mixed, COPY_FLOOR)) as tf.Tensor2D;
}

/** A decoding row's copy memory: the key and id of each real position so far. */
export class CopyMemory {
  private keys: Float32Array;
  private ids: number[] = [];
  private image: boolean[] = [];
  private readonly dc: number;
  /** Scratch reused by mix (no allocation per row and token). */
  private expScratch = new Float64Array(0);
  private scoreScratch = new Float64Array(0);
  /** Per position: may be copied (not an image slot, not a never-output id), computed once in push. */
  private copyable: boolean[] = [];

  constructor(dc: number) {
    this.dc = dc;
    this.keys = new Float32Array(dc * 64);
  }

  get length(): number {
    return this.ids.length;
  }

  /** Appends one position: its key (dc floats from `src` at `offset`) and id; image slots are not copied (but see copyMixLogprobs). */
  push(src: Float32Array, offset: number, id: number, image = false): void {
    const n = this.ids.length;
    if ((n + 1) * this.dc > this.keys.length) {
      const grown = new Float32Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    this.keys.set(src.subarray(offset, offset + this.dc), n * this.dc);
    this.ids.push(id);
    this.image.push(image);
    this.copyable.push(!image && !NEVER_OUTPUT_IDS.has(id));
  }

  /**
   * log p [V] after the last pushed position, from the vocabulary logits (row `offset` of
   * `logits`), the query q (dc floats at `qOffset` of `src`, already scaled) and the gate's
   * pre-sigmoid value: the JS twin of copyMixLogprobs.
   */
  mix(logits: Float32Array, offset: number, V: number, src: Float32Array, qOffset: number, gateLogit: number, slope: number, matchCum: readonly number[] = [0]): Float32Array {
    const { dc, ids, keys } = this;
    const n = ids.length;
    const copyable = this.copyable;
    const allowed = (j: number) => copyable[j] || j === n - 1;
    const isImage = (k: number) => this.image[k]!;
    const depth = matchCum.length - 1;
    if (this.scoreScratch.length < n) this.scoreScratch = new Float64Array(Math.max(n, 2 * this.scoreScratch.length));
    const scores = this.scoreScratch;
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      if (!allowed(j)) continue;
      let s = 0;
      for (let c = 0; c < dc; c++) s += src[qOffset + c]! * keys[j * dc + c]!;
      s -= slope * (n - 1 - j);
      if (depth > 0) s += matchCum[matchLength(ids, isImage, n - 1, j, depth)]!;
      scores[j] = s;
      if (s > max) max = s;
    }
    // scores become exp(s − max), kept for the mixture below (each exponential once).
    let z = 0;
    for (let j = 0; j < n; j++) if (allowed(j)) z += scores[j] = Math.exp(scores[j]! - max);
    const gate = 1 / (1 + Math.exp(-gateLogit));
    let lmax = -Infinity;
    for (let v = 0; v < V; v++) lmax = Math.max(lmax, logits[offset + v]!);
    // Each exponential once (in double, as before: the same values as computing it twice).
    const ex = this.expScratch.length === V ? this.expScratch : (this.expScratch = new Float64Array(V));
    let lz = 0;
    for (let v = 0; v < V; v++) lz += ex[v] = Math.exp(logits[offset + v]! - lmax);
    const p = new Float32Array(V);
    for (let v = 0; v < V; v++) p[v] = (gate * ex[v]!) / lz;
    for (let j = 0; j < n; j++) if (allowed(j)) p[ids[j]!] += ((1 - gate) * scores[j]!) / z;
    for (let v = 0; v < V; v++) p[v] = Math.log(p[v]! + COPY_FLOOR);
    return p;
  }
}
