/**
 * The policy's own kernels (kernels.ts) against the composed ops they replace, on WASM and CPU:
 * same values to a rounding step, one dispatch instead of seven, no tensor left behind; and the
 * shipped policy decodes the same greedy tokens with them as without.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { DecodeContext } from './generate';
import { normalize, normalizeComposed } from './inference';
import { hasNormalizeKernel, registerPolicyKernels, unregisterPolicyKernels } from './kernels';
import { loadShipped, parityInputs } from './parityFixture';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** The normalisation in float64. */
function reference(x: Float32Array | Int32Array | Uint8Array, n: number, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += n) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[o + i]! / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[o + i]! - mean) ** 2 / n;
    for (let i = 0; i < n; i++) out[o + i] = (x[o + i]! - mean) / Math.sqrt(v + eps);
  }
  return out;
}

describe.each(['wasm', 'cpu'] as const)('normalize as one kernel on %s', (backend) => {
  it('matches the seven composed ops, in one dispatch, leaving no tensor', async () => {
    await selectBackend({ force: backend });
    expect(hasNormalizeKernel()).toBe(true);
    for (const [rows, cols, scale] of [[1, 128, 1], [5, 128, 30], [3, 7, 1e-3]] as const) {
      const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([rows, cols], 0, 1, 'float32', 7), scale), 2)) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const fused = await tf.profile(() => normalize(x, 1e-5));
      expect(fused.kernelNames).toEqual(['PvNormalizeRows']);
      const a = normalize(x, 1e-5);
      const b = tf.tidy(() => normalizeComposed(x, 1e-5));
      expect(a.shape).toEqual([rows, cols]);
      // Against float64: never less accurate than the composed ops (the third case, values near 2
      // with a spread of 1e-3, loses digits to cancellation in any float32 order of summation).
      const exact = reference(await x.data(), cols, 1e-5);
      const kernelErr = maxAbsDiff(await a.data(), exact);
      const composedErr = maxAbsDiff(await b.data(), exact);
      expect(kernelErr, `${rows}×${cols}`).toBeLessThanOrEqual(composedErr + 2e-6);
      expect(maxAbsDiff(await a.data(), await b.data()), `${rows}×${cols}`).toBeLessThan(scale === 1 || scale === 30 ? 2e-6 : 2e-4);
      tf.dispose([a, b]);
      expect(tf.memory().numTensors).toBe(before + (fused.result ? 1 : 0));
      tf.dispose([x, fused.result as tf.Tensor]);
    }
  });
});

describe('the shipped policy with and without the kernels (WASM)', () => {
  afterAll(() => registerPolicyKernels());

  it('decodes the same 48 greedy tokens with the same log-probs', async () => {
    await selectBackend({ force: 'wasm' });
    const { model, tokenizer } = await loadShipped();
    const { prompt } = parityInputs(model, tokenizer);
    const greedy = async () => {
      const ctx = new DecodeContext(model, tokenizer, 1);
      try {
        await ctx.prefill([prompt]);
        return (await ctx.generate({ maxNewTokens: 48, stop: [], temperature: 0, seed: 1 }))[0]!;
      } finally {
        ctx.dispose();
      }
    };
    const withKernels = await greedy();
    unregisterPolicyKernels();
    expect(hasNormalizeKernel()).toBe(false);
    const composed = await greedy();
    registerPolicyKernels();
    model.dispose();
    expect(withKernels.ids).toEqual(composed.ids);
    expect(withKernels.ids.length).toBe(48);
    expect(maxAbsDiff(withKernels.logprobs, composed.logprobs)).toBeLessThan(1e-4);
  });
});
