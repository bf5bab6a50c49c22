/**
 * The SFT worker's handler in Node (same code as in the worker): it trains on synthetic records
 * and returns artifacts that load as a model; the vocabulary shrinks to what tiny data supports;
 * a cancel stops it and reports 'cancelled'.
 */
import { describe, expect, it } from 'vitest';
import { noiseImage } from '../../src/model/testHelpers';
import type { SftRecord } from '../../src/model/sft/dataset';
import { modelFromArtifacts } from '../../src/model/weights';
import { SMALL_MODEL, smallTrainConfig } from '../../app/model/sftPreset';
import { createSftHandler } from './handler';
import type { SftEvent } from './protocol';

function record(i: number): SftRecord {
  return {
    index: i,
    suite: 'visual-search',
    taskId: `t${i}`,
    family: 'visual-search',
    difficulty: null,
    correct: true,
    endReason: 'DONE',
    toolCalls: 0,
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'You have at most 5 messages.' }] },
      { role: 'user', content: [{ type: 'text', text: `How many red stars? (${i})` }, { type: 'image', image: 0 }] },
      { role: 'assistant', content: [{ type: 'text', text: `I count them.\n<answer>\n\\boxed{${i}}\n</answer>` }] },
    ],
    images: [noiseImage(i, 16, 16)],
  };
}

describe('SFT worker handler', () => {
  it('trains, streams progress and loss, and returns loadable weights', async () => {
    const events: SftEvent[] = [];
    const handle = createSftHandler({ post: (e) => void events.push(e) });
    await handle({ type: 'start', records: [0, 1, 2, 3].map(record), config: smallTrainConfig({ tasks: 4, steps: 6, seed: 1 }), backend: 'wasm', name: 'unit', card: { preset: 'small' } });
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('backend');
    expect(types.filter((t) => t === 'progress')).toHaveLength(6);
    expect(types).toContain('log');
    const done = events.find((e) => e.type === 'done');
    if (done?.type !== 'done') throw new Error(`no result: ${JSON.stringify(events.filter((e) => e.type === 'error'))}`);
    expect(done.summary.steps).toBe(6);
    const { model, meta } = modelFromArtifacts(done.artifacts);
    expect(meta.name).toBe('unit');
    expect(meta.tokenizer).toBeTruthy();
    // So little text cannot fill 512 tokens: the model takes the tokenizer's vocabulary.
    expect(meta.modelConfig.vocabSize).toBeLessThanOrEqual(SMALL_MODEL.vocabSize);
    model.dispose();
  });

  it('cancel stops the run between steps', async () => {
    const events: SftEvent[] = [];
    let handle: ReturnType<typeof createSftHandler>;
    handle = createSftHandler({
      post: (e) => {
        events.push(e);
        if (e.type === 'progress' && e.step === 2) void handle({ type: 'cancel' });
      },
    });
    await handle({ type: 'start', records: [0, 1].map(record), config: smallTrainConfig({ tasks: 2, steps: 1000, seed: 1 }), backend: 'wasm', name: 'c', card: {} });
    const last = events[events.length - 1]!;
    expect(last.type).toBe('cancelled');
    expect(last.type === 'cancelled' && last.step).toBeLessThan(10);
  });
});
