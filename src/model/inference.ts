/**
 * Inference-only forms of the model's weights and blocks (prefill and decoding; never trained).
 *
 * Decoding one token at batch 1 is bound by the number of TF.js ops, not by arithmetic, so the
 * weights are rewritten once into an equivalent form that needs fewer ops per step:
 * - LayerNorm's gain/bias fold into the next matmul: LN(x)·W + b = x̂·(diag(γ)W) + (βW + b),
 *   so only the normalisation x̂ = (x − μ)/σ is left (7 ops instead of 9);
 * - 1/√dh folds into the q columns of the qkv projection;
 * - exact GELU's constants fold into the MLP: with u = x/√2 (fc scaled by 1/√2),
 *   GELU(x)·W = (u·(1 + erf u))·(W/√2): 3 ops instead of 5.
 * The rewritten weights are cached on the model and rebuilt only when a parameter changed
 * (TF.js gives a variable a new dataId on every assign), which also keeps XNNPACK's packed
 * weight cache warm across generate calls.
 */
import * as tf from '@tensorflow/tfjs';
import { headDim } from './config';
import { MATCH_SCALE, copyDim, copyMatch, recencySlope } from './copyHead';
import { hasNormalizeKernel, NORMALIZE_ROWS, registerPolicyKernels } from './kernels';
import type { TinyVLM } from './transformer';

export interface LayerInference {
  qkvW: tf.Tensor2D;
  qkvB: tf.Tensor1D;
  outW: tf.Tensor2D;
  outB: tf.Tensor1D;
  fcW: tf.Tensor2D;
  fcB: tf.Tensor1D;
  projW: tf.Tensor2D;
  projB: tf.Tensor1D;
}

export interface InferenceWeights {
  layers: LayerInference[];
  /** diag(γ_f)·Eᵀ [d, V] and β_f·Eᵀ [V]: the final LayerNorm folded into the tied output projection. */
  embT: tf.Tensor2D;
  logitBias: tf.Tensor1D;
  /**
   * With the copy head (copyHead.ts): one matmul gives [logits | q | k | gate] per position, the final
   * LayerNorm and 1/√dc folded in; `heads` replaces embT/logitBias then.
   */
  heads: { w: tf.Tensor2D; b: tf.Tensor1D; keyW: tf.Tensor2D; keyB: tf.Tensor1D; recencySlope: number; matchCum: number[] } | null;
  /** dataIds of the parameters these were built from. */
  key: unknown[];
}

/** Folds LN(γ, β) into the matmul that follows it: returns [diag(γ)·W, β·W + b]. */
function foldNorm(gamma: tf.Tensor, beta: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null): [tf.Tensor2D, tf.Tensor1D] {
  const wf = tf.mul(tf.reshape(gamma, [-1, 1]), w) as tf.Tensor2D;
  const bw = tf.reshape(tf.matMul(tf.reshape(beta, [1, -1]), w as tf.Tensor2D), [-1]);
  // Always a fresh tensor: the WASM _FusedMatMul reads a reshaped bias's rank from the buffer it
  // shares ([1, 1, N] here) and rejects it.
  return [wf, tf.add(bw, b ?? 0) as tf.Tensor1D];
}

export function inferenceKey(model: TinyVLM): unknown[] {
  return [...model.params.values()].map((v) => v.dataId);
}

/**
 * The copy head's scalar parameters as numbers (recency bias, match weights), read with an
 * awaited download: a synchronous read of a GPU-resident tensor needs OffscreenCanvas on WebGPU,
 * which Node lacks (after a training step on WebGPU the parameters live on the GPU).
 */
export interface InferenceScalars {
  recency: number;
  match: number[];
}

export async function readInferenceScalars(model: TinyVLM): Promise<InferenceScalars | null> {
  if (!model.config.copyHead) return null;
  const recency = (await model.p('copy/recency/b').data())[0]!;
  const match = copyMatch(model.config) === 0 ? [] : [...(await model.p('copy/match/w').data())];
  return { recency, match };
}

export function buildInferenceWeights(model: TinyVLM, scalars: InferenceScalars | null = null): InferenceWeights {
  const c = model.config;
  const d = c.dModel;
  const p = (n: string) => model.p(n);
  const built = tf.tidy(() => {
    const qScale = new Float32Array(3 * d).fill(1).fill(1 / Math.sqrt(headDim(c)), 0, d);
    const layers = Array.from({ length: c.nLayers }, (_, l): LayerInference => {
      const [qkvW, qkvB] = foldNorm(p(`h${l}/ln1/g`), p(`h${l}/ln1/b`), p(`h${l}/attn/qkv/w`), p(`h${l}/attn/qkv/b`));
      const [fcW, fcB] = foldNorm(p(`h${l}/ln2/g`), p(`h${l}/ln2/b`), p(`h${l}/mlp/fc/w`), p(`h${l}/mlp/fc/b`));
      return {
        qkvW: tf.mul(qkvW, tf.tensor1d(qScale)) as tf.Tensor2D,
        qkvB: tf.mul(qkvB, tf.tensor1d(qScale)) as tf.Tensor1D,
        outW: tf.clone(p(`h${l}/attn/out/w`)) as tf.Tensor2D,
        outB: tf.clone(p(`h${l}/attn/out/b`)) as tf.Tensor1D,
        fcW: tf.mul(fcW, Math.SQRT1_2) as tf.Tensor2D,
        fcB: tf.mul(fcB, Math.SQRT1_2) as tf.Tensor1D,
        projW: tf.mul(p(`h${l}/mlp/proj/w`), Math.SQRT1_2) as tf.Tensor2D,
        projB: tf.clone(p(`h${l}/mlp/proj/b`)) as tf.Tensor1D,
      };
    });
    const [embT, logitBias] = foldNorm(p('ln_f/g'), p('ln_f/b'), tf.transpose(p('tok_emb')), null);
    const headW = c.copyHead
      ? foldNorm(p('ln_f/g'), p('ln_f/b'), tf.concat([tf.transpose(p('tok_emb')), tf.mul(p('copy/q/w'), 1 / Math.sqrt(copyDim(c))), p('copy/k/w'), p('copy/gate/w')], 1), tf.concat([tf.zeros([c.vocabSize + 2 * copyDim(c)]), p('copy/gate/b')]))
      : null;
    // The keys alone too: a prefill needs every position's key but only the last one's logits.
    const keyW = c.copyHead ? foldNorm(p('ln_f/g'), p('ln_f/b'), p('copy/k/w'), null) : null;
    return { layers: layers as unknown as tf.TensorContainer, embT, logitBias, headW: headW as unknown as tf.TensorContainer, keyW: keyW as unknown as tf.TensorContainer };
  }) as unknown as Omit<InferenceWeights, 'key' | 'heads'> & { headW: [tf.Tensor2D, tf.Tensor1D] | null; keyW: [tf.Tensor2D, tf.Tensor1D] | null };
  const { headW, keyW, ...rest } = built;
  const heads =
    headW && keyW
      ? {
          w: headW[0],
          b: headW[1],
          keyW: keyW[0],
          keyB: keyW[1],
          recencySlope: recencySlope(scalars ? scalars.recency : model.p('copy/recency/b').dataSync()[0]!),
          matchCum: matchCumulative(model, scalars),
        }
      : null;
  return { ...rest, heads, key: [] };
}

/** [0, μ_1, μ_1 + μ_2, …]: the copy score bonus by context-match length (CopyMemory.mix). */
function matchCumulative(model: TinyVLM, scalars: InferenceScalars | null): number[] {
  const out = [0];
  if (copyMatch(model.config) === 0) return out;
  for (const w of scalars ? scalars.match : model.p('copy/match/w').dataSync()) out.push(out[out.length - 1]! + w * MATCH_SCALE);
  return out;
}

export function disposeInferenceWeights(w: InferenceWeights): void {
  for (const l of w.layers) tf.dispose(Object.values(l));
  tf.dispose([w.embT, w.logitBias]);
  if (w.heads) tf.dispose([w.heads.w, w.heads.b, w.heads.keyW, w.heads.keyB]);
}

registerPolicyKernels();

/**
 * (x − mean) / sqrt(var + eps) over the last axis: LayerNorm without gain and bias. One kernel
 * on WASM/CPU (kernels.ts), the composed ops elsewhere.
 */
export function normalize(x: tf.Tensor2D, eps: number): tf.Tensor2D {
  if (x.dtype === 'float32' && hasNormalizeKernel()) return tf.engine().runKernel(NORMALIZE_ROWS, { x }, { eps }) as tf.Tensor2D;
  return normalizeComposed(x, eps);
}

/** The same as 7 standard ops (every backend; the reference for the kernel's tests). */
export function normalizeComposed(x: tf.Tensor2D, eps: number): tf.Tensor2D {
  const xc = tf.sub(x, tf.mean(x, -1, true));
  return tf.mul(xc, tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps))) as tf.Tensor2D;
}

/** One block on x [N, d]; `attention` maps the folded qkv [N, 3d] to the heads' output [N, d]. */
export function inferenceBlock(x: tf.Tensor2D, w: LayerInference, eps: number, attention: (qkv: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
  const qkv = tf.fused.matMul({ a: normalize(x, eps), b: w.qkvW, bias: w.qkvB }) as tf.Tensor2D;
  const x1 = tf.add(x, tf.fused.matMul({ a: attention(qkv), b: w.outW, bias: w.outB })) as tf.Tensor2D;
  const u = tf.fused.matMul({ a: normalize(x1, eps), b: w.fcW, bias: w.fcB });
  const m = tf.mul(u, tf.add(tf.erf(u), 1)) as tf.Tensor2D;
  return tf.add(x1, tf.fused.matMul({ a: m, b: w.projW, bias: w.projB })) as tf.Tensor2D;
}

/**
 * Logits [N, V] from the last block's output (final LayerNorm folded in); with the copy head,
 * [N, V + 2·dc + 1]: the vocabulary logits, then the copy query and key and the gate's logit.
 */
export function inferenceLogits(x: tf.Tensor2D, w: InferenceWeights, eps: number): tf.Tensor2D {
  if (w.heads) return tf.fused.matMul({ a: normalize(x, eps), b: w.heads.w, bias: w.heads.b }) as tf.Tensor2D;
  return tf.fused.matMul({ a: normalize(x, eps), b: w.embT, bias: w.logitBias }) as tf.Tensor2D;
}

/** The copy head's keys [N, dc] from the last block's output (final LayerNorm folded in). */
export function inferenceCopyKeys(x: tf.Tensor2D, w: InferenceWeights, eps: number): tf.Tensor2D {
  if (!w.heads) throw new Error('inferenceCopyKeys: the model has no copy head');
  return tf.fused.matMul({ a: normalize(x, eps), b: w.heads.keyW, bias: w.heads.keyB }) as tf.Tensor2D;
}
