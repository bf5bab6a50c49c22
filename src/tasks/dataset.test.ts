import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodePngBytes } from '../imaging';
import type { Pixels } from '../runtime/types';
import { exportDataset, importDataset } from './dataset';
import { makeTask } from './suites';
import { makeUserTask } from './userTask';
import { makeVideoTask } from './videoEvents';

const hash = (p: Pixels) => createHash('sha256').update(p.data).digest('hex');

describe('dataset export → import', () => {
  it('round-trips image, video and user tasks exactly', async () => {
    const video = makeVideoTask({ seed: 3, frames: 48 });
    const tasks = [
      makeTask('visual-search', { seed: 1, difficulty: 'large' }),
      makeTask('counting', { seed: 2, difficulty: 'large' }),
      video,
      makeUserTask({ question: 'What is drawn here?', image: { width: 3, height: 2, channels: 3, data: new Uint8Array(18).fill(9) } }),
    ];
    const out = await exportDataset(tasks);
    const rows = out.jsonl.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(4);
    // PyVision-RL's row shape.
    for (const r of rows) for (const k of ['id', 'question', 'answer', 'ability', 'data_source']) expect(r).toHaveProperty(k);
    expect(rows[0].image_path).toBe(`images/${tasks[0]!.id}.png`);
    expect(rows[2].video_path).toBe(`videos/${video.id}`);
    expect(Object.keys(out.files).filter((f) => f.startsWith(`videos/${video.id}/frame_`))).toHaveLength(48);
    expect(rows[3].answer).toBe('');

    const back = importDataset(out.jsonl, out.files);
    expect(back.map((t) => t.id)).toEqual(tasks.map((t) => t.id));
    for (const [a, b] of back.map((t, i) => [t, tasks[i]!] as const)) {
      expect(a.question).toBe(b.question);
      expect(a.answer).toBe(b.answer);
      expect(a.answerSpec).toEqual(b.answerSpec);
      expect(a.difficulty).toBe(b.difficulty);
      expect(a.family).toBe(b.family);
      expect(a.truth).toEqual(b.truth);
      if (a.media.kind === 'image' && b.media.kind === 'image') expect(hash(a.media.image)).toBe(hash(b.media.image));
      if (a.media.kind === 'video' && b.media.kind === 'video') {
        expect(a.media.video.meta).toEqual(b.media.video.meta);
        for (const i of [0, 20, 47]) expect(hash(await a.media.video.getFrame(i))).toBe(hash(await b.media.video.getFrame(i)));
      }
    }
    // Importing what an import would export again gives the same text.
    expect((await exportDataset(back)).jsonl).toBe(out.jsonl);
  });

  it('imports rows made elsewhere (no extra_info) as user tasks with a text or number answer', () => {
    const png = encodePngBytes({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) });
    const jsonl = [
      JSON.stringify({ id: 'vstar-1', question: 'Colour of the cup?', answer: 'red', ability: 'vstar', data_source: 'vstar', image_path: 'a.png' }),
      JSON.stringify({ id: 'count-1', question: 'How many?', answer: '3', ability: 'count', data_source: 'x', image_path: 'a.png' }),
    ].join('\n');
    const [a, b] = importDataset(jsonl, { 'a.png': png });
    expect(a!.family).toBe('user');
    expect(a!.answerSpec).toEqual({ kind: 'text', accepted: ['red'] });
    expect(b!.answerSpec).toEqual({ kind: 'number', value: 3, tolerance: 0 });
  });

  describe('malformed input gives a clear error with the line', () => {
    const png = encodePngBytes({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) });
    const ok = { id: 'a', question: 'q?', answer: 'x', ability: 'a', data_source: 'd', image_path: 'a.png' };
    const files = { 'a.png': png, 'bad.png': new Uint8Array([1, 2, 3]), 'v/meta.json': new TextEncoder().encode('{"width":2}') };
    it.each([
      ['{not json', /line 1: not valid JSON/],
      [JSON.stringify({ ...ok, question: undefined }), /line 1: malformed row \(question/],
      [JSON.stringify({ ...ok, video_path: 'v' }), /exactly one of image_path or video_path/],
      [JSON.stringify({ ...ok, image_path: undefined }), /exactly one of image_path or video_path/],
      [JSON.stringify({ ...ok, image_path: 'missing.png' }), /line 1 \(a\): cannot read image 'missing.png': media file 'missing.png' is missing/],
      [JSON.stringify({ ...ok, image_path: 'bad.png' }), /cannot read image 'bad.png'/],
      [JSON.stringify({ ...ok, image_path: undefined, video_path: 'v' }), /malformed meta.json/],
      [JSON.stringify({ ...ok, image_path: undefined, video_path: 'movie.mp4' }), /frames folder/],
      [JSON.stringify({ ...ok, id: '../etc' }), /id may only contain/],
      [JSON.stringify({ ...ok, extra_info: { family: 'nope' } }), /extra_info/],
      [`${JSON.stringify(ok)}\n\n${JSON.stringify(ok)}`, /line 3: duplicate id 'a'/],
    ])('%s', (jsonl, message) => {
      expect(() => importDataset(jsonl, files)).toThrow(message);
    });
  });
});
