/**
 * The engine's own arithmetic ceiling on the active TF.js backend, for bench:policy: a big GEMM
 * (1024³, what the SFT step's throughput is compared with) and the matrix shapes of one decode
 * step at batch 1 (GEMV) and 64, each as one TF.js op on weights that stay the same (as
 * generation's do, so XNNPACK's packed-weight cache is warm). The small shapes include TF.js's
 * per-op dispatch: they show what a token costs when every projection is its own op. No Node
 * APIs (runs in the Chromium page too).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../src/model/config';

export interface Ceiling {
  /** GFLOP/s of tf.matMul 1024×1024 · 1024×1024. */
  gemm1024Gflops: number;
  /** GFLOP/s and µs per op of each decode-step shape, keyed `MxKxN` (M = batch rows). */
  decodeShapes: Record<string, { gflops: number; usPerOp: number }>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median seconds of f() over `reps` runs after one warm-up (f must finish its work: dataSync). */
function time(f: () => void, reps: number): number {
  f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    ts.push((performance.now() - t0) / 1000);
  }
  return median(ts);
}

function gemmSeconds(m: number, k: number, n: number, inner: number, reps: number): number {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  try {
    const s = time(() => {
      // `inner` ops per timing (small shapes): the sync at the end is paid once.
      const outs: tf.Tensor[] = [];
      for (let i = 0; i < inner; i++) outs.push(tf.matMul(a, b));
      outs[outs.length - 1]!.dataSync();
      tf.dispose(outs);
    }, reps);
    return s / inner;
  } finally {
    tf.dispose([a, b]);
  }
}

/** The GEMM ceiling and the decode shapes of `c` (qkv, out, fc, proj, output head) at batch 1 and 64. */
export function measureCeiling(c: ModelConfig): Ceiling {
  const big = gemmSeconds(1024, 1024, 1024, 1, 5);
  const d = c.dModel;
  const head = c.vocabSize + (c.copyHead ? 2 * (d / c.nHeads) + 1 : 0);
  const shapes: Array<[number, number]> = [[d, 3 * d], [d, d], [d, c.dFF], [c.dFF, d], [d, head]];
  const decodeShapes: Ceiling['decodeShapes'] = {};
  for (const m of [1, 64]) {
    for (const [k, n] of shapes) {
      const s = gemmSeconds(m, k, n, m === 1 ? 200 : 20, 5);
      decodeShapes[`${m}x${k}x${n}`] = { gflops: round((2 * m * k * n) / s / 1e9), usPerOp: round(s * 1e6) };
    }
  }
  return { gemm1024Gflops: round((2 * 1024 ** 3) / big / 1e9), decodeShapes };
}

const round = (x: number) => Math.round(x * 10) / 10;
