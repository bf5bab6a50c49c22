/**
 * Multi-head attention shaped around the WASM backend's fast and slow paths (measured on this
 * VM, single-threaded XNNPACK):
 * - fast: non-transposed 2-D matmuls (~10–20 GFLOP/s), elementwise ops, softmax, concat, and
 *   dataSync()/tensor() (plain memcpys, the tensors live in the WASM heap);
 * - slow: batched or transposed BatchMatMul (a naive loop, ~0.6–1.5 GFLOP/s), 2-D transposes
 *   (~20 ns per element), and Slice/Split/Unstack, which copy the WHOLE source tensor for every
 *   slice taken (cutting 16 heads out of one big tensor costs 16 full copies).
 * So training cuts the heads out of the qkv projection in JS and runs each head with its own
 * 2-D matmuls and a hand-written backward pass; decoding (one query per row) uses batched
 * matmuls, whose slow path is cheap at that size.
 */
import * as tf from '@tensorflow/tfjs';
import { cpuResident } from './ops';

type CustomGrad = Parameters<typeof tf.customGrad>[0];

export interface HeadLayout {
  B: number;
  T: number;
  H: number;
  dh: number;
}

/**
 * Causal self-attention over whole rows for training: qkv [B·T, 3d] (from one linear layer, q
 * columns pre-scaled by 1/√dh) → the heads' output [B·T, d]. `mask` is the additive [T, T] causal
 * mask. Differentiable. On WASM/CPU the heads are cut out of qkv in JS (one memcpy-like
 * download, then per-head q, kᵀ, v arrays) and each head runs its own fast 2-D matmuls; GPU
 * backends use plain batched matmuls instead.
 */
export function causalSelfAttention(qkv: tf.Tensor2D, layout: HeadLayout, mask: tf.Tensor2D): tf.Tensor2D {
  return cpuResident() ? headwiseAttention(qkv, layout, mask) : batchedAttention(qkv, layout, mask);
}

/** GPU form: [B, H, T, dh] batched matmuls, gradients by autodiff. */
function batchedAttention(qkv: tf.Tensor2D, { B, T, H, dh }: HeadLayout, mask: tf.Tensor2D): tf.Tensor2D {
  const heads = tf.transpose(tf.reshape(qkv, [B, T, 3 * H, dh]), [0, 2, 1, 3]);
  const [q, k, v] = tf.split(heads, 3, 1);
  const p = tf.softmax(tf.add(tf.matMul(q!, k!, false, true), mask));
  return tf.reshape(tf.transpose(tf.matMul(p, v!), [0, 2, 1, 3]), [B * T, H * dh]);
}

/** Copies head (b, h) of block `which` (0 q, 1 k, 2 v) out of qkv data [B·T, 3d], optionally transposed. */
function cutHead(data: Float32Array, { T, H, dh }: HeadLayout, b: number, h: number, which: number, transposed: boolean): Float32Array {
  const d3 = 3 * H * dh;
  const col0 = which * H * dh + h * dh;
  const out = new Float32Array(T * dh);
  for (let t = 0; t < T; t++) {
    const src = (b * T + t) * d3 + col0;
    if (transposed) for (let c = 0; c < dh; c++) out[c * T + t] = data[src + c]!;
    else out.set(data.subarray(src, src + dh), t * dh);
  }
  return out;
}

/** Adds a head's gradient [T, dh] (or [dh, T] when transposed) into dqkv [B·T, 3d]. */
function putHead(dqkv: Float32Array, g: Float32Array, { T, H, dh }: HeadLayout, b: number, h: number, which: number, transposed: boolean): void {
  const d3 = 3 * H * dh;
  const col0 = which * H * dh + h * dh;
  for (let t = 0; t < T; t++) {
    const dst = (b * T + t) * d3 + col0;
    if (transposed) for (let c = 0; c < dh; c++) dqkv[dst + c] = g[c * T + t]!;
    else dqkv.set(g.subarray(t * dh, t * dh + dh), dst);
  }
}

/**
 * WASM/CPU form. Per head: P = softmax(q·kᵀ + mask), O = P·v, and by hand backward
 *   dP = dO·vᵀ,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),  dq = dS·k,  dkᵀ = qᵀ·dS,  dvᵀ = dOᵀ·P,
 * every product a non-transposed 2-D matmul whose operands were laid out in JS.
 */
function headwiseAttention(qkv: tf.Tensor2D, layout: HeadLayout, mask: tf.Tensor2D): tf.Tensor2D {
  const { B, T, H, dh } = layout;
  const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const data = x.dataSync() as Float32Array; // CPU-side copy, kept for the backward pass
    const probs: tf.Tensor2D[] = [];
    const rows: tf.Tensor[] = [];
    for (let b = 0; b < B; b++) {
      const outs: tf.Tensor[] = [];
      for (let h = 0; h < H; h++) {
        const q = tf.tensor2d(cutHead(data, layout, b, h, 0, false), [T, dh]);
        const kT = tf.tensor2d(cutHead(data, layout, b, h, 1, true), [dh, T]);
        const v = tf.tensor2d(cutHead(data, layout, b, h, 2, false), [T, dh]);
        const p = tf.softmax(tf.add(tf.matMul(q, kT), mask)) as tf.Tensor2D;
        probs.push(p);
        outs.push(tf.matMul(p, v));
      }
      rows.push(H === 1 ? outs[0]! : tf.concat(outs, 1));
    }
    save(probs);
    return {
      value: B === 1 ? rows[0]! : tf.concat(rows, 0),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = dy.dataSync() as Float32Array;
        const dqkv = new Float32Array(data.length);
        // dO has the layout of one third of qkv: view it as a [B·T, d] "q block".
        const gview = { data: g, d3: H * dh };
        for (let b = 0; b < B; b++) {
          for (let h = 0; h < H; h++) {
            const p = saved[b * H + h] as tf.Tensor2D;
            const dO = tf.tensor2d(cutRows(gview, layout, b, h, false), [T, dh]);
            const dOT = tf.tensor2d(cutRows(gview, layout, b, h, true), [dh, T]);
            const vT = tf.tensor2d(cutHead(data, layout, b, h, 2, true), [dh, T]);
            const dP = tf.matMul(dO, vT);
            const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true))) as tf.Tensor2D;
            const k = tf.tensor2d(cutHead(data, layout, b, h, 1, false), [T, dh]);
            const qT = tf.tensor2d(cutHead(data, layout, b, h, 0, true), [dh, T]);
            putHead(dqkv, tf.matMul(dS, k).dataSync() as Float32Array, layout, b, h, 0, false);
            putHead(dqkv, tf.matMul(qT, dS).dataSync() as Float32Array, layout, b, h, 1, true);
            putHead(dqkv, tf.matMul(dOT, p).dataSync() as Float32Array, layout, b, h, 2, true);
          }
        }
        return tf.tensor2d(dqkv, [B * T, 3 * H * dh]);
      },
    };
  }) as CustomGrad);
  return f(qkv) as tf.Tensor2D;
}

/** Head (b, h) of a [B·T, d] gradient, as [T, dh] or transposed [dh, T]. */
function cutRows(g: { data: Float32Array; d3: number }, { T, dh }: HeadLayout, b: number, h: number, transposed: boolean): Float32Array {
  const out = new Float32Array(T * dh);
  for (let t = 0; t < T; t++) {
    const src = (b * T + t) * g.d3 + h * dh;
    if (transposed) for (let c = 0; c < dh; c++) out[c * T + t] = g.data[src + c]!;
    else out.set(g.data.subarray(src, src + dh), t * dh);
  }
  return out;
}

/**
 * Inference attention of Tq new positions per row over a KV cache (no gradient).
 * q [B, H, Tq, dh]; k [B, H, L, dh]; vT [B, H, dh, L]; bias broadcastable to [B, 1, Tq, L]
 * (causality inside the chunk and holes in the cache), or null for a single position with no
 * hole to mask. With few (row, head) pairs the heads run as fast 2-D matmuls on slices (cheap:
 * the sources are small); otherwise batched matmuls (slow path, but bounded by the rows' sizes,
 * and decoding has Tq = 1).
 */
export function cachedAttention(q: tf.Tensor4D, k: tf.Tensor4D, vT: tf.Tensor4D, bias: tf.Tensor | null): tf.Tensor4D {
  const [B, H, Tq, dh] = q.shape;
  const L = k.shape[2];
  if (Tq === 1 || B * H > 8) {
    const scores = tf.matMul(q, k, false, true);
    return tf.matMul(tf.softmax(bias ? tf.add(scores, bias) : scores), vT, false, true);
  }
  if (!bias) throw new Error('cachedAttention: a chunk of several positions needs its causal bias');
  const qf = tf.reshape(q, [B * H * Tq, dh]);
  const kf = tf.reshape(k, [B * H * L, dh]);
  const vTf = tf.reshape(vT, [B * H * dh, L]);
  const bias4 = tf.broadcastTo(bias, [B, 1, Tq, L]);
  const outs: tf.Tensor[] = [];
  for (let b = 0; b < B; b++) {
    const rowBias = tf.reshape(tf.slice(bias4, [b, 0, 0, 0], [1, 1, Tq, L]), [Tq, L]);
    for (let h = 0; h < H; h++) {
      const i = b * H + h;
      const kT = tf.transpose(tf.slice(kf, [i * L, 0], [L, dh]));
      const v = tf.transpose(tf.slice(vTf, [i * dh, 0], [dh, L]));
      const scores = tf.matMul(tf.slice(qf, [i * Tq, 0], [Tq, dh]), kT);
      outs.push(tf.matMul(tf.softmax(tf.add(scores, rowBias)), v));
    }
  }
  return tf.reshape(tf.stack(outs), [B, H, Tq, dh]);
}
