/**
 * Trajectory files without Python: our record (deep-equal round trips, pixels included; clear
 * errors for malformed files) and OpenAI chat messages (PyVision's saved shape, both ways).
 * Round trips of trajectories produced by the real loop are in loop.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Pixels } from '../runtime/types';
import { dataUrlToPixels, fromOpenAIMessages, fromRecordJson, pixelsToDataUrl, toOpenAIMessages, toRecordJson } from './exportFormats';
import { formatAnswer, formatCodeBlock } from './protocol';
import { INTERACTIVE_LOOP, type Trajectory } from './types';

function img(w: number, h: number, channels: 1 | 3 | 4, seed: number): Pixels {
  const data = new Uint8Array(w * h * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 17) & 255;
  return { width: w, height: h, channels, data };
}

function sample(): Trajectory {
  const images = [img(20, 10, 3, 1), img(8, 8, 4, 2), img(5, 7, 1, 3)];
  const obs = '<interpreter>Text Result:\n(20, 10)\nImage Result:\n<image_clue_1><image></image_clue_1><image_clue_2><image></image_clue_2></interpreter>';
  return {
    version: 1,
    id: 'traj-1',
    task: { id: 'vs-1', family: 'visual-search', question: 'Colour?', answer: 'red', difficulty: 'small', media: { kind: 'image', width: 20, height: 10 } },
    policy: { name: 'scripted-expert', kind: 'scripted' },
    config: { ...INTERACTIVE_LOOP },
    images,
    prompt: [
      { role: 'system', content: [{ type: 'text', text: 'rules' }] },
      { role: 'user', content: [{ type: 'text', text: '<image_clue_0>' }, { type: 'image', image: 0 }, { type: 'text', text: '</image_clue_0>\nQuestion: Colour?\n\nFinish with <answer>\n\\boxed{…}\n</answer>.' }] },
    ],
    turns: [
      {
        index: 0,
        text: `Zoom.\n${formatCodeBlock('print(image_clue_0.size)')}`,
        code: 'print(image_clue_0.size)',
        answer: null,
        parseError: null,
        observation: { text: obs, output: '(20, 10)\n', error: null, images: [1, 2], outputTruncated: false, figuresDropped: 0 },
        tokens: { count: 12, ids: [1, 2, 3], logprobs: [-0.5, -Infinity, -1.25], pieces: ['a', 'b', 'c'], visual: 8 },
        timings: { generateMs: 12.5, executeMs: 40.25 },
      },
      {
        index: 1,
        text: `Red.\n${formatAnswer('red')}`,
        code: null,
        answer: 'red',
        parseError: null,
        observation: null,
        tokens: { count: 6, visual: 0 },
        timings: { generateMs: 3, executeMs: 0 },
        edited: true,
      },
    ],
    endReason: 'DONE',
    reward: { accuracy: 1, toolCalls: 1, toolBonus: 0.1, total: 1.1 },
    visualTokens: 12,
    textTokens: 100,
    startedAt: '2026-01-01T00:00:00.000Z',
    wallMs: 55,
    branch: { parentId: 'traj-0', fromTurn: 1 },
  };
}

describe('record JSON', () => {
  it('export → import is deep-equal, pixels of every mode included', () => {
    const t = sample();
    const back = fromRecordJson(toRecordJson(t));
    expect(back).toEqual(t);
    expect(back.images[2]!.data).toBeInstanceOf(Uint8Array);
    expect(back.turns[0]!.tokens.logprobs![1]).toBe(-Infinity);
  });

  it('PNG data URLs are lossless', () => {
    for (const p of [img(3, 3, 1, 9), img(17, 5, 3, 4), img(2, 9, 4, 7)]) expect(dataUrlToPixels(pixelsToDataUrl(p))).toEqual(p);
  });

  it('malformed files give a clear error naming what is wrong', () => {
    const good = JSON.parse(toRecordJson(sample()));
    const variant = (mutate: (o: any) => void) => {
      const o = structuredClone(good);
      mutate(o);
      return JSON.stringify(o);
    };
    expect(() => fromRecordJson('{not json')).toThrow(/JSON is malformed/);
    expect(() => fromRecordJson('[]')).toThrow(/Invalid trajectory file/);
    expect(() => fromRecordJson(variant((o) => (o.format = 'something-else')))).toThrow(/format/);
    expect(() => fromRecordJson(variant((o) => (o.trajectory.turns[1].tokens.count = 'six')))).toThrow(/trajectory\.turns\[1\]\.tokens\.count/);
    expect(() => fromRecordJson(variant((o) => (o.trajectory.endReason = 'FINISHED')))).toThrow(/trajectory\.endReason/);
    expect(() => fromRecordJson(variant((o) => (o.trajectory.turns[0].surprise = 1)))).toThrow(/trajectory\.turns\[0\].*surprise/);
    expect(() => fromRecordJson(variant((o) => delete o.trajectory.prompt))).toThrow(/trajectory\.prompt/);
    expect(() => fromRecordJson(variant((o) => (o.trajectory.images[1] = 'data:image/png;base64,AAAA')))).toThrow(/trajectory\.images\[1\]/);
    expect(() => fromRecordJson(variant((o) => (o.trajectory.images[1] = 'http://example.com/x.png')))).toThrow(/trajectory\.images\[1\]: not a base64 data URL/);
    expect(() => fromRecordJson(variant((o) => o.trajectory.images.pop()))).toThrow(/observation\.images\[1\]: image 2 does not exist/);
    expect(() => fromRecordJson(variant((o) => (o.trajectory.turns[1].index = 5)))).toThrow(/turns\[1\]\.index: expected 1/);
  });
});

describe('OpenAI messages', () => {
  it('has the shape PyVision saves: role + content parts, images as data URLs between clue tags', () => {
    const msgs = toOpenAIMessages(sample());
    expect(msgs.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant']);
    expect(msgs[1]!.content[1]).toEqual({ type: 'image_url', image_url: { url: expect.stringMatching(/^data:image\/png;base64,/) } });
    expect(msgs[3]!.content.map((p) => (p.type === 'text' ? p.text : '#'))).toEqual([
      '<interpreter>Text Result:\n(20, 10)\nImage Result:\n<image_clue_1>',
      '#',
      '</image_clue_1><image_clue_2>',
      '#',
      '</image_clue_2></interpreter>',
    ]);
  });

  it('export → import keeps the conversation (re-export is identical)', () => {
    const t = sample();
    const msgs = toOpenAIMessages(t);
    const back = fromOpenAIMessages({ messages: msgs }, { id: 'x' });
    expect(toOpenAIMessages(back)).toEqual(msgs);
    expect(back.images).toEqual(t.images);
    expect(back.task.question).toBe('Colour?');
    expect(back.turns[0]!.observation!.output).toBe('(20, 10)');
    expect(back.turns[0]!.code).toBe(t.turns[0]!.code);
    expect(back.endReason).toBe('DONE');
  });

  it("imports a file in PyVision's own shape (no system message, jpeg-labelled PNGs, string content)", () => {
    const png = pixelsToDataUrl(img(6, 4, 3, 5)).replace('image/png', 'image/jpeg');
    const file = [
      { role: 'user', content: [{ type: 'text', text: '<image_clue_0>' }, { type: 'image_url', image_url: { url: png } }, { type: 'text', text: '</image_clue_0>\n\nWhat is shown?' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Look.\n<code>\n```python\nprint(1)\n```\n</code>\n' }] },
      { role: 'user', content: [{ type: 'text', text: '<interpreter>\nText Result:\n1\nImage Result:\n' }, { type: 'text', text: 'None' }, { type: 'text', text: '</interpreter>\n' }] },
      { role: 'assistant', content: '<answer>\n\\boxed{a cat}\n</answer>' },
    ];
    const t = fromOpenAIMessages(JSON.stringify(file));
    expect(t.prompt).toHaveLength(1);
    expect(t.task.media).toEqual({ kind: 'image', width: 6, height: 4 });
    expect(t.task.question).toContain('What is shown?');
    expect(t.turns.map((x) => [x.code, x.answer])).toEqual([['print(1)', null], [null, 'a cat']]);
    expect(t.endReason).toBe('DONE');
  });

  it('rejects malformed message files clearly', () => {
    expect(() => fromOpenAIMessages('nope')).toThrow(/JSON is malformed/);
    expect(() => fromOpenAIMessages([{ role: 'tool', content: 'x' }])).toThrow(/Invalid messages file: \[0\]\.role/);
    expect(() => fromOpenAIMessages([{ role: 'assistant', content: 'x' }])).toThrow(/start with the prompt/);
    expect(() =>
      fromOpenAIMessages([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,Zm9v' } }] }]),
    ).toThrow(/\[0\]\.content\[0\]/);
    expect(() => fromOpenAIMessages([{ role: 'user', content: 'q' }, { role: 'user', content: 'again' }, { role: 'assistant', content: 'a' }, { role: 'user', content: 'o' }, { role: 'user', content: 'o2' }])).toThrow(
      /\[4\]: expected an assistant message/,
    );
  });
});
