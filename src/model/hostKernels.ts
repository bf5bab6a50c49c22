/**
 * The bodies of the policy's own kernels for the CPU-resident backends (WASM, CPU; registered by
 * kernels.ts). Each is written once against `Host`, a thin view of the backend: temporaries
 * allocated in the backend's memory, read and written as Float32Arrays (on WASM: views of the
 * heap, no copy), and the backend's own _FusedMatMul and Erf kernels called directly for the
 * matmuls (XNNPACK on WASM) and erf.
 *
 * Why: decoding is bound by op dispatch, not arithmetic (issue 14: ≈ 185 TF.js ops per token at
 * batch 1, ≈ 20 µs each through the engine). Calling a backend kernel function from inside a
 * kernel skips the engine (no tensor tracking, scopes or customGrad bookkeeping), the way the
 * backends compose their own kernels; the elementwise work (LayerNorm's normalisation, GELU,
 * residual adds, the attention of one query over the cache) is a few µs of JS. A whole decode
 * step is then one dispatch (decodeStepKernel).
 *
 * Views of the WASM heap are invalidated when the heap grows, which any allocation may do: every
 * view here is taken after the last allocation before its use.
 */
import * as tf from '@tensorflow/tfjs';
import type { HostKVCache } from './hostKvCache';

type TensorInfo = tf.TensorInfo;

export interface Host {
  alloc(shape: number[]): TensorInfo;
  /** The data of t; valid until the next allocation. */
  view(t: TensorInfo): Float32Array;
  /** a [rows, k] · w [k, n] + bias [n] → [rows, n], by the backend's _FusedMatMul. */
  linear(a: TensorInfo, w: TensorInfo, bias: TensorInfo): TensorInfo;
  erf(x: TensorInfo): TensorInfo;
  free(t: TensorInfo): void;
}

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: unknown): boolean;
  dataIdMap: { get(dataId: unknown): { id: number } };
  wasm: { HEAP32: Int32Array; _malloc(bytes: number): number; __FusedMatMul?: RawMatMul };
}
/** The C function behind the WASM backend's _FusedMatMul kernel (tfjs-backend-wasm 4.x, src/cc/kernels/_FusedMatMul.cc). */
type RawMatMul = (aId: number, aShape: number, aRank: number, bId: number, bShape: number, bRank: number, transA: number, transB: number, activation: number, biasId: number, preluId: number, alpha: number, outId: number) => void;
interface CpuLike {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo;
  data: { get(dataId: unknown): { values: unknown } };
  disposeData(dataId: unknown): boolean;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
/** The WASM host's pool of temporaries: at most this many blocks per size, and bytes in all. */
const POOL_PER_SIZE = 4;
const POOL_BYTES = 8 << 20;
const MATMUL_ATTRS = { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 };

/** The Host of a WASM or CPU backend instance. */
export function hostFor(backendName: 'wasm' | 'cpu', backend: unknown): Host {
  const matMul = tf.getKernel('_FusedMatMul', backendName)!.kernelFunc;
  const erf = tf.getKernel('Erf', backendName)!.kernelFunc;
  const f32 = (dataId: unknown, shape: number[]): TensorInfo => ({ dataId: dataId as object, shape, dtype: 'float32' });
  const base = {
    linear(a: TensorInfo, w: TensorInfo, bias: TensorInfo): TensorInfo {
      const [rows, k] = a.shape as [number, number];
      const n = w.shape[1]!;
      // Rank-3 views of the same data: the WASM kernel reads the batch layout from the shapes.
      const inputs = { a: f32(a.dataId, [1, rows, k]), b: f32(w.dataId, [1, k, n]), bias };
      const out = matMul({ inputs, backend: backend as tf.KernelBackend, attrs: MATMUL_ATTRS }) as TensorInfo;
      return f32(out.dataId, [rows, n]);
    },
    erf(x: TensorInfo): TensorInfo {
      const out = erf({ inputs: { x }, backend: backend as tf.KernelBackend, attrs: {} }) as TensorInfo;
      return f32(out.dataId, x.shape);
    },
  };
  if (backendName === 'wasm') {
    const b = backend as WasmLike;
    // Temporaries come from a small pool of registered heap blocks by size: a decode step makes
    // ≈ 30 of them, and each fresh one costs a malloc, a registration and a disposal (≈ 1–2 µs).
    const pool = new Map<number, TensorInfo[]>();
    let pooledBytes = 0;
    const alloc = (shape: number[]): TensorInfo => {
      const t = pool.get(size(shape))?.pop();
      if (!t) return b.makeOutput(shape, 'float32');
      pooledBytes -= 4 * size(shape);
      return f32(t.dataId, shape);
    };
    const free = (t: TensorInfo) => {
      const n = size(t.shape);
      const list = pool.get(n) ?? [];
      if (list.length >= POOL_PER_SIZE || pooledBytes + 4 * n > POOL_BYTES) return void b.disposeData(t.dataId);
      pool.set(n, list);
      list.push(t);
      pooledBytes += 4 * n;
    };
    const raw = b.wasm.__FusedMatMul;
    // The kernel's JS wrapper costs ≈ 3 µs per call (shape arrays, broadcast checks, argument
    // marshalling) against ≈ 5–20 µs of XNNPACK work at batch 1: call the C function directly,
    // with both shapes in one block of the heap allocated once. Same arguments, same result.
    const shapes = raw ? b.wasm._malloc(24) : 0;
    const linear = raw
      ? (a: TensorInfo, w: TensorInfo, bias: TensorInfo): TensorInfo => {
          const [rows, k] = a.shape as [number, number];
          const n = w.shape[1]!;
          const out = alloc([rows, n]);
          b.wasm.HEAP32.set([1, rows, k, 1, k, n], shapes >> 2); // after the allocation: the heap may have grown
          const id = (t: TensorInfo) => b.dataIdMap.get(t.dataId).id;
          raw(id(a), shapes, 3, id(w), shapes + 12, 3, 0, 0, 0 /* linear */, id(bias), 0, 0, id(out));
          return out;
        }
      : base.linear;
    return {
      ...base,
      linear,
      alloc,
      view: (t) => b.typedArrayFromHeap(f32(t.dataId, t.shape)),
      free,
    };
  }
  const b = backend as CpuLike;
  return {
    ...base,
    alloc: (shape) => b.makeTensorInfo(shape, 'float32', new Float32Array(size(shape))),
    view: (t) => b.data.get(t.dataId).values as Float32Array,
    free: (t) => void b.disposeData(t.dataId),
  };
}

/**
 * A WASM/CPU tensor's data in place, without the copy data() makes (a 280 kB allocation per
 * decode step at batch 64): valid until the next allocation in the backend.
 */
export function hostView(t: tf.Tensor): Float32Array {
  const name = tf.getBackend();
  if (t.dtype !== 'float32') throw new Error('hostView: float32 tensors only');
  if (name === 'wasm') return (tf.backend() as unknown as WasmLike).typedArrayFromHeap(t);
  if (name === 'cpu') return (tf.backend() as unknown as CpuLike).data.get(t.dataId).values as Float32Array;
  throw new Error(`hostView: ${name} is not a CPU-resident backend`);
}

/** out = (x − mean) / sqrt(var + eps) per row of the last axis, float32 at every step (the composed ops' order). */
export function normalizeRowsInto(x: Float32Array, out: Float32Array, rowLength: number, eps: number): void {
  const f = Math.fround;
  const n = rowLength;
  for (let r = 0; r * n < x.length; r++) {
    const o = r * n;
    let sum = 0;
    for (let i = 0; i < n; i++) sum = f(sum + x[o + i]!);
    const mean = f(sum / n);
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const c = f(x[o + i]! - mean);
      out[o + i] = c;
      sq = f(sq + f(c * c));
    }
    const scale = f(1 / f(Math.sqrt(f(f(sq / n) + eps))));
    for (let i = 0; i < n; i++) out[o + i] = f(out[o + i]! * scale);
  }
}

const lastDim = (t: TensorInfo) => t.shape[t.shape.length - 1]!;

export function normalizeKernel(h: Host, x: TensorInfo, eps: number): TensorInfo {
  const out = h.alloc(x.shape);
  normalizeRowsInto(h.view(x), h.view(out), lastDim(x), eps);
  return out;
}

/** normalize(x) · w + b (the final LayerNorm folded into the output head, inference.ts). */
export function normLinearKernel(h: Host, x: TensorInfo, w: TensorInfo, b: TensorInfo, eps: number): TensorInfo {
  const xn = normalizeKernel(h, x, eps);
  const out = h.linear(xn, w, b);
  h.free(xn);
  return out;
}

/** Σ_t tables[t][indices[t][i]] per output row i, summed left to right in float32 (as the composed adds). */
export function gatherRowsSumKernel(h: Host, tables: TensorInfo[], indices: Int32Array[]): TensorInfo {
  const n = indices[0]!.length;
  const width = tables[0]!.shape[1]!;
  const out = h.alloc([n, width]);
  const o = h.view(out);
  tables.forEach((t, k) => {
    const src = h.view(t);
    const idx = indices[k]!;
    if (idx.length !== n || t.shape[1] !== width) throw new Error('gatherRowsSum: tables and indices disagree');
    for (let r = 0; r < n; r++) {
      const s = idx[r]! * width;
      if (!(idx[r]! >= 0 && idx[r]! < t.shape[0]!)) throw new Error(`gatherRowsSum: index ${idx[r]} outside [0, ${t.shape[0]})`);
      if (k === 0) o.set(src.subarray(s, s + width), r * width);
      else for (let j = 0; j < width; j++) o[r * width + j] = o[r * width + j]! + src[s + j]!;
    }
  });
  return out;
}

export interface BlockInputs {
  x: TensorInfo;
  qkvW: TensorInfo;
  qkvB: TensorInfo;
  outW: TensorInfo;
  outB: TensorInfo;
  fcW: TensorInfo;
  fcB: TensorInfo;
  projW: TensorInfo;
  projB: TensorInfo;
}

/**
 * One decode step of one transformer block over the folded inference weights (inference.ts
 * inferenceBlock, the same arithmetic): x [B, d] → x [B, d], one query per row, attending over
 * (and appending to) `cache`'s layer `layer`.
 */
export function decodeBlockKernel(h: Host, w: BlockInputs, eps: number, cache: HostKVCache, layer: number): TensorInfo {
  const x = w.x;
  const [B, d] = x.shape as [number, number];
  const xn = normalizeKernel(h, x, eps);
  const qkv = h.linear(xn, w.qkvW, w.qkvB);
  h.free(xn);
  const o = h.alloc([B, d]);
  cache.attendStep(layer, h.view(qkv), h.view(o));
  h.free(qkv);
  const x1 = h.linear(o, w.outW, w.outB);
  h.free(o);
  addInto(h.view(x1), h.view(x));
  const x1n = normalizeKernel(h, x1, eps);
  const u = h.linear(x1n, w.fcW, w.fcB);
  h.free(x1n);
  // GELU with its constants folded into the weights (inference.ts): u · (1 + erf u).
  const e = h.erf(u);
  const uv = h.view(u);
  const ev = h.view(e);
  for (let i = 0; i < uv.length; i++) uv[i] = uv[i]! * Math.fround(ev[i]! + 1);
  h.free(e);
  const y = h.linear(u, w.projW, w.projB);
  h.free(u);
  addInto(h.view(y), h.view(x1));
  h.free(x1);
  return y;
}

export interface StepInputs {
  /** The embedding tables t0, t1, … (gatherRowsSumKernel); layer l's weights as `l${l}_qkvW` etc. (BlockInputs); the output head w, b. */
  [name: string]: TensorInfo;
}

/**
 * A whole decode step: the embedding rows summed, every block (decodeBlockKernel) and the
 * normalised output head: logits [B, N] for one new token per row.
 */
export function decodeStepKernel(h: Host, inputs: StepInputs, indices: Int32Array[], nLayers: number, eps: number, cache: HostKVCache): TensorInfo {
  let x = gatherRowsSumKernel(h, indices.map((_, k) => inputs[`t${k}`]!), indices);
  for (let l = 0; l < nLayers; l++) {
    const w = (name: string) => inputs[`l${l}_${name}`]!;
    const y = decodeBlockKernel(h, { x, qkvW: w('qkvW'), qkvB: w('qkvB'), outW: w('outW'), outB: w('outB'), fcW: w('fcW'), fcB: w('fcB'), projW: w('projW'), projB: w('projB') }, eps, cache, l);
    h.free(x);
    x = y;
  }
  const logits = normLinearKernel(h, x, inputs.w!, inputs.b!, eps);
  h.free(x);
  return logits;
}

/** a += b (a float32 store of a double sum of two float32s is the float32 sum). */
function addInto(a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + b[i]!;
}
