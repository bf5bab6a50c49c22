/**
 * One decode step (one new token per row) as one kernel dispatch on WASM/CPU (kernels.ts,
 * PvDecodeStep): the embedding rows summed, every block (attention over the JS-side cache of
 * hostKvCache.ts), and the normalised output head. The same arithmetic as generate.ts's composed
 * step (TinyVLM.embed, inferenceBlock, inferenceLogits), which other backends keep using.
 * Inference only.
 */
import * as tf from '@tensorflow/tfjs';
import { tokenShift } from './config';
import type { HostKVCache } from './hostKvCache';
import type { InferenceWeights } from './inference';
import { DECODE_STEP } from './kernels';
import { shiftedIds, type TinyVLM } from './transformer';

/**
 * Logits [B, V] (with the copy head [B, V + 2·dc + 1]) for the tokens `ids` [B] at `positions`;
 * `history[b]` is row b's previous ids (the token-shift embeddings read them).
 */
export function fusedDecodeStep(
  model: TinyVLM,
  weights: InferenceWeights,
  cache: HostKVCache,
  ids: Int32Array,
  positions: Int32Array,
  history: ReadonlyArray<readonly number[]>,
): tf.Tensor2D {
  const c = model.config;
  const B = ids.length;
  const indices = [ids, positions];
  for (let k = 1; k <= tokenShift(c); k++) indices.push(shiftedIds(ids, B, 1, k, history, c.vocabSize));
  const attrs = { indices, nLayers: weights.layers.length, eps: c.layerNormEps, cache };
  return tf.engine().runKernel(DECODE_STEP, stepInputs(model, weights), attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

const inputsCache = new WeakMap<InferenceWeights, Record<string, tf.Tensor>>();

/**
 * The kernel's inputs, built once per set of folded weights: the embedding tables t0… (token,
 * position, token-shift), layer l's folded weights as l{l}_qkvW etc., the output head w, b.
 */
function stepInputs(model: TinyVLM, weights: InferenceWeights): Record<string, tf.Tensor> {
  let inputs = inputsCache.get(weights);
  if (inputs) return inputs;
  const c = model.config;
  inputs = { t0: model.p('tok_emb'), t1: model.p('pos_emb') };
  for (let k = 1; k <= tokenShift(c); k++) inputs[`t${k + 1}`] = model.p(`shift${k}_emb`);
  weights.layers.forEach((w, l) => {
    for (const [name, t] of Object.entries(w)) inputs![`l${l}_${name}`] = t as tf.Tensor;
  });
  [inputs.w, inputs.b] = weights.heads ? [weights.heads.w, weights.heads.b] : [weights.embT, weights.logitBias];
  inputsCache.set(weights, inputs);
  return inputs;
}
