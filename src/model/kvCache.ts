/**
 * The key/value cache of a batch of rows that decode together.
 *
 * Layout per layer: keys k [B, H, L, dh] and values transposed, vT [B, H, dh, L]. Decoding uses
 * batched matmuls q·kᵀ and p·(vT)ᵀ, both with transposeB: the WASM batched matmul is a naive loop
 * that is fastest when both operands are read along contiguous rows (measured: q·kᵀ with this k
 * layout 2.6× faster than with pre-transposed keys; p·vTᵀ 1.6× faster than p·v). Slots are aligned across rows: slot j of every
 * row was written in the same prefill or decode step. Rows advance unevenly (ragged prompts and
 * observations, rows that stopped early), so each row has a CPU-side validity mask; invalid slots
 * (holes) get a −1e9 attention bias, and every row has its own position counter.
 *
 * Appending one slot per decode step to big [B, H, L, ·] tensors would copy the whole cache each
 * step (TF.js tensors are immutable). With a big cache the new slots go to a small "tail" block
 * that is merged into the main block every TAIL_SLOTS steps; attention then runs over both blocks
 * (scores concatenated before the softmax). With a small cache (batch 1) one block is cheaper:
 * fewer ops per step.
 */
import * as tf from '@tensorflow/tfjs';
import { cachedAttention } from './attention';

const TAIL_SLOTS = 32;
/** Main-block size (elements per layer and tensor) from which a separate tail pays off. */
const TAIL_THRESHOLD = 1 << 18;
export const MASKED = -1e9;

/**
 * The additive bias [B·Tq·L] of a prefill chunk of Tq slots after `old` cached ones (L = old + Tq):
 * each new query sees the valid old slots and the valid new slots up to itself.
 */
export function chunkBias(B: number, Tq: number, old: number, isValid: (b: number, j: number) => number, chunkValid: number[][]): Float32Array {
  const L = old + Tq;
  const bias = new Float32Array(B * Tq * L);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Tq; i++) {
      const row = (b * Tq + i) * L;
      for (let j = 0; j < old; j++) if (!isValid(b, j)) bias[row + j] = MASKED;
      for (let j = 0; j < Tq; j++) if (j > i || !chunkValid[b]![j]) bias[row + old + j] = MASKED;
    }
  }
  return bias;
}

interface LayerCache {
  k: tf.Tensor4D | null;
  /** Values transposed: [B, H, dh, L]. */
  v: tf.Tensor4D | null;
  tailK: tf.Tensor4D | null;
  tailV: tf.Tensor4D | null;
}

export class KVCache {
  readonly B: number;
  readonly H: number;
  readonly dh: number;
  private readonly layers: LayerCache[];
  /** Per row, per slot: 1 = a real position, 0 = a hole. Covers main + tail slots. */
  private readonly valid: number[][];
  /** Slots in the main block. */
  private mainSlots = 0;
  private tailSlots = 0;
  /** Bias [B, 1, 1, mainSlots] for the main block's holes (built lazily). */
  private mainBias: tf.Tensor4D | null | undefined = undefined;

  constructor(B: number, nLayers: number, H: number, dh: number) {
    this.B = B;
    this.H = H;
    this.dh = dh;
    this.layers = Array.from({ length: nLayers }, () => ({ k: null, v: null, tailK: null, tailV: null }));
    this.valid = Array.from({ length: B }, () => []);
  }

  get slots(): number {
    return this.mainSlots + this.tailSlots;
  }

  /** Real positions in row b (its next position id). */
  rowLength(b: number): number {
    let n = 0;
    for (const x of this.valid[b]!) n += x;
    return n;
  }

  /** Marks the slots of a step: valid[b] says whether row b's slot holds a real position. */
  addSlots(validPerRow: number[][]): void {
    validPerRow.forEach((v, b) => this.valid[b]!.push(...v));
  }

  /** Marks the last written slot of row b as a hole (a row that had stopped still gets a slot). */
  invalidateLast(b: number): void {
    const v = this.valid[b]!;
    if (v.length) v[v.length - 1] = 0;
  }

  /** Moves tail slots into the main block (before a prefill, or when the tail is full). */
  consolidate(): void {
    if (this.tailSlots === 0) return;
    for (const l of this.layers) {
      const k = l.k ? tf.concat([l.k, l.tailK!], 2) : l.tailK!;
      const v = l.v ? tf.concat([l.v, l.tailV!], 3) : l.tailV!;
      if (l.k) {
        l.k.dispose();
        l.v!.dispose();
        l.tailK!.dispose();
        l.tailV!.dispose();
      }
      l.k = tf.keep(k) as tf.Tensor4D; // may run inside a caller's tidy
      l.v = tf.keep(v) as tf.Tensor4D;
      l.tailK = null;
      l.tailV = null;
    }
    this.mainSlots += this.tailSlots;
    this.tailSlots = 0;
    this.resetBias();
  }

  /**
   * Additive bias [B, 1, 1, mainSlots] from the validity masks, or null when the main block has
   * no hole (batch 1, equal-length rows): then no bias op runs at all. Kept until the block changes.
   */
  private biasForMain(): tf.Tensor4D | null {
    if (this.mainBias === undefined) {
      let holes = false;
      const data = new Float32Array(this.B * this.mainSlots);
      for (let b = 0; b < this.B; b++) {
        for (let j = 0; j < this.mainSlots; j++) {
          if (!this.valid[b]![j]) {
            data[b * this.mainSlots + j] = MASKED;
            holes = true;
          }
        }
      }
      this.mainBias = holes ? tf.keep(tf.tensor4d(data, [this.B, 1, 1, this.mainSlots])) : null;
    }
    return this.mainBias;
  }

  private resetBias(): void {
    this.mainBias?.dispose();
    this.mainBias = undefined;
  }

  /**
   * Attention of a prefill chunk: k [B,H,Tq,dh] and vT [B,H,dh,Tq] of the new slots are appended
   * (to the main block: call consolidate() first); `chunkValid[b][i]` says whether new slot i of
   * row b is real. Each new query sees the valid old slots and the valid new slots up to itself.
   */
  attendChunk(layer: number, q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, chunkValid: number[][]): tf.Tensor4D {
    const l = this.layers[layer]!;
    const Tq = q.shape[2];
    const old = this.mainSlots;
    const L = old + Tq;
    const bias = chunkBias(this.B, Tq, old, (b, j) => this.valid[b]![j]!, chunkValid);
    const newK = l.k ? tf.concat([l.k, k], 2) : tf.clone(k);
    const newV = l.v ? tf.concat([l.v, v], 3) : tf.clone(v);
    const out = cachedAttention(q, newK as tf.Tensor4D, newV as tf.Tensor4D, tf.tensor4d(bias, [this.B, 1, Tq, L]));
    l.k?.dispose();
    l.v?.dispose();
    l.k = tf.keep(newK) as tf.Tensor4D;
    l.v = tf.keep(newV) as tf.Tensor4D;
    return out;
  }

  /** Call after every layer ran attendChunk: the chunk's slots become part of the main block. */
  commitChunk(chunkValid: number[][]): void {
    this.addSlots(chunkValid);
    this.mainSlots += chunkValid[0]!.length;
    this.resetBias();
  }

  /** Attention of one decode step: q and the new k [B,H,1,dh], the new vT [B,H,dh,1]. */
  attendStep(layer: number, q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D): tf.Tensor4D {
    const l = this.layers[layer]!;
    const useTail = l.k !== null && l.k.size >= TAIL_THRESHOLD;
    if (!useTail) {
      const main = this.mainSlots ? this.biasForMain() : null;
      const bias = main ? tf.concat([main, tf.zeros([this.B, 1, 1, 1])], 3) : null;
      const newK = l.k ? tf.concat([l.k, k], 2) : tf.clone(k);
      const newV = l.v ? tf.concat([l.v, v], 3) : tf.clone(v);
      const out = cachedAttention(q, newK as tf.Tensor4D, newV as tf.Tensor4D, bias);
      l.k?.dispose();
      l.v?.dispose();
      l.k = tf.keep(newK) as tf.Tensor4D;
      l.v = tf.keep(newV) as tf.Tensor4D;
      return out;
    }
    const tailK = l.tailK ? tf.concat([l.tailK, k], 2) : tf.clone(k);
    const tailV = l.tailV ? tf.concat([l.tailV, v], 3) : tf.clone(v);
    l.tailK?.dispose();
    l.tailV?.dispose();
    l.tailK = tf.keep(tailK) as tf.Tensor4D;
    l.tailV = tf.keep(tailV) as tf.Tensor4D;
    // Tail slots are real for every row still decoding; rows that stopped are never read again
    // before consolidate() rebuilds the bias from the validity masks.
    const main = this.biasForMain();
    const mainScores = tf.matMul(q, l.k!, false, true);
    const scores = tf.concat([main ? tf.add(mainScores, main) : mainScores, tf.matMul(q, l.tailK, false, true)], 3);
    const p = tf.softmax(scores);
    const [pMain, pTail] = tf.split(p, [this.mainSlots, l.tailK.shape[2]], 3);
    return tf.add(tf.matMul(pMain!, l.v!, false, true), tf.matMul(pTail!, l.tailV, false, true)) as tf.Tensor4D;
  }

  /** Call after every layer ran attendStep. */
  commitStep(validPerRow: number[]): void {
    const usedTail = this.layers[0]!.tailK !== null;
    this.addSlots(validPerRow.map((x) => [x]));
    if (usedTail) {
      this.tailSlots++;
      if (this.tailSlots >= TAIL_SLOTS) this.consolidate();
    } else {
      this.mainSlots++;
      // Still no hole when every row wrote a real slot: skip rescanning the masks.
      if (!(this.mainBias === null && validPerRow.every((v) => v))) this.resetBias();
    }
  }

  dispose(): void {
    for (const l of this.layers) {
      for (const t of [l.k, l.v, l.tailK, l.tailV]) t?.dispose();
      l.k = l.v = l.tailK = l.tailV = null;
    }
    this.resetBias();
  }
}
