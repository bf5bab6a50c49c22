/**
 * The few tensor building blocks the model needs, written so that every forward AND backward op
 * has a kernel on the WASM backend (PLATFORM.md: WASM lacks UnsortedSegmentSum, which tf.gather's
 * gradient uses, and Einsum), and with as few ops as possible: at decode time the per-op
 * overhead of TF.js, not arithmetic, is what costs.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Inside `inferenceMode`, the ops below skip their tf.customGrad wrappers, whose bookkeeping
 * costs more than the math at decode sizes (a [64,128] LayerNorm: 0.7 ms with, 0.17 ms
 * without). Only for code that never takes gradients (generation); synchronous by design.
 */
let inference = false;
export function inferenceMode<T>(f: () => T): T {
  const before = inference;
  inference = true;
  try {
    return f();
  } finally {
    inference = before;
  }
}

/** tf.customGrad's typing wants one signature for all arities; ours are checked at the call. */
type CustomGrad = Parameters<typeof tf.customGrad>[0];

/**
 * Rows of `table` at `indices` (an embedding lookup). Gradient: a scatter-add, which tf.gather's
 * own gradient does with UnsortedSegmentSum, a kernel the WASM backend lacks. On WASM/CPU both
 * directions run in JS over the downloaded data (memcpys there) when the output is big: the C++
 * Gather and ScatterNd kernels copy element by element (~20 ms for 2048 rows of 128). Otherwise:
 * tf.gather forward, tf.scatterND (which sums duplicates on every backend) backward.
 */
export function gatherRows(table: tf.Tensor2D, indices: Int32Array | number[]): tf.Tensor2D {
  const n = indices.length;
  const idx = indices instanceof Int32Array ? indices : Int32Array.from(indices);
  const [rows, width] = table.shape;
  for (const i of idx) if (!(i >= 0 && i < rows)) throw new Error(`gatherRows: index ${i} outside [0, ${rows})`);
  // The JS path downloads the whole table: worth it only when the output is big too.
  const onCpu = cpuResident() && n * width >= 16_384;
  if (inference) return onCpu ? jsGather(table, idx) : tf.gather(table, idx);
  // Tensors the gradient needs must go through save(): the forward pass runs in its own tidy.
  const rowsOf = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
    const flat = tf.tensor1d(idx, 'int32');
    save([flat]);
    return {
      value: onCpu ? jsGather(t as tf.Tensor2D, idx) : tf.gather(t, flat),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        if (!onCpu) return tf.scatterND(tf.reshape(saved[0]!, [n, 1]), dy, t.shape);
        const g = dy.dataSync() as Float32Array;
        const out = new Float32Array(rows * width);
        for (let r = 0; r < n; r++) {
          const dst = idx[r]! * width;
          const src = r * width;
          for (let j = 0; j < width; j++) out[dst + j] += g[src + j]!;
        }
        return tf.tensor2d(out, [rows, width]);
      },
    };
  }) as CustomGrad);
  return rowsOf(table) as tf.Tensor2D;
}

function jsGather(table: tf.Tensor2D, idx: Int32Array): tf.Tensor2D {
  const width = table.shape[1];
  const src = table.dataSync() as Float32Array;
  const out = new Float32Array(idx.length * width);
  idx.forEach((i, r) => out.set(src.subarray(i * width, i * width + width), r * width));
  return tf.tensor2d(out, [idx.length, width]);
}

/** Backends whose tensors live in CPU memory: dataSync() there is a memcpy, not a GPU readback. */
export function cpuResident(): boolean {
  const b = tf.getBackend();
  return b === 'wasm' || b === 'cpu';
}

/**
 * LayerNorm over the last axis with a hand-written gradient: ~11 backward ops instead of the
 * ~20 that differentiating the 9-op forward would record.
 */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  const d = x.shape[1];
  if (inference) {
    const xc = tf.sub(x, tf.mean(x, -1, true));
    return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps))), gamma), beta);
  }
  const ln = tf.customGrad(((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const mean = tf.mean(xi, -1, true);
    const xc = tf.sub(xi, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps));
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dxhat = tf.mul(dy, gg);
        // dx = rstd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat))
        const m1 = tf.mean(dxhat, -1, true);
        const m2 = tf.mean(tf.mul(dxhat, xh), -1, true);
        const dx = tf.mul(rs, tf.sub(tf.sub(dxhat, m1), tf.mul(xh, m2)));
        return [dx, sumRows(tf.mul(dy, xh)), sumRows(dy)];
      },
    };
  }) as CustomGrad);
  return tf.reshape(ln(x, gamma, beta), [-1, d]) as tf.Tensor2D;
}

/** Exact GELU (PyTorch's default): x/2 · (1 + erf(x/√2)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/**
 * [r, c] → [c, r]. On WASM/CPU a blocked JS transpose over the downloaded data (a memcpy there)
 * is ~4× faster than the Transpose kernel's per-element loop for big matrices. That path builds
 * a new tensor from the data, which cuts the gradient tape, so it carries its own gradient (the
 * transpose of dy). Without it the tied output head (h·Eᵀ, E = tok_emb [V, d]) and the copy head's
 * keys for rows of ≥ 512 tokens got no gradient on WASM/CPU, while WebGPU/WebGL computed it: found
 * by the WebGPU parity test (webgpu.test.ts), where tok_emb's gradient differed by 60 %.
 */
export function transpose2d(x: tf.Tensor): tf.Tensor2D {
  if (x.size < 16_384 || !cpuResident()) return tf.transpose(x) as tf.Tensor2D;
  if (inference) return jsTranspose(x);
  const f = tf.customGrad(((xi: tf.Tensor) => ({
    value: jsTranspose(xi),
    gradFunc: (dy: tf.Tensor) => jsTranspose(dy),
  })) as CustomGrad);
  return f(x) as tf.Tensor2D;
}

function jsTranspose(x: tf.Tensor): tf.Tensor2D {
  const [r, c] = x.shape as [number, number];
  const src = x.dataSync() as Float32Array;
  const out = new Float32Array(src.length);
  const TILE = 32;
  for (let i0 = 0; i0 < r; i0 += TILE) {
    const i1 = Math.min(r, i0 + TILE);
    for (let j0 = 0; j0 < c; j0 += TILE) {
      const j1 = Math.min(c, j0 + TILE);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * r + i] = src[i * c + j]!;
    }
  }
  return tf.tensor2d(out, [c, r]);
}

/**
 * Column sums of [r, c] → [c] (bias gradients). The WASM Sum kernel only reduces the innermost
 * axis fast; over axis 0 it transposes first (~10 ms for [2048, 512]); a JS loop over the
 * downloaded data takes ~1 ms.
 */
export function sumRows(x: tf.Tensor): tf.Tensor1D {
  if (x.rank !== 2 || !cpuResident()) return tf.sum(x, 0) as tf.Tensor1D;
  const [r, c] = x.shape as [number, number];
  const src = x.dataSync() as Float32Array;
  const out = new Float32Array(c);
  for (let i = 0; i < r; i++) {
    const row = i * c;
    for (let j = 0; j < c; j++) out[j] += src[row + j]!;
  }
  return tf.tensor1d(out);
}

/**
 * Log-probabilities of `targets` under softmax(logits) [N, V] → [N], with the classic fused
 * gradient d/dz = dy · (onehot − softmax): cheaper than differentiating logSumExp (whose max
 * gradient builds an [N, V] equality mask).
 */
export function targetLogprobs(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const V = logits.shape[1];
  const f = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
    const max = tf.max(z, -1, true);
    const lse = tf.add(tf.log(tf.sum(tf.exp(tf.sub(z, max)), -1, true)), max);
    const onehot = tf.oneHot(targets, V);
    save([z, lse, onehot]);
    return {
      value: tf.sub(tf.sum(tf.mul(z, onehot), -1), tf.reshape(lse, [-1])),
      gradFunc: (dy: tf.Tensor, [sz, slse, soh]: tf.Tensor[]) => tf.mul(tf.sub(soh!, tf.exp(tf.sub(sz!, slse!))), tf.reshape(dy, [-1, 1])),
    };
  }) as CustomGrad);
  return f(logits) as tf.Tensor1D;
}

/**
 * 2-D matmul a·b whose gradient uses only non-transposed 2-D matmuls. Measured on the WASM
 * backend: a plain [N,k]·[k,m] matmul runs on XNNPACK (~20 GFLOP/s on one core), while any
 * transposed or batched BatchMatMul takes a naive path 10–50× slower; tf.matMul's own gradient
 * uses the transposed forms, so it is replaced by explicit transposes (cheap: O(N·k)).
 */
export function mm(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (inference) return tf.matMul(a, b);
  const f = tf.customGrad(((x: tf.Tensor, y: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, y]);
    return {
      value: tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, [sx, sy]: tf.Tensor[]) => [
        tf.matMul(dy as tf.Tensor2D, transpose2d(sy!)),
        tf.matMul(transpose2d(sx!), dy as tf.Tensor2D),
      ],
    };
  }) as CustomGrad);
  return f(a, b) as tf.Tensor2D;
}

/** x·W + b: one fused kernel forward; gradient with non-transposed matmuls (see mm). */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (inference) return tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
  const f = tf.customGrad(((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xi, wi]);
    return {
      value: tf.fused.matMul({ a: xi as tf.Tensor2D, b: wi as tf.Tensor2D, bias: bi }),
      gradFunc: (dy: tf.Tensor, [sx, sw]: tf.Tensor[]) => [
        tf.matMul(dy as tf.Tensor2D, transpose2d(sw!)),
        tf.matMul(transpose2d(sx!), dy as tf.Tensor2D),
        sumRows(dy),
      ],
    };
  }) as CustomGrad);
  return f(x, w, b) as tf.Tensor2D;
}

/** Inverted dropout; identity when rate is 0 (no random ops recorded). */
export function dropout(x: tf.Tensor, rate: number, seed: number | undefined): tf.Tensor {
  return rate > 0 ? tf.dropout(x, rate, undefined, seed) : x;
}
