/**
 * The visual pathway can learn an answer that only the pixels give (a regression guard for the
 * encoder, the image splice and their gradients; the agent-level direct-answer accuracy is an
 * open question in issue 5's notes).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pixels } from '../runtime/types';
import { Rng } from '../tasks/rng';
import { selectBackend } from './backend';
import { packBatch, type Example } from './batch';
import { TEST_CONFIG, visualTokens } from './config';
import { testTokenizer } from './testHelpers';
import { AdamW, sftStep } from './trainStep';
import { TinyVLM } from './transformer';

const tok = testTokenizer();
const K = visualTokens(TEST_CONFIG);

/** A 16×16 image: noise background with a solid square of `rgb` somewhere. */
function blob(rgb: [number, number, number], rng: Rng): Pixels {
  const side = 16;
  const data = new Uint8Array(side * side * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(60, 120);
  const x0 = rng.int(0, 8);
  const y0 = rng.int(0, 8);
  for (let y = y0; y < y0 + 8; y++) for (let x = x0; x < x0 + 8; x++) data.set(rgb, (y * side + x) * 3);
  return { width: side, height: side, channels: 3, data };
}

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

describe('visual pathway', () => {
  it('learns which colour an image shows (the answer is in the pixels only)', async () => {
    const colours: Array<[[number, number, number], number]> = [
      [[230, 30, 30], tok.encode('a')[0]!],
      [[30, 30, 230], tok.encode('b')[0]!],
    ];
    const batchOf = (rng: Rng) => {
      const examples: Example[] = Array.from({ length: 8 }, () => {
        const [rgb, label] = colours[rng.int(0, 1)]!;
        const ids = [tok.bosId, tok.imageId, label];
        return { ids, lossMask: [0, 0, 1], images: [blob(rgb, rng)] };
      });
      return packBatch(examples, { seqLen: 2 + K, imageId: tok.imageId, padId: tok.padId, K });
    };
    const model = TinyVLM.create(TEST_CONFIG, 3);
    const opt = new AdamW({ lr: 3e-3, warmupSteps: 5, totalSteps: 80, weightDecay: 0 });
    const rng = new Rng(1);
    for (let i = 0; i < 80; i++) await sftStep(model, opt, batchOf(rng));
    const held = batchOf(new Rng(77));
    const lp = tf.tidy(() => Array.from(model.tokenLogprobs(held).logprobs.dataSync()));
    opt.dispose();
    model.dispose();
    expect(lp.filter((x) => x > Math.log(0.5)).length).toBe(lp.length);
  }, 60_000);
});
