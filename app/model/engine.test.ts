/**
 * The page's model engine in Node: activation is all-or-nothing, a replaced model lives until
 * the last run using it lets go, and tensors do not leak across generations and swaps.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyContext } from '../../src/agent/types';
import { selectBackend } from '../../src/model/backend';
import { TEST_CONFIG } from '../../src/model/config';
import { noiseImage, testTokenizer } from '../../src/model/testHelpers';
import { TinyVLM } from '../../src/model/transformer';
import { modelToArtifacts } from '../../src/model/weights';
import type { Task } from '../../src/tasks/types';
import { activate, createLeasedTinyPolicy, currentWeights } from './engine';

async function artifacts(seed: number, name: string) {
  const model = TinyVLM.create(TEST_CONFIG, seed);
  const a = await modelToArtifacts(model, { name, tokenizer: testTokenizer().toJSON() });
  model.dispose();
  return a;
}

const ctx = (): PolicyContext => ({
  messages: [{ role: 'user', content: [{ type: 'text', text: 'What is it?' }, { type: 'image', image: 0 }] }],
  images: [noiseImage(1, 16, 16)],
  turn: 0,
  maxTurns: 2,
  task: {} as Task,
  signal: new AbortController().signal,
});

describe('model engine', () => {
  beforeAll(async () => {
    await selectBackend({ force: 'cpu' });
  });

  it('activates valid weights; a corrupt file throws and leaves the current model', async () => {
    const a = await artifacts(1, 'first');
    expect(activate({ artifacts: a, source: 'shipped' }).name).toBe('first');
    const bad = await artifacts(2, 'bad');
    const bytes = new Uint8Array(bad.weightData as ArrayBuffer);
    bytes[10] = bytes[10]! ^ 0xff;
    expect(() => activate({ artifacts: bad, source: 'upload' })).toThrow(/content hash/);
    expect(currentWeights()?.info.name).toBe('first');
  });

  it('keeps a replaced model alive for the run that leases it; no tensors leak', async () => {
    activate({ artifacts: await artifacts(3, 'a'), source: 'shipped' });
    // A model keeps derived inference weights after its first generation: count from there.
    const warm = createLeasedTinyPolicy({ temperature: 0, maxNewTokens: 4 })!;
    await warm.next(ctx());
    warm.dispose();
    const base = tf.memory().numTensors;
    const policy = createLeasedTinyPolicy({ temperature: 0, maxNewTokens: 4 })!;
    const t1 = await policy.next(ctx());
    expect(t1.tokens.logprobs?.length).toBe(t1.tokens.count);
    // Swap while the policy still holds the old model: it keeps working.
    activate({ artifacts: await artifacts(4, 'b'), source: 'upload' });
    const t2 = await policy.next(ctx());
    expect(t2.text).toBe(t1.text);
    policy.dispose(); // releases the lease: the old model is freed now
    const again = createLeasedTinyPolicy({ temperature: 0, maxNewTokens: 4 })!;
    await again.next(ctx());
    again.dispose();
    // Only the new model is alive (same shapes as the old one): nothing leaked.
    expect(tf.memory().numTensors).toBe(base);
  });
});
