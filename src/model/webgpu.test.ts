/**
 * The shipped policy on TF.js's WebGPU backend against WASM, in Node through Dawn (the npm
 * `webgpu` package) on a software Vulkan adapter (SwiftShader from the chromium package, see
 * webgpuNode.ts): what CI can run without a GPU. Same weights, same inputs (parityFixture.ts).
 * `npm test` installs chromium (and libvulkan1, the Vulkan loader Dawn opens) when missing.
 *
 * Tolerances (float32 kernels that sum in different orders), with what was measured on the dev
 * VM (Dawn 0.6.2, SwiftShader from chromium 156, TF.js 4.22) in brackets:
 * - first-token scores: max |Δ| ≤ 2e-3 over the vocabulary, same argmax;
 * - a greedy continuation of 64 tokens (no stop string, unconstrained): identical ids,
 *   log-probs within 2e-3;
 * - one SFT step: loss within 1e-4 relative [3.6e-5], gradient norm within 1e-3 relative
 *   [4e-6]; every parameter's gradient within 1e-3 × its largest entry + 5e-5 [worst relative
 *   4.6e-4; copy/gate/b, a single entry ≈ 8.7e-3 that sums cancelling terms: 1.4e-5 absolute];
 * - one GRPO step: finite, loss/gradient norm/entropy within 1e-3 relative.
 * The test logs the measured differences (`webgpu parity:` JSON line).
 *
 * It skips only with PV_SKIP_WEBGPU=1 (say why in the variable) or where the `webgpu` package
 * ships no Dawn binary for this platform; a missing adapter is a failure, not a skip.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { DecodeContext } from './generate';
import { loadShipped, runParity, type ParityResults } from './parityFixture';
import { dawnBinaryMissing, installNodeWebGpu } from './webgpuNode';

const skipReason = process.env.PV_SKIP_WEBGPU
  ? `PV_SKIP_WEBGPU=${process.env.PV_SKIP_WEBGPU}`
  : await dawnBinaryMissing();
if (skipReason) console.warn(`webgpu.test.ts: skipped: ${skipReason}`);
let wasm: ParityResults;
let gpu: ParityResults;
let adapter = '';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-12, Math.abs(b));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const largest = (a: Float32Array) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const argmax = (a: Float32Array) => a.reduce((best, x, i) => (x > a[best]! ? i : best), 0);

describe.skipIf(!!skipReason)('the policy on WebGPU (Dawn, software adapter) against WASM', () => {
  beforeAll(async () => {
    await selectBackend({ force: 'wasm' });
    const { model, tokenizer } = await loadShipped();
    model.dispose();
    wasm = await runParity(async () => (await loadShipped()).model, tokenizer);
    adapter = (await installNodeWebGpu({ software: true })).adapter;
    const choice = await selectBackend({ force: 'webgpu', timeoutMs: 60_000 });
    expect(choice.name).toBe('webgpu');
    gpu = await runParity(async () => (await loadShipped()).model, tokenizer);
    console.info('webgpu parity:', JSON.stringify(measured(wasm, gpu, adapter)));
  }, 900_000);

  afterAll(async () => {
    await selectBackend({ force: 'wasm' });
  });

  it('runs on a software adapter (SwiftShader on Linux)', () => {
    if (process.platform === 'linux') expect(adapter).toMatch(/swiftshader/i);
    else expect(adapter).not.toBe('');
  });

  it('gives the same first-token scores', () => {
    expect(gpu.firstLogprobs.length).toBe(wasm.firstLogprobs.length);
    expect(maxAbsDiff(gpu.firstLogprobs, wasm.firstLogprobs)).toBeLessThan(2e-3);
    expect(argmax(gpu.firstLogprobs)).toBe(argmax(wasm.firstLogprobs));
  });

  it('writes the same greedy 64 tokens with the same log-probs', () => {
    expect(gpu.greedy.ids).toEqual(wasm.greedy.ids);
    expect(wasm.greedy.ids.length).toBe(64);
    expect(maxAbsDiff(gpu.greedy.logprobs, wasm.greedy.logprobs)).toBeLessThan(2e-3);
  });

  it('takes the same SFT step: loss, gradient norm and every gradient', () => {
    expect(Number.isFinite(gpu.sft.loss)).toBe(true);
    expect(rel(gpu.sft.loss, wasm.sft.loss)).toBeLessThan(1e-4);
    expect(rel(gpu.sft.gradNorm, wasm.sft.gradNorm)).toBeLessThan(1e-3);
    expect([...gpu.sft.grads.keys()]).toEqual([...wasm.sft.grads.keys()]);
    for (const [name, g] of wasm.sft.grads) {
      expect(maxAbsDiff(gpu.sft.grads.get(name)!, g), name).toBeLessThan(1e-3 * largest(g) + 5e-5);
    }
  });

  it('takes the same GRPO step', () => {
    for (const k of ['loss', 'gradNorm', 'entropy'] as const) {
      expect(Number.isFinite(gpu.grpo[k]), k).toBe(true);
      expect(rel(gpu.grpo[k], wasm.grpo[k]), k).toBeLessThan(1e-3);
    }
  });

  it('decodes after a training update, when the parameters live on the GPU (Node has no OffscreenCanvas for a synchronous read)', async () => {
    const { model, tokenizer } = await loadShipped();
    // An update on the GPU, as an SFT or GRPO step makes: the copy head's scalars now live there.
    // (A matmul: small element-wise ops are forwarded to the CPU by TF.js's WebGPU backend.)
    for (const name of ['copy/recency/b', 'copy/match/w']) {
      const v = model.params.get(name)!;
      const onGpu = tf.tidy(() => tf.reshape(tf.matMul(tf.reshape(v, [1, v.size]), tf.eye(v.size)), v.shape));
      v.assign(onGpu);
      onGpu.dispose(); // the variable keeps the data
    }
    const ctx = new DecodeContext(model, tokenizer, 1);
    try {
      await ctx.prefill([{ ids: tokenizer.encode('<answer>') }]);
      const [row] = await ctx.generate({ maxNewTokens: 4, stop: [], seed: 1 });
      expect(row!.ids.length).toBe(4);
    } finally {
      ctx.dispose();
      model.dispose();
    }
  });

  it('leaves no tensor behind', () => {
    expect(tf.memory().numTensors).toBe(0);
  });
});

/** The differences the assertions check, for the log (a failing run shows how far off it was). */
function measured(w: ParityResults, g: ParityResults, adapterName: string) {
  let worstRel = 0;
  let worstName = '';
  for (const [name, x] of w.sft.grads) {
    const r = maxAbsDiff(g.sft.grads.get(name) ?? new Float32Array(x.length), x) / Math.max(1e-12, largest(x));
    if (r > worstRel) [worstRel, worstName] = [r, name];
  }
  return {
    adapter: adapterName,
    firstTokenMaxAbs: maxAbsDiff(g.firstLogprobs, w.firstLogprobs),
    greedySameIds: g.greedy.ids.join() === w.greedy.ids.join(),
    greedyLogprobMaxAbs: maxAbsDiff(g.greedy.logprobs, w.greedy.logprobs),
    sftLossRel: rel(g.sft.loss, w.sft.loss),
    sftGradNormRel: rel(g.sft.gradNorm, w.sft.gradNorm),
    sftWorstGradRel: { name: worstName, rel: worstRel },
    grpoRel: { loss: rel(g.grpo.loss, w.grpo.loss), gradNorm: rel(g.grpo.gradNorm, w.grpo.gradNorm), entropy: rel(g.grpo.entropy, w.grpo.entropy) },
  };
}
