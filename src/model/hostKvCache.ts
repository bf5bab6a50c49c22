/**
 * The key/value cache of the fused decode path (WASM/CPU: hostKernels.ts), outside TF.js tensors.
 *
 * Why not tensors: TF.js tensors are immutable, so appending one slot per step to a tensor cache
 * means a concat (a copy of the whole cache) per layer and step, plus reshapes and splits around
 * it; and the WASM batched matmuls over [B, H, L, dh] are scalar loops. Here the cache is
 * preallocated (capacity doubles when full) and the decode kernel writes each step's key and
 * value in place and attends over them, in the same dispatch as the rest of the step.
 *
 * Layout per layer: keys and values both transposed, [B, H, dh, cap]: the attention of one
 * query then runs as loops over slots, four at a time: WebAssembly SIMD (attentionSimd.ts; the
 * arrays then live in its memory) or, where that is missing, JS loops blocked by four. Slots are
 * aligned across rows exactly as in KVCache (kvCache.ts): slot j of every row was written in the
 * same prefill or decode step, and `valid` marks holes. Holes get probability exactly 0, as with
 * KVCache's −1e9 bias (exp underflows to 0 there).
 *
 * Prefill (several positions per row) keeps the composed ops (cachedAttention, big matmuls): it
 * writes the chunk's keys and values here and builds the [B, H, L, ·] tensors it needs from
 * these arrays for that one call (a memcpy-like copy per layer and prefill, not per step).
 */
import * as tf from '@tensorflow/tfjs';
import { cachedAttention } from './attention';
import { simdAttention, type SimdAttention } from './attentionSimd';
import { chunkBias } from './kvCache';

export class HostKVCache {
  readonly B: number;
  readonly H: number;
  readonly dh: number;
  private cap = 0;
  private n = 0;
  private keys: Float32Array[];
  private values: Float32Array[];
  /** [B, cap]: 1 = a real position, 0 = a hole. */
  private valid = new Uint8Array(0);
  /** Scratch for one head's scores on the JS path (Float64: see attendStep). */
  private scores = new Float64Array(0);
  /**
   * The SIMD loops and, in their memory, their scratch (a query, the probabilities, a head's
   * output, the softmax's sum) and `bias` [B, cap]: 0 for a real slot, −∞ for a hole or a slot
   * not written yet (the softmax's mask; `valid` mirrored).
   */
  private simd: (SimdAttention & { q: Float32Array; p: Float32Array; o: Float32Array; z: Float32Array; bias: Float32Array }) | null = null;

  constructor(B: number, nLayers: number, H: number, dh: number) {
    this.B = B;
    this.H = H;
    this.dh = dh;
    this.keys = Array.from({ length: nLayers }, () => new Float32Array(0));
    this.values = Array.from({ length: nLayers }, () => new Float32Array(0));
  }

  get slots(): number {
    return this.n;
  }

  /** Grows every layer's arrays to hold `need` slots (doubling: amortised O(1) per step). */
  private ensure(need: number): void {
    if (need <= this.cap) return;
    // Doubling (amortised O(1) per step), with room for 64 decode steps after a first prefill;
    // whole SIMD lanes.
    const cap = Math.ceil(Math.max(need + 64, 2 * this.cap) / 4) * 4;
    const { B, H, dh, n } = this;
    const S = B * H * dh * cap;
    const tensors = 2 * this.keys.length;
    const scratch = 2 * dh + cap + 4 + B * cap;
    const simd = simdAttention(4 * (tensors * S + scratch));
    const buf = simd ? new Float32Array(simd.memory.buffer, 0, tensors * S + scratch) : null;
    const grow = (a: Float32Array, i: number) => {
      const out = buf ? buf.subarray(i * S, (i + 1) * S) : new Float32Array(S);
      for (let r = 0; r < B * H * dh; r++) out.set(a.subarray(r * this.cap, r * this.cap + n), r * cap);
      return out;
    };
    this.keys = this.keys.map((a, l) => grow(a, 2 * l));
    this.values = this.values.map((a, l) => grow(a, 2 * l + 1));
    const at = tensors * S;
    const part = (from: number, length: number) => buf!.subarray(at + from, at + from + length);
    this.simd = simd && buf ? { ...simd, q: part(0, dh), p: part(dh, cap), o: part(dh + cap, dh), z: part(2 * dh + cap, 1), bias: part(2 * dh + cap + 4, B * cap).fill(-Infinity) } : null;
    const valid = new Uint8Array(B * cap);
    for (let b = 0; b < B; b++) valid.set(this.valid.subarray(b * this.cap, b * this.cap + n), b * cap);
    this.valid = valid;
    if (this.simd) for (let i = 0; i < valid.length; i++) if (i % cap < n) this.simd.bias[i] = valid[i] ? 0 : -Infinity;
    this.scores = new Float64Array(cap);
    this.cap = cap;
  }

  /** KVCache's tail merge; here every slot is already in one block. */
  consolidate(): void {}

  /**
   * Attention of a prefill chunk (same contract as KVCache.attendChunk): q, k [B,H,Tq,dh] and
   * vT [B,H,dh,Tq] of the new slots; the keys and values are stored, then the composed
   * cachedAttention runs over tensors built from the stored slots.
   */
  attendChunk(layer: number, q: tf.Tensor4D, k: tf.Tensor4D, vT: tf.Tensor4D, chunkValid: number[][]): tf.Tensor4D {
    const { B, H, dh } = this;
    const Tq = q.shape[2];
    const old = this.n;
    const L = old + Tq;
    this.ensure(L);
    const cap = this.cap;
    const K = this.keys[layer]!;
    const V = this.values[layer]!;
    const kd = k.dataSync() as Float32Array; // a memcpy on WASM/CPU
    const vd = vT.dataSync() as Float32Array;
    const kAll = new Float32Array(B * H * L * dh);
    const vAll = new Float32Array(B * H * dh * L);
    for (let bh = 0; bh < B * H; bh++) {
      for (let c = 0; c < dh; c++) {
        const row = (bh * dh + c) * cap;
        for (let i = 0; i < Tq; i++) K[row + old + i] = kd[(bh * Tq + i) * dh + c]!;
        V.set(vd.subarray((bh * dh + c) * Tq, (bh * dh + c + 1) * Tq), row + old);
        for (let j = 0; j < L; j++) kAll[(bh * L + j) * dh + c] = K[row + j]!;
        vAll.set(V.subarray(row, row + L), (bh * dh + c) * L);
      }
    }
    const bias = chunkBias(B, Tq, old, (b, j) => this.valid[b * cap + j]!, chunkValid);
    return cachedAttention(q, tf.tensor4d(kAll, [B, H, L, dh]), tf.tensor4d(vAll, [B, H, dh, L]), tf.tensor4d(bias, [B, 1, Tq, L]));
  }

  /** Call after every layer ran attendChunk: the chunk's slots become part of the cache. */
  commitChunk(chunkValid: number[][]): void {
    const Tq = chunkValid[0]!.length;
    this.ensure(this.n + Tq);
    chunkValid.forEach((v, b) => v.forEach((x, i) => this.setValid(b * this.cap + this.n + i, x)));
    this.n += Tq;
  }

  /**
   * One decode step of one layer, in JS: qkv [B, 3d] (q columns pre-scaled by 1/√dh; the layout
   * of the fused qkv projection) → the heads' output `out` [B, d]. Writes this step's key and
   * value into slot `slots` of every row (a row that stopped gets a hole at commitStep), then
   * each query attends over its row's valid slots and the new one.
   * With SIMD the scores and the weighted sum are float32 sums (four partial sums, as XNNPACK
   * sums), the softmax double; on the JS path all of it runs in double and is rounded once on
   * output. decodeStep.test.ts compares both with the composed float32 ops.
   */
  attendStep(layer: number, qkv: Float32Array, out: Float32Array): void {
    this.ensure(this.n + 1);
    const { B, H, dh, n, cap, valid, scores } = this;
    const K = this.keys[layer]!;
    const V = this.values[layer]!;
    const d = H * dh;
    for (let b = 0; b < B; b++) {
      const vrow = b * cap;
      this.setValid(vrow + n, 1); // provisional: commitStep writes the real flag
      for (let h = 0; h < H; h++) {
        const base = (b * H + h) * dh * cap;
        const qo = b * 3 * d + h * dh;
        for (let c = 0; c < dh; c++) {
          K[base + c * cap + n] = qkv[qo + d + c]!;
          V[base + c * cap + n] = qkv[qo + 2 * d + c]!;
        }
        if (this.simd) {
          this.simdHead(qkv, qo, K, V, base, vrow, out, b * d + h * dh);
          continue;
        }
        scoresInto(scores, qkv, qo, K, base, cap, dh, n + 1);
        let max = -Infinity;
        for (let j = 0; j <= n; j++) if (valid[vrow + j] && scores[j]! > max) max = scores[j]!;
        let z = 0;
        for (let j = 0; j <= n; j++) z += scores[j] = valid[vrow + j] ? Math.exp(scores[j]! - max) : 0;
        weightedSumInto(out, b * d + h * dh, scores, 1 / z, V, base, cap, dh, n + 1);
      }
    }
  }

  /** One head of attendStep with the SIMD loops: scores, softmax and the weighted sum in WebAssembly. */
  private simdHead(qkv: Float32Array, qo: number, K: Float32Array, V: Float32Array, base: number, vrow: number, out: Float32Array, o: number): void {
    const { dh, n } = this;
    const s = this.simd!;
    const n4 = Math.ceil((n + 1) / 4) * 4;
    for (let c = 0; c < dh; c++) s.q[c] = qkv[qo + c]!;
    s.dots(s.q.byteOffset, K.byteOffset + 4 * base, this.cap, dh, n4, s.p.byteOffset);
    s.softmax(s.p.byteOffset, s.bias.byteOffset + 4 * vrow, 0, 0, n4, s.z.byteOffset);
    s.wsum(s.p.byteOffset, V.byteOffset + 4 * base, this.cap, dh, n4, s.o.byteOffset);
    const z = s.z[0]!;
    for (let c = 0; c < dh; c++) out[o + c] = s.o[c]! / z;
  }

  private setValid(i: number, v: number): void {
    this.valid[i] = v;
    if (this.simd) this.simd.bias[i] = v ? 0 : -Infinity;
  }

  /** Call after every layer ran attendStep: validPerRow[b] = 1 where row b fed a real token. */
  commitStep(validPerRow: number[]): void {
    validPerRow.forEach((v, b) => this.setValid(b * this.cap + this.n, v));
    this.n++;
  }

  dispose(): void {
    this.keys = this.keys.map(() => new Float32Array(0));
    this.values = this.values.map(() => new Float32Array(0));
    this.cap = this.n = 0;
    this.valid = new Uint8Array(0);
    this.simd = null;
  }
}

/**
 * scores[j] = q · k_j for slots j < n: q is dh floats of `q` at qo, k_j column j of the [dh, cap]
 * block at `base` of kT. Four slots per pass (register blocking: ≈ 2× the plain loop in V8).
 */
function scoresInto(scores: Float64Array, q: Float32Array, qo: number, kT: Float32Array, base: number, cap: number, dh: number, n: number): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let c = 0, row = base + j; c < dh; c++, row += cap) {
      const qc = q[qo + c]!;
      s0 += qc * kT[row]!;
      s1 += qc * kT[row + 1]!;
      s2 += qc * kT[row + 2]!;
      s3 += qc * kT[row + 3]!;
    }
    scores[j] = s0;
    scores[j + 1] = s1;
    scores[j + 2] = s2;
    scores[j + 3] = s3;
  }
  for (; j < n; j++) {
    let s0 = 0;
    for (let c = 0, row = base + j; c < dh; c++, row += cap) s0 += q[qo + c]! * kT[row]!;
    scores[j] = s0;
  }
}

/** out[o + c] = scale · Σ_{j < n} p[j] · vT[c, j] for the [dh, cap] block at `base`; four channels per pass. */
function weightedSumInto(out: Float32Array, o: number, p: Float64Array, scale: number, vT: Float32Array, base: number, cap: number, dh: number, n: number): void {
  let c = 0;
  for (; c + 4 <= dh; c += 4) {
    const r0 = base + c * cap;
    const r1 = r0 + cap;
    const r2 = r1 + cap;
    const r3 = r2 + cap;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let j = 0; j < n; j++) {
      const pj = p[j]!;
      a0 += pj * vT[r0 + j]!;
      a1 += pj * vT[r1 + j]!;
      a2 += pj * vT[r2 + j]!;
      a3 += pj * vT[r3 + j]!;
    }
    out[o + c] = a0 * scale;
    out[o + c + 1] = a1 * scale;
    out[o + c + 2] = a2 * scale;
    out[o + c + 3] = a3 * scale;
  }
  for (; c < dh; c++) {
    let a0 = 0;
    for (let j = 0; j < n; j++) a0 += p[j]! * vT[base + c * cap + j]!;
    out[o + c] = a0 * scale;
  }
}
