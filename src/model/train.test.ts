import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../tasks/rng';
import { selectBackend } from './backend';
import { packBatch, type Example } from './batch';
import { TEST_CONFIG, visualTokens } from './config';
import { learningRate, AdamW, DEFAULT_OPTIM, sftStep } from './trainStep';
import { noiseImage, randomBatch, testTokenizer } from './testHelpers';
import { TinyVLM } from './transformer';

const tok = testTokenizer();

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

/** Copy task: <bos> x1…x8 <eos> x1…x8, loss on the copy only (an image rides along as context). */
function copyBatch(rng: Rng, B: number) {
  const examples: Example[] = Array.from({ length: B }, (_, b) => {
    const xs = Array.from({ length: 8 }, () => rng.int(97, 104)); // 'a'…'h'
    const ids = [tok.bosId, tok.imageId, ...xs, tok.eosId, ...xs];
    const lossMask = ids.map((_, i) => (i > xs.length + 2 ? 1 : 0));
    return { ids, lossMask, images: [noiseImage(b)] };
  });
  return packBatch(examples, { seqLen: 24, imageId: tok.imageId, padId: tok.padId, K: visualTokens(TEST_CONFIG) });
}

describe('SFT step', () => {
  it('learning-rate schedule: warmup, then cosine down to the floor', () => {
    const cfg = { ...DEFAULT_OPTIM, lr: 1, warmupSteps: 10, totalSteps: 110, minLrRatio: 0.1 };
    expect(learningRate(cfg, 0)).toBeCloseTo(0.1);
    expect(learningRate(cfg, 9)).toBeCloseTo(1);
    expect(learningRate(cfg, 60)).toBeCloseTo(0.55);
    expect(learningRate(cfg, 110)).toBeCloseTo(0.1);
    expect(learningRate(cfg, 500)).toBeCloseTo(0.1);
  });

  it('reduces the loss clearly on a tiny copy task', async () => {
    // The plain transformer (the copy head would start near the answer: copyHead.test.ts).
    const model = TinyVLM.create({ ...TEST_CONFIG, tokenShift: 0, copyHead: false }, 1);
    const opt = new AdamW({ lr: 1e-2, warmupSteps: 5, totalSteps: 40 });
    const rng = new Rng(1);
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await sftStep(model, opt, copyBatch(rng, 4));
      expect(Number.isFinite(r.gradNorm)).toBe(true);
      losses.push(r.loss);
    }
    const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(first).toBeGreaterThan(5); // ≈ ln 320 at init
    expect(last).toBeLessThan(first * 0.5);
    opt.dispose();
    model.dispose();
  });

  it('clips gradients and keeps the tensor count flat across steps', async () => {
    const model = TinyVLM.create(TEST_CONFIG, 2);
    const opt = new AdamW({ clipNorm: 0.01 });
    const batch = randomBatch(TEST_CONFIG, tok, 2, 24);
    const p0 = Array.from(model.p('h0/mlp/fc/w').dataSync());
    await sftStep(model, opt, batch); // creates the Adam moments
    const before = tf.memory().numTensors;
    const r = await sftStep(model, opt, batch);
    await sftStep(model, opt, batch);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.gradNorm).toBeGreaterThan(0.01); // the pre-clip norm is reported
    const p1 = model.p('h0/mlp/fc/w').dataSync();
    // Adam's update is ~lr per element whatever the scale; it moved, but by no more than 3·lr.
    const moved = Math.max(...p0.map((x, i) => Math.abs(x - p1[i]!)));
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThan(3 * 3 * DEFAULT_OPTIM.lr);
    opt.dispose();
    model.dispose();
  });
});
