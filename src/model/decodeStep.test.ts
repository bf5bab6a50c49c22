/**
 * The fused decode path (decodeStep.ts: 1 kernel dispatch per step over the JS-side KV cache of
 * hostKvCache.ts) against the composed ops it replaces (KVCache + inferenceBlock), on WASM and
 * CPU, with the shipped policy (the attention's inner loops in WebAssembly SIMD, and in JS where
 * SIMD is missing): same greedy tokens, log-probs and next-token scores within a
 * stated tolerance, at batch 1 and at batch 3 with ragged rows (holes in the cache), across a
 * generate → prefill → generate sequence (a non-empty cache at every step); no tensor or backend
 * buffer left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSimdForTests, simdAttention } from './attentionSimd';
import { selectBackend } from './backend';
import { DecodeContext, type PromptRow } from './generate';
import { hasDecodeKernels, registerPolicyKernels, unregisterPolicyKernels } from './kernels';
import { loadShipped, parityInputs } from './parityFixture';
import type { Tokenizer } from './tokenizer';
import type { TinyVLM } from './transformer';

/** Log-probs and next-token scores may differ by float32 rounding (attention sums in double here). */
const LOGPROB_TOL = 1e-4;
const SCORE_TOL = 1e-3;

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]!) || Number.isFinite(b[i]!)) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

interface Trace {
  ids: number[][];
  logprobs: number[][];
  scores: Float32Array[];
}

/** Prefill ragged rows, generate 64 greedy tokens, append an observation to some rows, generate 16 more. */
async function run(model: TinyVLM, tokenizer: Tokenizer, rows: PromptRow[]): Promise<Trace> {
  const B = rows.length;
  const ctx = new DecodeContext(model, tokenizer, B);
  const trace: Trace = { ids: [], logprobs: [], scores: [] };
  const snapshot = () => {
    for (let b = 0; b < B; b++) trace.scores.push(ctx.nextLogits(b)!);
  };
  try {
    await ctx.prefill(rows);
    snapshot();
    const first = await ctx.generate({ maxNewTokens: 64, stop: [], temperature: 0, seed: 1 });
    snapshot();
    const observation = tokenizer.encode('<interpreter>Text Result:\ncolour=red\n</interpreter>');
    await ctx.prefill(rows.map((_, b) => (b === 1 ? null : { ids: observation.slice(0, observation.length - b) })));
    snapshot();
    const second = await ctx.generate({ maxNewTokens: 16, stop: [], temperature: 0, seed: 1 });
    for (const r of [...first, ...second]) {
      trace.ids.push(r.ids);
      trace.logprobs.push(r.logprobs);
    }
  } finally {
    ctx.dispose();
  }
  return trace;
}

describe.each(['wasm', 'cpu'] as const)('the fused decode step on %s', (backend) => {
  let model: TinyVLM;
  let tokenizer: Tokenizer;
  let prompt: PromptRow;

  beforeAll(async () => {
    await selectBackend({ force: backend });
    ({ model, tokenizer } = await loadShipped());
    prompt = parityInputs(model, tokenizer).prompt;
  });
  afterAll(() => {
    registerPolicyKernels();
    model.dispose();
  });

  it('runs a step as 1 dispatch and leaves no tensor or buffer behind', async () => {
    expect(hasDecodeKernels()).toBe(true);
    expect(simdAttention(1024), 'Node has WebAssembly SIMD: the SIMD loops must compile').not.toBeNull();
    const ctx = new DecodeContext(model, tokenizer, 2);
    await ctx.prefill([prompt, { ids: prompt.ids.slice(0, prompt.ids.length - 9), images: prompt.images }]);
    await ctx.generate({ maxNewTokens: 2, stop: [], temperature: 0 }); // builds the folded weights
    // The host cache holds no tensor: every count is back here after the steps and dispose().
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    // The pending token of the last call is fed first (a one-position prefill: a decode step
    // too), then 3 new tokens = 2 more steps (the last sampled token waits for the next call).
    const profile = await tf.profile(async () => {
      await ctx.generate({ maxNewTokens: 3, stop: [], temperature: 0 });
    });
    expect(profile.kernels.map((k) => k.name)).toEqual(['PvDecodeStep', 'PvDecodeStep', 'PvDecodeStep']);
    ctx.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
  });

  it.each([
    [1, 'SIMD'],
    [3, 'SIMD'],
    [3, 'JS'],
  ] as const)('decodes the same greedy tokens as the composed ops at batch %i (attention loops in %s)', async (B, loops) => {
    // Ragged rows: row b drops 7·b tokens of the prompt's text, so shorter rows have holes.
    const rows = Array.from({ length: B }, (_, b) => ({ ids: prompt.ids.slice(0, prompt.ids.length - 7 * b), images: prompt.images }));
    if (loops === 'JS') setSimdForTests(null);
    const fused = await run(model, tokenizer, rows).finally(() => setSimdForTests(undefined));
    unregisterPolicyKernels();
    expect(hasDecodeKernels()).toBe(false);
    const composed = await run(model, tokenizer, rows);
    registerPolicyKernels();
    expect(fused.ids).toEqual(composed.ids);
    expect(fused.ids[0]!.length).toBe(64);
    fused.logprobs.forEach((lp, i) => expect(maxAbsDiff(lp, composed.logprobs[i]!), `row ${i}`).toBeLessThan(LOGPROB_TOL));
    fused.scores.forEach((s, i) => expect(maxAbsDiff(s, composed.scores[i]!), `scores ${i}`).toBeLessThan(SCORE_TOL));
  });
});
