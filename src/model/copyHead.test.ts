import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../tasks/rng';
import { selectBackend } from './backend';
import { packBatch, type Example } from './batch';
import { TEST_CONFIG, visualTokens, type ModelConfig } from './config';
import { CONTROL_SPECIALS, EOS } from './tokenizer';
import { DecodeContext } from './generate';
import { matchLength } from './copyHead';
import { noiseImage, testTokenizer } from './testHelpers';
import { AdamW, sftStep } from './trainStep';
import { TinyVLM, type TrainBatch } from './transformer';

const tok = testTokenizer();
const COPY: ModelConfig = { ...TEST_CONFIG, copyHead: true };
const PLAIN: ModelConfig = { ...TEST_CONFIG, tokenShift: 0, copyHead: false };
const NO_MATCH: ModelConfig = { ...TEST_CONFIG, copyMatch: 0 };
const K = visualTokens(COPY);
const image = noiseImage(3);

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

/** Ids generation never samples (control tokens but <eos>, ids past the tokenizer's vocabulary). */
const banned = new Set([...CONTROL_SPECIALS.filter((s) => s !== EOS).map((s) => tok.tokenId(s)), ...Array.from({ length: COPY.vocabSize }, (_, i) => i).filter((i) => i >= tok.vocabSize)]);

/**
 * log p of the last n tokens of `ids` from one forward pass over the whole row, renormalised
 * over the ids generation may sample (it sets the banned ones to −∞).
 */
function forwardLogprobs(model: TinyVLM, ids: number[], images: typeof image[], n: number): number[] {
  const T = ids.length + images.length * (K - 1);
  const batch = packBatch([{ ids, lossMask: ids.map(() => 0), images }], { seqLen: T, imageId: tok.imageId, padId: tok.padId, K });
  const logp = tf.tidy(() => model.forward(batch).arraySync()[0]!);
  return ids.slice(-n).map((id, i) => {
    const row = logp[T - n - 1 + i]!;
    const z = row.reduce((acc, x, v) => (banned.has(v) ? acc : acc + Math.exp(x)), 0);
    return row[id]! - Math.log(z);
  });
}

/** Share of held-out loss tokens given p > ½ after `steps` SFT steps of a fresh model on the task `batchOf` draws. */
async function accuracyAfter(config: ModelConfig, batchOf: (rng: Rng) => TrainBatch, steps: number, trainSeed: number, heldOutSeed: number): Promise<number> {
  const heldOut = batchOf(new Rng(heldOutSeed));
  const m = TinyVLM.create(config, 2);
  const opt = new AdamW({ lr: 1e-2, warmupSteps: 5, totalSteps: steps, weightDecay: 0 });
  const rng = new Rng(trainSeed);
  for (let i = 0; i < steps; i++) await sftStep(m, opt, batchOf(rng));
  const lp = tf.tidy(() => Array.from(m.tokenLogprobs(heldOut).logprobs.dataSync()));
  opt.dispose();
  m.dispose();
  return lp.filter((x) => x > Math.log(0.5)).length / lp.length;
}

describe('copy head', () => {
  let model: TinyVLM;
  beforeAll(() => {
    model = TinyVLM.create(COPY, 11);
    // Large copy weights and a steep recency slope make the copy part sharp, so any mismatch shows.
    model.p('copy/recency/b').assign(tf.tensor1d([2]));
    model.p('copy/match/w').assign(tf.tensor1d([0.6, 0.3, 0.15]));
    for (const n of ['copy/q/w', 'copy/k/w']) model.p(n).assign(tf.tidy(() => tf.randomNormal(model.p(n).shape, 0, 0.5, 'float32', 7)));
  });
  afterAll(() => model.dispose());

  it('gives a normalised distribution whose copy part favours tokens already in the context', () => {
    const ids = [tok.bosId, ...tok.encode('crop the red crop')];
    const batch = packBatch([{ ids, lossMask: ids.map(() => 1), images: [] }], { seqLen: ids.length, imageId: tok.imageId, padId: tok.padId, K });
    const [sums, seen, unseen] = tf.tidy(() => {
      const logp = model.forward(batch);
      const p = tf.exp(logp);
      const last = tf.slice(p, [0, ids.length - 1, 0], [1, 1, COPY.vocabSize]).dataSync();
      const inContext = new Set(ids);
      let a = 0;
      let b = 0;
      last.forEach((x, v) => (inContext.has(v) ? (a += x) : (b += x)));
      return [Array.from(tf.sum(p, -1).dataSync()), a, b];
    });
    for (const s of sums) expect(s).toBeCloseTo(1, 4);
    // ids.length context tokens hold more mass than the other ~300 tokens together.
    expect(seen).toBeGreaterThan(unseen);
  });

  it('decodes with the KV cache (two prefill chunks, an image, decode steps) exactly like the forward pass', async () => {
    const head = [tok.bosId, ...tok.encode('look: '), tok.imageId];
    // Repeated words, so candidates match 1, 2 and 3 tokens of context.
    const tail = tok.encode(' crop the red crop the');
    const ctx = new DecodeContext(model, tok, 2);
    await ctx.prefill([{ ids: head, images: [image] }, { ids: [tok.bosId, ...tok.encode('red')] }]);
    await ctx.prefill([{ ids: tail }, null]);
    const rows = await ctx.generate({ maxNewTokens: 6, temperature: 1, seed: 3, stop: [] });
    ctx.dispose();
    const full = [...head, ...tail, ...rows[0]!.ids];
    const ref = forwardLogprobs(model, full, [image], 6);
    rows[0]!.logprobs.forEach((lp, i) => expect(lp).toBeCloseTo(ref[i]!, 3));
    const ref1 = forwardLogprobs(model, [tok.bosId, ...tok.encode('red'), ...rows[1]!.ids], [], 6);
    rows[1]!.logprobs.forEach((lp, i) => expect(lp).toBeCloseTo(ref1[i]!, 3));
  });

  it('measures context matches: how many tokens before a candidate equal those ending at the query', () => {
    const ids = [5, 7, 9, 1, 5, 7, 9, 2, 7, 9];
    const none = () => false;
    expect(matchLength(ids, none, 9, 3, 3)).toBe(2); // …7 9 | 1  vs  …7 9 (query at 9): ids 1,2 agree, then 5 ≠ 2
    expect(matchLength(ids, none, 6, 3, 3)).toBe(3); // 5 7 9 | 1  vs  5 7 9
    expect(matchLength(ids, none, 6, 3, 2)).toBe(2); // capped by the depth
    expect(matchLength(ids, none, 9, 8, 3)).toBe(0); // before 7 is 2, not 9
    expect(matchLength(ids, none, 9, 0, 3)).toBe(0); // nothing before the row's start
    expect(matchLength(ids, (k) => k === 2, 6, 3, 3)).toBe(0); // image slots never match
  });

  it('copies the value printed after the asked key, which plain copy attention has not learned in the same steps', async () => {
    // <bos> k1 = v1 , k2 = v2 , k3 = v3 <eos> k = → v: fresh random keys and values.
    const [eq, comma] = [tok.encode('=')[0]!, tok.encode(',')[0]!];
    const letters = Array.from({ length: 26 }, (_, i) => tok.encode(String.fromCharCode(97 + i))[0]!);
    const batchOf = (rng: Rng) => {
      const examples: Example[] = Array.from({ length: 8 }, () => {
        const keys = rng.shuffle(letters).slice(0, 3);
        const values = keys.map(() => rng.pick(letters));
        const ask = rng.int(0, 2);
        const ids = [tok.bosId, ...keys.flatMap((k, i) => [k, eq, values[i]!, comma]), tok.eosId, keys[ask]!, eq, values[ask]!];
        return { ids, lossMask: ids.map((_, i) => (i === ids.length - 1 ? 1 : 0)), images: [] };
      });
      return packBatch(examples, { seqLen: 17, imageId: tok.imageId, padId: tok.padId, K });
    };
    const withMatch = await accuracyAfter(COPY, batchOf, 60, 6, 321);
    const without = await accuracyAfter(NO_MATCH, batchOf, 60, 6, 321);
    expect(withMatch).toBeGreaterThan(0.9);
    expect(without).toBeLessThan(0.6);
  }, 60_000);

  it('learns to copy tokens it never saw in that role, where the plain model does not in the same steps', async () => {
    // <bos> x1…x6 <eos> x1…x6 with fresh random letters: only copying predicts the second half.
    const batchOf = (rng: Rng) => {
      const examples: Example[] = Array.from({ length: 8 }, () => {
        const xs = Array.from({ length: 6 }, () => rng.int(97, 122));
        const ids = [tok.bosId, ...xs, tok.eosId, ...xs];
        return { ids, lossMask: ids.map((_, i) => (i > 8 ? 1 : 0)), images: [] };
      });
      return packBatch(examples, { seqLen: 14, imageId: tok.imageId, padId: tok.padId, K });
    };
    const withCopy = await accuracyAfter(COPY, batchOf, 100, 5, 999);
    const without = await accuracyAfter(PLAIN, batchOf, 100, 5, 999);
    expect(withCopy).toBeGreaterThan(0.9);
    expect(without).toBeLessThan(0.5);
  }, 60_000);
});
