/**
 * The loss side of GRPO on the tiny model: the rollout's exact token stream (sampled ids, not
 * re-encoded text) with observation tokens masked, the token-mean PPO loss, gradient
 * accumulation, and a batch without images.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Trajectory } from '../agent/types';
import { selectBackend } from '../model/backend';
import { packBatch } from '../model/batch';
import { TEST_CONFIG, visualTokens } from '../model/config';
import { noiseImage, testTokenizer } from '../model/testHelpers';
import { ROLE_ASSISTANT, ROLE_USER } from '../model/tokenizer';
import { AdamW } from '../model/trainStep';
import { TinyVLM } from '../model/transformer';
import { trajectoryExample } from './examples';
import { packMicroBatches, ppoUpdate } from './grpo';

const tok = testTokenizer();
const CONFIG = { ...TEST_CONFIG, maxSeq: 256 };
const K = visualTokens(CONFIG);
const CODE = '<code>\n```python\nprint(1)\n```\n</code>';
const ANSWER = '<answer>\n\\boxed{3}\n</answer>';
const OBS = '<interpreter>Text Result:\n1\nImage Result:\n<image_clue_1><image></image_clue_1></interpreter>';
/** A valid but non-canonical tokenization: one character at a time. */
const charIds = (s: string) => [...s].flatMap((ch) => tok.encode(ch));

function trajectory(codeIds: number[], answerIds: number[] | undefined, obs = OBS): Trajectory {
  return {
    version: 1,
    id: 't',
    task: { id: 'x', family: 'user', question: 'what?', answer: '3', difficulty: null, media: { kind: 'image', width: 24, height: 20 } },
    policy: { name: 'tiny', kind: 'tiny' },
    config: { maxTurns: 5, errorMode: 'end', maxImages: 12, maxContextTokens: 8192, toolRewardCoef: 0.1 },
    images: [noiseImage(1), noiseImage(2)],
    prompt: [
      { role: 'system', content: [{ type: 'text', text: 'Instructions…' }] },
      { role: 'user', content: [{ type: 'text', text: '<image_clue_0>' }, { type: 'image', image: 0 }, { type: 'text', text: 'Question: what?' }] },
    ],
    turns: [
      { index: 0, text: CODE, code: 'print(1)', answer: null, parseError: null, observation: { text: obs, output: '1', error: null, images: [1], outputTruncated: false, figuresDropped: 0 }, tokens: { count: codeIds.length, ids: codeIds, visual: K }, timings: { generateMs: 0, executeMs: 0 } },
      { index: 1, text: ANSWER, code: null, answer: '3', parseError: null, observation: null, tokens: { count: 9, ids: answerIds, visual: 0 }, timings: { generateMs: 0, executeMs: 0 } },
    ],
    endReason: 'DONE',
    reward: { accuracy: 1, toolCalls: 1, toolBonus: 0.1, total: 1.1 },
    visualTokens: 2 * K,
    textTokens: 0,
    startedAt: '',
    wallMs: 0,
  };
}

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

describe('the rollout as a training example', () => {
  it('carries the sampled ids with loss, and the observation (text and image) without', () => {
    const codeIds = charIds(CODE);
    expect(codeIds).not.toEqual(tok.encode(CODE)); // the case re-encoding would get wrong
    expect(tok.decode(codeIds)).toBe(CODE);
    const ex = trajectoryExample(tok, trajectory(codeIds, undefined));
    const answerIds = tok.encode(ANSWER); // no sampled ids recorded: the text is encoded
    expect(ex.ids.filter((_, i) => ex.lossMask[i])).toEqual([...codeIds, ...answerIds]);
    expect(ex.images.length).toBe(2);
    // Between the code turn and the answer: <|user|> observation <|assistant|>, all masked.
    const code = ex.ids.indexOf(tok.tokenId(ROLE_ASSISTANT)) + 1;
    expect(ex.ids.slice(code, code + codeIds.length)).toEqual(codeIds);
    const start = code + codeIds.length;
    expect(ex.ids[start]).toBe(tok.tokenId(ROLE_USER));
    const end = ex.ids.lastIndexOf(tok.tokenId(ROLE_ASSISTANT));
    expect(tok.decode(ex.ids.slice(start + 1, end))).toBe(OBS);
    expect(ex.lossMask.slice(start, end + 1).every((m) => m === 0)).toBe(true);
    expect(ex.ids.slice(start, end).filter((id) => id === tok.imageId).length).toBe(1);
    // The prompt is context too.
    expect(ex.lossMask.slice(0, code).every((m) => m === 0)).toBe(true);
  });

  it('the model scores exactly the policy tokens; packing aligns one advantage per token', () => {
    const codeIds = charIds(CODE);
    const ex = trajectoryExample(tok, trajectory(codeIds, tok.encode(ANSWER)));
    const model = TinyVLM.create(CONFIG, 3);
    const [mb] = packMicroBatches([{ example: ex, advantage: 0.7 }], tok, model, 4);
    const n = codeIds.length + tok.encode(ANSWER).length;
    expect(mb!.advantages.length).toBe(n);
    expect(new Set(mb!.advantages)).toEqual(new Set([Math.fround(0.7)]));
    const out = tf.tidy(() => model.tokenLogprobs(mb!.batch).positions);
    expect(Array.from(out, (p) => mb!.batch.ids[p])).toEqual([...codeIds, ...tok.encode(ANSWER)]);
    model.dispose();
  });
});

describe('PPO update', () => {
  it('token-mean loss at ratio 1 is −Σ Aᵢ·nᵢ / Σ nᵢ; weights move; tensors do not leak', async () => {
    const exA = trajectoryExample(tok, trajectory(charIds(CODE), tok.encode(ANSWER)));
    const exB = trajectoryExample(tok, trajectory(tok.encode(CODE), tok.encode(ANSWER), OBS.replace('1', '42')));
    const nA = exA.lossMask.reduce((a, b) => a + b, 0);
    const nB = exB.lossMask.reduce((a, b) => a + b, 0);
    expect(nA).not.toBe(nB);
    const model = TinyVLM.create(CONFIG, 4);
    const opt = new AdamW({ lr: 1e-3, warmupSteps: 1, weightDecay: 0 });
    const cfg = { clipEps: 0.2, klCoef: 0, entropyCoef: 0, ppoEpochs: 1, miniBatches: 1, microBatch: 1, temperature: 1 };
    const rows = [
      { example: exA, advantage: 0.5 },
      { example: exB, advantage: -0.5 },
    ];
    const ref = TinyVLM.fromTensors(CONFIG, model.params); // the starting checkpoint, for the KL term
    const before = Array.from(model.p('h1/mlp/fc/w').dataSync());
    const s1 = await ppoUpdate(model, opt, tok, rows, cfg);
    // Old log-probs come from the same forward, so the first pass has ratio 1 exactly.
    expect(s1.loss).toBeCloseTo(-(0.5 * nA - 0.5 * nB) / (nA + nB), 6);
    expect(s1.tokens).toBe(nA + nB);
    expect(s1.clipFraction).toBe(0);
    expect(s1.approxKl).toBeCloseTo(0, 9);
    expect(Number.isFinite(s1.entropy) && s1.entropy > 0).toBe(true);
    expect(s1.gradNorm).toBeGreaterThan(0);
    const after = model.p('h1/mlp/fc/w').dataSync();
    expect(before.some((x, i) => x !== after[i])).toBe(true);
    const count = tf.memory().numTensors;
    // Two passes of two mini-batches: the second optimizer step sees a moved policy.
    const s2 = await ppoUpdate(model, opt, tok, rows, { ...cfg, ppoEpochs: 2, miniBatches: 2 });
    expect(s2.optimizerSteps).toBe(4);
    expect(s2.approxKl).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(count);
    const s3 = await ppoUpdate(model, opt, tok, rows, { ...cfg, klCoef: 0.1 }, ref);
    expect(s3.klRef).toBeGreaterThan(0); // the policy has moved away from the reference
    expect(Number.isNaN(s1.klRef)).toBe(true);
    ref.dispose();
    opt.dispose();
    model.dispose();
  });

  it('accumulating micro-batch gradients equals one step on the whole batch', async () => {
    const ex = [charIds(CODE), tok.encode(CODE)].map((ids) => trajectoryExample(tok, trajectory(ids, tok.encode(ANSWER))));
    const pack = (xs: typeof ex) => packBatch(xs, { seqLen: 200, imageId: tok.imageId, padId: tok.padId, K });
    const whole = pack(ex);
    const parts = ex.map((e) => pack([e]));
    const a = TinyVLM.create(CONFIG, 5);
    const b = TinyVLM.create(CONFIG, 5);
    const optA = new AdamW({ lr: 1e-2, warmupSteps: 1, clipNorm: 0.5 });
    const optB = new AdamW({ lr: 1e-2, warmupSteps: 1, clipNorm: 0.5 });
    const sum = (m: TinyVLM, batch: typeof whole) => tf.sum(tf.neg(m.tokenLogprobs(batch).logprobs)) as tf.Scalar;
    const ra = await optA.optimizeStep(a, () => sum(a, whole));
    const rb = await optB.optimizeStep(b, parts.map((p) => () => sum(b, p)));
    expect(rb.loss).toBeCloseTo(ra.loss, 3);
    expect(rb.gradNorm).toBeCloseTo(ra.gradNorm, 4);
    for (const name of ['tok_emb', 'h0/attn/qkv/w', 'vis/out/w']) {
      const x = a.p(name).dataSync();
      const y = b.p(name).dataSync();
      expect(Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i]!)))).toBeLessThan(1e-5);
    }
    for (const o of [optA, optB]) o.dispose();
    a.dispose();
    b.dispose();
  });

  it('a batch without images trains the text path and leaves the visual encoder alone', async () => {
    const ids = [tok.bosId, ...tok.encode('Question: what?'), tok.tokenId(ROLE_ASSISTANT), ...tok.encode(ANSWER)];
    const batch = packBatch([{ ids, lossMask: ids.map((_, i) => (i > 5 ? 1 : 0)), images: [] }], { seqLen: ids.length, imageId: tok.imageId, padId: tok.padId, K });
    const model = TinyVLM.create(CONFIG, 6);
    const opt = new AdamW({ lr: 1e-2, warmupSteps: 1 });
    const vis = Array.from(model.p('vis/out/w').dataSync());
    const r = await opt.optimizeStep(model, () => model.loss(batch).loss);
    expect(Number.isFinite(r.loss) && r.gradNorm > 0).toBe(true);
    expect(Array.from(model.p('vis/out/w').dataSync())).toEqual(vis);
    opt.dispose();
    model.dispose();
  });
});
