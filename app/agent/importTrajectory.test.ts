import { describe, expect, it } from 'vitest';
import { toOpenAIMessages, toRecordJson } from '../../src/agent/exportFormats';
import { INTERACTIVE_LOOP, type Trajectory } from '../../src/agent/types';
import { parseTrajectoryFile } from './importTrajectory';

const image = { width: 2, height: 1, channels: 3 as const, data: new Uint8Array([255, 0, 0, 0, 0, 255]) };
const trajectory: Trajectory = {
  version: 1,
  id: 'abc',
  task: { id: 'user-1', family: 'user', question: 'What?', answer: null, difficulty: null, media: { kind: 'image', width: 2, height: 1 } },
  policy: { name: 'you', kind: 'human' },
  config: { ...INTERACTIVE_LOOP },
  images: [image],
  prompt: [
    { role: 'system', content: [{ type: 'text', text: 'sys' }] },
    { role: 'user', content: [{ type: 'image', image: 0 }, { type: 'text', text: 'Question: What?' }] },
  ],
  turns: [
    {
      index: 0,
      text: 'Done.\n<answer>\n\\boxed{x}\n</answer>',
      code: null,
      answer: 'x',
      parseError: null,
      observation: null,
      tokens: { count: 5, visual: 0 },
      timings: { generateMs: 1, executeMs: 0 },
    },
  ],
  endReason: 'DONE',
  reward: null,
  visualTokens: 4,
  textTokens: 10,
  startedAt: '2026-01-01T00:00:00.000Z',
  wallMs: 3,
};

describe('parseTrajectoryFile', () => {
  it('reads our record back to the same trajectory', () => {
    const { trajectory: t, format } = parseTrajectoryFile(toRecordJson(trajectory), 'a.json');
    expect(format).toBe('record');
    expect(t).toEqual(trajectory);
  });
  it('reads OpenAI messages as a new imported trajectory', () => {
    const { trajectory: t, format } = parseTrajectoryFile(JSON.stringify(toOpenAIMessages(trajectory)), 'm.json');
    expect(format).toBe('openai');
    expect(t.id).toMatch(/^imported-/);
    expect(t.turns.map((x) => x.answer)).toEqual(['x']);
    expect(t.images[0]).toEqual(image);
  });
  it('names the file and the problem when it is malformed', () => {
    expect(() => parseTrajectoryFile('{', 'bad.json')).toThrow(/bad\.json.*not JSON/);
    expect(() => parseTrajectoryFile(JSON.stringify({ format: 'pyvision-playground/trajectory', trajectory: {} }), 'x.json')).toThrow(/x\.json.*Invalid trajectory file/);
    expect(() => parseTrajectoryFile(JSON.stringify([{ role: 'bot', content: 'x' }]), 'y.json')).toThrow(/Invalid messages file/);
    expect(() => parseTrajectoryFile('42', 'z.json')).toThrow(/z\.json/);
  });
});
