import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, PolicyContext } from '../agent/types';
import { selectBackend } from './backend';
import { packBatch } from './batch';
import { formatConversation } from './chatFormat';
import { TEST_CONFIG, visualTokens } from './config';
import { DecodeContext, generate, type PromptRow } from './generate';
import { noiseImage, testTokenizer } from './testHelpers';
import { TinyPolicy } from './tinyPolicy';
import { AdamW, sftStep } from './trainStep';
import { TinyVLM } from './transformer';

const tok = testTokenizer();
const image = noiseImage(1);
const TURN = '<code>\n```python\nprint(1)\n```\n</code> and more';
const messages: Message[] = [
  { role: 'system', content: [{ type: 'text', text: 'Instructions…\nYou have at most 5 messages in total, the final answer included.' }] },
  { role: 'user', content: [{ type: 'text', text: '<image_clue_0>' }, { type: 'image', image: 0 }, { type: 'text', text: 'Question: what?' }] },
];
let random: TinyVLM; // untrained
let trained: TinyVLM; // has memorised TURN after the prompt

/** Greedy decoding by re-running the whole sequence every step (the reference for the cache). */
function greedyWithoutCache(model: TinyVLM, prompt: PromptRow, n: number): number[] {
  const ids = [...prompt.ids];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const batch = packBatch([{ ids, lossMask: ids.map(() => 0), images: prompt.images ?? [] }], {
      seqLen: ids.length - (prompt.images?.length ?? 0) + (prompt.images?.length ?? 0) * visualTokens(TEST_CONFIG),
      imageId: tok.imageId,
      padId: tok.padId,
      K: visualTokens(TEST_CONFIG),
    });
    const next = tf.tidy(() => {
      const logits = model.forward(batch);
      const last = tf.slice(logits, [0, batch.seqLen - 1, 0], [1, 1, TEST_CONFIG.vocabSize]).dataSync();
      return last.indexOf(Math.max(...last.slice(0, tok.vocabSize)));
    });
    out.push(next);
    ids.push(next);
  }
  return out;
}

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
  random = TinyVLM.create(TEST_CONFIG, 4);
  // A context long enough for a code turn, its observation and an answer (grammar.ts turnLimitsFor).
  trained = TinyVLM.create({ ...TEST_CONFIG, maxSeq: 1024 }, 5);
  const conv = formatConversation(tok, [...messages, { role: 'assistant', content: [{ type: 'text', text: TURN }] }], [image]);
  const batch = packBatch([conv], { seqLen: conv.ids.length + visualTokens(TEST_CONFIG) - 1, imageId: tok.imageId, padId: tok.padId, K: visualTokens(TEST_CONFIG) });
  const opt = new AdamW({ lr: 1e-2, warmupSteps: 5, totalSteps: 150, weightDecay: 0 });
  for (let i = 0; i < 150; i++) if ((await sftStep(trained, opt, batch)).loss < 0.02) break;
  opt.dispose();
});

afterAll(() => {
  random.dispose();
  trained.dispose();
});

describe('generation', () => {
  it('gives the same greedy tokens with the KV cache as without it', async () => {
    const prompt = { ids: [tok.bosId, ...tok.encode('look: '), tok.imageId, ...tok.encode(' then')], images: [image] };
    const [row] = await generate(random, tok, [prompt], { maxNewTokens: 12, temperature: 0, stop: [] });
    expect(row!.ids).toEqual(greedyWithoutCache(random, prompt, 12));
    expect(row!.finish).toBe('length');
  });

  it('decodes ragged batches exactly like single rows', async () => {
    const prompts = [
      { ids: [tok.bosId, ...tok.encode('a short one')] },
      { ids: [tok.bosId, tok.imageId, ...tok.encode('a much longer prompt here')], images: [noiseImage(2)] },
      { ids: [tok.bosId, ...tok.encode('mid size!')] },
    ];
    const batched = await generate(random, tok, prompts, { maxNewTokens: 8, temperature: 0, stop: [] });
    for (let i = 0; i < prompts.length; i++) {
      const [single] = await generate(random, tok, [prompts[i]!], { maxNewTokens: 8, temperature: 0, stop: [] });
      expect(batched[i]!.ids).toEqual(single!.ids);
      expect(batched[i]!.logprobs[0]).toBeCloseTo(single!.logprobs[0]!, 4);
    }
  });

  it('continues a cached context with observation tokens exactly like a fresh prefill', async () => {
    const ctx = new DecodeContext(random, tok, 1);
    await ctx.prefill([{ ids: [tok.bosId, ...tok.encode('hello')] }]);
    const first = (await ctx.generate({ maxNewTokens: 5, temperature: 0, stop: [] }))[0]!;
    const obs = [...tok.encode('<interpreter>x</interpreter>'), tok.imageId];
    await ctx.prefill([{ ids: obs, images: [image] }]);
    const second = (await ctx.generate({ maxNewTokens: 6, temperature: 0, stop: [] }))[0]!;
    ctx.dispose();
    const fresh = await generate(random, tok, [{ ids: [tok.bosId, ...tok.encode('hello'), ...first.ids, ...obs], images: [image] }], { maxNewTokens: 6, temperature: 0, stop: [] });
    expect(second.ids).toEqual(fresh[0]!.ids);
  });

  it('feeds the token-shift embeddings across prefill chunks and decode steps like one forward pass', async () => {
    // Large shift tables make the previous tokens dominate, so a wrong neighbour changes the output.
    // Without the copy head, whose pointer would dominate this untrained model's output.
    const shifted = TinyVLM.create({ ...TEST_CONFIG, copyHead: false }, 9);
    for (const k of [1, 2]) {
      const v = shifted.p(`shift${k}_emb`);
      v.assign(tf.tidy(() => tf.randomNormal(v.shape, 0, 1, 'float32', 40 + k)));
    }
    const head = [tok.bosId, ...tok.encode('look: '), tok.imageId];
    const tail = tok.encode(' and then b');
    const full = { ids: [...head, ...tail], images: [image] };
    const ctx = new DecodeContext(shifted, tok, 1);
    await ctx.prefill([{ ids: head, images: [image] }]);
    await ctx.prefill([{ ids: tail }]);
    const [row] = await ctx.generate({ maxNewTokens: 8, temperature: 0, stop: [] });
    ctx.dispose();
    expect(row!.ids).toEqual(greedyWithoutCache(shifted, full, 8));
    // And the tables matter: without them the greedy continuation differs.
    for (const k of [1, 2]) shifted.p(`shift${k}_emb`).assign(tf.zerosLike(shifted.p(`shift${k}_emb`)));
    expect(greedyWithoutCache(shifted, full, 8)).not.toEqual(row!.ids);
    shifted.dispose();
  });

  it('stops on stop strings (cut on a token boundary), else runs to the limit', async () => {
    const prompt = formatConversation(tok, messages, [image], { generationPrompt: true });
    const [row] = await generate(trained, tok, [prompt], { maxNewTokens: 40, temperature: 0 });
    expect(row!.text).toBe('<code>\n```python\nprint(1)\n```\n</code>');
    expect(row!.finish).toBe('stop');
    expect(row!.pieces.join('')).toBe(row!.text);
    expect(tok.decode(row!.ids)).toBe(row!.text);
    const [free] = await generate(trained, tok, [prompt], { maxNewTokens: 40, temperature: 0, stop: [] });
    expect(free!.text.startsWith(TURN)).toBe(true);
  });

  it('samples deterministically from a seed, with log-probs', async () => {
    const prompt = { ids: [tok.bosId, ...tok.encode('x')] };
    const a = await generate(random, tok, [prompt], { maxNewTokens: 10, temperature: 1, topP: 0.9, seed: 7, stop: [] });
    const b = await generate(random, tok, [prompt], { maxNewTokens: 10, temperature: 1, topP: 0.9, seed: 7, stop: [] });
    const c = await generate(random, tok, [prompt], { maxNewTokens: 10, temperature: 1, topP: 0.9, seed: 8, stop: [] });
    expect(a[0]!.ids).toEqual(b[0]!.ids);
    expect(a[0]!.ids).not.toEqual(c[0]!.ids);
    for (const lp of a[0]!.logprobs) expect(lp).toBeLessThan(0);
  });

  it('cancels between steps through the AbortSignal', async () => {
    const ac = new AbortController();
    const [row] = await generate(random, tok, [{ ids: [tok.bosId] }], {
      maxNewTokens: 50,
      stop: [],
      signal: ac.signal,
      onToken: (_r, _p, _id) => {
        // Aborts from another task. setImmediate, not setTimeout: a timer waits ≥ 1 ms, and the
        // tiny model now decodes several tokens per millisecond on WASM (fused decode step).
        if (!ac.signal.aborted) setImmediate(() => ac.abort());
      },
    });
    expect(row!.finish).toBe('aborted');
    expect(row!.ids.length).toBeLessThan(5);
  });

  it('keeps the tensor count flat across generation and context reuse', async () => {
    const prompt = { ids: [tok.bosId, tok.imageId, ...tok.encode('count')], images: [image] };
    await generate(random, tok, [prompt, prompt], { maxNewTokens: 4 });
    const before = tf.memory().numTensors;
    await generate(random, tok, [prompt, prompt], { maxNewTokens: 6, temperature: 0.8 });
    const ctx = new DecodeContext(random, tok, 2);
    await ctx.prefill([prompt, prompt]);
    await ctx.generate({ maxNewTokens: 3 });
    await ctx.prefill([{ ids: tok.encode('more') }, null]);
    await ctx.generate({ maxNewTokens: 3 });
    ctx.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('TinyPolicy', () => {
  it('formats the conversation, streams the turn and returns tokens with log-probs', async () => {
    const policy = new TinyPolicy(trained, tok, { temperature: 0, maxNewTokens: 40 });
    let streamed = '';
    const ctx = {
      messages,
      images: [image],
      turn: 0,
      maxTurns: 5,
      signal: new AbortController().signal,
      onText: (d: string) => (streamed += d),
    } as unknown as PolicyContext;
    const turn = await policy.next(ctx);
    expect(turn.text).toBe('<code>\n```python\nprint(1)\n```\n</code>');
    expect(streamed).toBe(turn.text);
    expect(turn.tokens.count).toBe(turn.tokens.ids!.length);
    expect(turn.tokens.logprobs!.length).toBe(turn.tokens.count);
    expect(turn.tokens.pieces!.join('')).toBe(turn.text);
    expect(policy.visualTokens(image)).toBe(visualTokens(TEST_CONFIG));

    // Second turn: the observation is appended; the cached context is extended, not rebuilt.
    const next = [...messages, { role: 'assistant' as const, content: [{ type: 'text' as const, text: turn.text }] }, { role: 'user' as const, content: [{ type: 'text' as const, text: '<interpreter>Text Result:\n1</interpreter>' }] }];
    const before = tf.memory().numTensors;
    const turn2 = await policy.next({ ...ctx, messages: next, turn: 1 });
    expect(typeof turn2.text).toBe('string');
    expect(tf.memory().numTensors).toBe(before); // same cache slot, extended in place
    // On the last turn the policy may only answer, though this model learned to write code here.
    const last = await policy.next({ ...ctx, turn: 4, onText: undefined });
    expect(last.text.startsWith('<answer>'), last.text).toBe(true);
    policy.dispose();
  });

  it('rejects a cancelled turn with an AbortError', async () => {
    const policy = new TinyPolicy(random, tok);
    const ac = new AbortController();
    ac.abort();
    await expect(policy.next({ messages, images: [image], turn: 0, signal: ac.signal } as unknown as PolicyContext)).rejects.toThrow(/cancelled/);
    policy.dispose();
  });
});
