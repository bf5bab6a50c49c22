/**
 * Smoke run of the whole GRPO trainer on the tiny preset in Node, with real Pyodide: two steps
 * (batched rollouts → scoring → filter/rank → PPO update → metrics, samples, checkpoint).
 *
 * A random model never writes a parsable answer, so every group would be all-wrong and nothing
 * would train. The model is first taught (a few seconds of SFT) two ways to finish one prompt:
 * answer "3" at once (correct), or run `print(1)` and then answer "4" (wrong). Sampling at
 * temperature 1 mixes them, so groups have reward variance and the update runs.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPrompt, formatAnswer, formatCodeBlock } from '../agent/protocol';
import type { Message } from '../agent/types';
import { selectBackend } from '../model/backend';
import { packBatch } from '../model/batch';
import { formatConversation } from '../model/chatFormat';
import { TEST_CONFIG, visualTokens } from '../model/config';
import { noiseImage, testTokenizer } from '../model/testHelpers';
import { AdamW, sftStep } from '../model/trainStep';
import { TinyVLM } from '../model/transformer';
import type { PythonRuntime } from '../runtime/types';
import { makeUserTask } from '../tasks/userTask';
import { createNodeRuntime } from '../../workers/node/nodeRuntime';
import { rlConfig } from './config';
import { endMetric, M } from './metrics';
import { trajectoryExample } from './examples';
import { packMicroBatches } from './grpo';
import { BatchedGenerator, runRollouts, withToolFailures } from './rollouts';
import { loadLatestCheckpoint, memoryRunStore } from './runStore';
import { errorTypeOf, GrpoTrainer } from './trainer';

const tok = testTokenizer();
const CONFIG = { ...TEST_CONFIG, maxSeq: 512 };
const task = makeUserTask({ question: 'How many?', image: noiseImage(1), answer: '3' });
let model: TinyVLM;
let runtime: PythonRuntime;

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
  runtime = await createNodeRuntime({ poolSize: 2, maxWorkers: 2, packages: 'compat' });
  const started = runtime.start();
  const prompt = buildPrompt(task);
  const say = (text: string): Message => ({ role: 'assistant', content: [{ type: 'text', text }] });
  const conversations: Message[][] = [
    [...prompt, say(formatAnswer('3'))],
    [...prompt, say(formatCodeBlock('print(1)')), { role: 'user', content: [{ type: 'text', text: '<interpreter>Text Result:\n1</interpreter>' }] }, say(formatAnswer('4'))],
  ];
  const examples = conversations.map((c) => formatConversation(tok, c, [task.media.kind === 'image' ? task.media.image : noiseImage(0)]));
  const K = visualTokens(CONFIG);
  const batch = packBatch(examples, { seqLen: Math.max(...examples.map((e) => e.ids.length)) + K, imageId: tok.imageId, padId: tok.padId, K });
  model = TinyVLM.create(CONFIG, 7);
  const opt = new AdamW({ lr: 1e-2, warmupSteps: 5, totalSteps: 200, weightDecay: 0 });
  for (let i = 0; i < 200; i++) if ((await sftStep(model, opt, batch)).loss < 0.05) break;
  opt.dispose();
  await started;
}, 120_000);

afterAll(async () => {
  model?.dispose();
  await runtime?.dispose();
});

describe('GRPO trainer', () => {
  it('two steps on the tiny preset: finite loss, weights change, tensors flat, metrics and checkpoint written', async () => {
    const config = rlConfig({ preset: 'test', steps: 2, groupSize: 4, promptsPerStep: 2, oversample: 2, maxNewTokens: 40, maxTurns: 3, concurrency: 8, samplesPerStep: 2 });
    const store = memoryRunStore();
    const trainer = new GrpoTrainer(config, { model, tokenizer: tok, runtime, store, taskFor: () => ({ task, suite: 'counting' }) });
    await trainer.init();
    const w0 = Array.from(model.p('h0/attn/qkv/w').dataSync());

    const r1 = await trainer.trainStep();
    const tensors = tf.memory().numTensors;
    const r2 = await trainer.trainStep();
    expect(tf.memory().numTensors).toBe(tensors);

    for (const r of [r1, r2]) {
      const m = r.metrics;
      expect(m[M.trajectories]).toBe(16); // 2 prompts × 2 (oversampling) × 4 rollouts
      expect(m[M.groupsKept]).toBe(2);
      expect(Number.isFinite(m[M.loss])).toBe(true);
      expect(m[M.gradNorm]).toBeGreaterThan(0);
      expect(m[M.entropy]).toBeGreaterThan(0);
      // Both ways of finishing were sampled: some answers right away, some after a tool call.
      expect(m[M.zeroToolShare]).toBeGreaterThan(0);
      expect(m[M.toolCallsMean]).toBeGreaterThan(0);
      expect(m[M.accuracy]).toBeGreaterThan(0);
      expect(m[M.accuracy]).toBeLessThan(1);
      expect(m[endMetric('DONE')]! + m[endMetric('ERROR_IN_ACTION')]! + m[endMetric('EXCEED_MAX_TURNS')]! + m[endMetric('OVER_LENGTH')]!).toBe(16);
      expect(m[M.decodeBatchMean]).toBeGreaterThan(1); // generation was batched across trajectories
      // Groups record every decision; kept members carry both advantages.
      expect(r.groups.length).toBe(m[M.groupsTotal]);
      const kept = r.groups.filter((g) => g.fate === 'kept');
      for (const g of kept) {
        expect(g.members.reduce((s, x) => s + x.advantage, 0)).toBeCloseTo(0, 9);
        for (const x of g.members) expect(x.trainAdvantage).toBe(x.advantage); // std normalisation off
      }
      expect(r.trajectories.size).toBe(16);
    }
    const w2 = model.p('h0/attn/qkv/w').dataSync();
    expect(w0.some((x, i) => x !== w2[i])).toBe(true);

    const lines = new TextDecoder().decode(store.files.get('metrics.jsonl')!).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).step)).toEqual([1, 2]);
    expect([...store.files.keys()].filter((k) => k.startsWith('samples/')).length).toBe(4);

    // Checkpoint and resume: weights, optimizer state and step come back.
    await trainer.checkpoint();
    const copy = TinyVLM.create(CONFIG, 99);
    const opt = new AdamW();
    const state = await loadLatestCheckpoint(store, copy, opt);
    expect(state?.step).toBe(2);
    expect(opt.step).toBe(trainer.optimizer.step);
    expect(Array.from(copy.p('h0/attn/qkv/w').dataSync())).toEqual(Array.from(w2));
    opt.dispose();
    copy.dispose();
    trainer.dispose();
  }, 240_000);

  it('rollouts are scored on the stream they were sampled in: sampling log-probs = the loss forward\'s', async () => {
    const generator = new BatchedGenerator(model, tok, { maxNewTokens: 40, temperature: 1, maxDecodeBatch: 8, seed: 5 });
    const rollouts = await runRollouts(
      Array.from({ length: 6 }, (_, i) => ({ task, id: `check-${i}` })),
      { runtime, generator, loop: { maxTurns: 3, maxImages: 12, toolRewardCoef: 0.1 }, concurrency: 6 },
    );
    expect(generator.stats.rows).toBeGreaterThan(generator.stats.batches); // batched
    const multi = rollouts.filter((r) => r.trajectory.turns.length > 1);
    expect(multi.length).toBeGreaterThan(0); // some went through Python and came back
    for (const r of rollouts) {
      const sampled = r.trajectory.turns.flatMap((t) => t.tokens.logprobs ?? []);
      const [mb] = packMicroBatches([{ example: trajectoryExample(tok, r.trajectory), advantage: 1 }], tok, model, 1);
      const forward = tf.tidy(() => model.tokenLogprobs(mb!.batch).logprobs.dataSync());
      expect(forward.length).toBe(sampled.length);
      sampled.forEach((lp, i) => expect(Math.abs(lp - forward[i]!)).toBeLessThan(1e-3));
    }
  }, 120_000);

  it('simulated tool failures end tool-using rollouts with reward 0 (not as broken), the same way for the same seed', async () => {
    const generator = new BatchedGenerator(model, tok, { maxNewTokens: 40, temperature: 1, maxDecodeBatch: 8, seed: 9 });
    const rollouts = await runRollouts(
      Array.from({ length: 8 }, (_, i) => ({ task, id: `flaky-${i}` })),
      { runtime, generator, loop: { maxTurns: 3, maxImages: 12, toolRewardCoef: 0.1 }, toolFailure: { rate: 1, seed: 1 }, concurrency: 4 },
    );
    const withCode = rollouts.filter((r) => r.trajectory.turns.some((t) => t.code !== null));
    expect(withCode.length).toBeGreaterThan(0);
    for (const r of withCode) {
      expect(r.trajectory.endReason).toBe('ERROR_IN_ACTION');
      expect(r.trajectory.turns.find((t) => t.code !== null)!.observation!.error!.type).toBe('ToolFailure');
      expect(errorTypeOf(r.trajectory)).toBe('ToolFailure'); // what groups.jsonl records per member
      expect(r.trajectory.reward!.total).toBe(0);
      expect(r.broken).toBeNull(); // the policy's risk, not a broken interaction: it stays in the update
    }
    for (const r of rollouts) if (r.trajectory.endReason !== 'ERROR_IN_ACTION') expect(errorTypeOf(r.trajectory)).toBeNull();
    // Per-seed failure pattern: reproducible, and a rate of ½ lets some calls through.
    const pattern = async (seed: number) => {
      const s = await withToolFailures(runtime, 0.5, seed).openSession();
      const oks: boolean[] = [];
      for (let i = 0; i < 16; i++) oks.push((await s.run('x = 1')).ok);
      await s.close();
      return oks;
    };
    const a = await pattern(42);
    expect(await pattern(42)).toEqual(a);
    expect(a).toContain(true);
    expect(a).toContain(false);
  }, 120_000);
});
