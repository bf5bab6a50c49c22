/**
 * One decode step (one new token per row) as six kernel dispatches on WASM/CPU (kernels.ts):
 * the embedding rows summed, one PvDecodeBlock per layer (attention over the JS-side cache of
 * hostKvCache.ts), and the normalised output head. The same arithmetic as generate.ts's composed
 * step (TinyVLM.embed, inferenceBlock, inferenceLogits), which other backends keep using.
 * Inference only; call inside tf.tidy (the layers' intermediate outputs are left to it).
 */
import * as tf from '@tensorflow/tfjs';
import { tokenShift } from './config';
import type { HostKVCache } from './hostKvCache';
import type { InferenceWeights } from './inference';
import { DECODE_BLOCK, GATHER_ROWS_SUM, NORM_LINEAR } from './kernels';
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
  const tables: Record<string, tf.Tensor> = { t0: model.p('tok_emb'), t1: model.p('pos_emb') };
  const indices = [ids, positions];
  for (let k = 1; k <= tokenShift(c); k++) {
    tables[`t${k + 1}`] = model.p(`shift${k}_emb`);
    indices.push(shiftedIds(ids, B, 1, k, history, c.vocabSize));
  }
  const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: object) =>
    tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  let x = run(GATHER_ROWS_SUM, tables, { indices });
  const eps = c.layerNormEps;
  weights.layers.forEach((w, layer) => {
    x = run(DECODE_BLOCK, { x, ...w }, { eps, cache, layer });
  });
  const [w, b] = weights.heads ? [weights.heads.w, weights.heads.b] : [weights.embT, weights.logitBias];
  return run(NORM_LINEAR, { x, w, b }, { eps });
}
