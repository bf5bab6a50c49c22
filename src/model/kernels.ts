/**
 * The policy's own TF.js kernels for the CPU-resident backends (WASM, CPU), written in JS over
 * the tensors' memory (on WASM: views of the module's heap, no copy).
 *
 * Why: decoding one token at batch 1 is bound by op dispatch, not arithmetic (≈ 185 ops per token,
 * issue 14). The inference-time LayerNorm (normalisation only, inference.ts) is 7 ops — mean, sub,
 * square, mean, add, rsqrt, mul — and runs 9 times per token (2 per layer + the final one): one
 * kernel instead saves 54 dispatches per token. Other backends (WebGPU, WebGL) keep the composed
 * ops. Inference only: no gradient is registered (training has its own LayerNorm, ops.ts).
 *
 * The arithmetic is float32 at every step (Math.fround), in the composed ops' order, so results
 * agree with them to a rounding step (tested in kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

export const NORMALIZE_ROWS = 'PvNormalizeRows';

type TensorInfo = tf.TensorInfo;
interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}
interface CpuLike {
  readSync(dataId: unknown): unknown;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo;
}

/** out = (x − mean) / sqrt(var + eps) per row of the last axis, float32 throughout. */
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

let registered = false;

/** Removes the kernels (tests and benchmarks compare with the composed ops); register again after. */
export function unregisterPolicyKernels(): void {
  if (!registered) return;
  registered = false;
  for (const backend of ['wasm', 'cpu']) tf.unregisterKernel(NORMALIZE_ROWS, backend);
}

/** Registers the kernels once (idempotent; the backends need not exist yet). */
export function registerPolicyKernels(): void {
  if (registered) return;
  registered = true;
  // WASM: views of the heap, taken after the allocation (growing the heap detaches older ones).
  const onWasm = (x: TensorInfo, b: WasmLike, eps: number) => {
    const out = b.makeOutput(x.shape, 'float32');
    normalizeRowsInto(b.typedArrayFromHeap(x), b.typedArrayFromHeap(out), rowLength(x), eps);
    return out;
  };
  const onCpu = (x: TensorInfo, b: CpuLike, eps: number) => {
    const xs = b.readSync(x.dataId) as Float32Array;
    const out = new Float32Array(xs.length);
    normalizeRowsInto(xs, out, rowLength(x), eps);
    return b.makeTensorInfo(x.shape, 'float32', out);
  };
  for (const [backendName, run] of [['wasm', onWasm], ['cpu', onCpu]] as const) {
    tf.registerKernel({
      kernelName: NORMALIZE_ROWS,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => (run as (x: TensorInfo, b: unknown, eps: number) => TensorInfo)((inputs as { x: TensorInfo }).x, backend, (attrs as { eps: number }).eps),
    });
  }
}

const rowLength = (x: TensorInfo) => x.shape[x.shape.length - 1]!;

/** Whether the active backend runs NORMALIZE_ROWS as one kernel. */
export function hasNormalizeKernel(): boolean {
  return tf.getKernel(NORMALIZE_ROWS, tf.getBackend()) !== undefined;
}
