/**
 * Generators: deterministic per seed, and their answers right — checked from the rendered
 * PIXELS with perception.ts (an independent reader), not from the generators' bookkeeping.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Pixels } from '../runtime/types';
import { makeCountingTask } from './counting';
import { countBlobs, findBlobs, readTarget } from './perception';
import { Rng, hashSeed } from './rng';
import { SUITE_NAMES, makeSuite, makeTask, suiteTask } from './suites';
import type { Task } from './types';
import { makeUserTask } from './userTask';
import { partOf, type ClipSpec } from './videoEvents';
import { makeVideoTask } from './videoEvents';
import { makeVisualSearchTask, quadrantOf } from './visualSearch';

const hash = (p: Pixels) => createHash('sha256').update(p.data).digest('hex');
const image = (t: Task) => (t.media.kind === 'image' ? t.media.image : null)!;

describe('rng', () => {
  it('is deterministic, seed-sensitive and roughly uniform', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(new Rng(8).next()).not.toBe(new Rng(7).next());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(hashSeed('a', 1)).not.toBe(hashSeed('a', 2));
    expect(hashSeed('ab', 'c')).not.toBe(hashSeed('a', 'bc'));
  });
});

describe('determinism', () => {
  it.each(['visual-search', 'counting'] as const)('%s: same seed → same pixels and question; other seed differs', (family) => {
    const a = makeTask(family, { seed: 11 });
    const b = makeTask(family, { seed: 11 });
    const c = makeTask(family, { seed: 12 });
    expect(hash(image(a))).toBe(hash(image(b)));
    expect(a.question).toBe(b.question);
    expect(a.answer).toBe(b.answer);
    expect(a.truth).toEqual(b.truth);
    expect(hash(image(c))).not.toBe(hash(image(a)));
  });

  it('video-events: same seed → same frames; other seed differs', async () => {
    const a = makeVideoTask({ seed: 5 });
    const b = makeVideoTask({ seed: 5 });
    const c = makeVideoTask({ seed: 6 });
    if (a.media.kind !== 'video' || b.media.kind !== 'video' || c.media.kind !== 'video') throw new Error('not video');
    expect(a.question).toBe(b.question);
    const n = a.media.video.meta.frameCount;
    for (const i of [0, Math.floor(n / 2), n - 1]) expect(hash(await a.media.video.getFrame(i))).toBe(hash(await b.media.video.getFrame(i)));
    expect(hash(await c.media.video.getFrame(0))).not.toBe(hash(await a.media.video.getFrame(0)));
    // Random access: a fresh clip asked for its last frame first draws the same pixels.
    const fresh = makeVideoTask({ seed: 5 });
    if (fresh.media.kind !== 'video') throw new Error('not video');
    expect(hash(await fresh.media.video.getFrame(n - 1))).toBe(hash(await a.media.video.getFrame(n - 1)));
  });

  it('suites are reproducible and every named suite builds', () => {
    expect(makeSuite('counting', 3, 1).map((t) => t.id)).toEqual(makeSuite('counting', 3, 1).map((t) => t.id));
    expect(makeSuite('counting', 3, 1)[0]!.id).not.toBe(makeSuite('counting', 3, 2)[0]!.id);
    for (const name of SUITE_NAMES) expect(suiteTask(name, 0, 1).question.length).toBeGreaterThan(10);
    expect(makeSuite('visual-search-small', 2, 1).every((t) => t.difficulty === 'small')).toBe(true);
    expect(() => makeSuite('nope', 1, 1)).toThrow(/unknown suite/);
  });

  it('the glance suite: one big object alone, its colour asked', () => {
    for (const t of makeSuite('visual-search-glance', 4, 2)) {
      if (t.media.kind !== 'image') throw new Error('not an image task');
      const { width: W, height: H } = t.media.image;
      const b = t.truth.boxes![0]!;
      expect(t.truth.question).toBe('colour');
      expect(t.truth.distractors).toBe(0);
      expect(Math.max(b.x1 - b.x0, b.y1 - b.y0) / Math.max(W, H)).toBeGreaterThan(0.2);
      // A small canvas, so the demo's tool calls stay cheap.
      expect(Math.max(W, H)).toBeGreaterThanOrEqual(448);
      expect(Math.max(W, H)).toBeLessThanOrEqual(768);
    }
  });
});

describe('visual search', () => {
  it('the target at its box has the answer, and exactly one object carries the naming attribute', () => {
    for (let seed = 0; seed < 9; seed++) {
      const question = (['colour', 'shape', 'position'] as const)[seed % 3];
      const difficulty = (['small', 'medium', 'large'] as const)[Math.floor(seed / 3)];
      const t = makeVisualSearchTask({ seed, question, difficulty });
      const img = image(t);
      const b = t.truth.boxes![0]!;
      const r = readTarget(img, b, 2);
      const c = r.box!;
      const seen = question === 'colour' ? r.colour : question === 'shape' ? r.shape : quadrantOf((c.x0 + c.x1) / 2, (c.y0 + c.y1) / 2, img.width, img.height);
      expect(seen, `${t.id} (${difficulty} ${question})`).toBe(t.answer);
      const blobs = findBlobs(img, { minArea: 20 });
      const naming = question === 'shape' ? blobs.filter((x) => x.colour === r.colour) : blobs.filter((x) => x.shape === r.shape);
      expect(naming.length, `${t.id}: objects matching the name`).toBe(1);
    }
  });

  it('difficulty is the target size relative to the canvas', () => {
    const rel = (d: 'small' | 'large') => {
      const t = makeVisualSearchTask({ seed: 3, difficulty: d });
      return t.truth.relativeSize as number;
    };
    expect(rel('small')).toBeLessThan(0.01);
    expect(rel('large')).toBeGreaterThan(0.05);
  });

  it('renders a canvas at the top of the size range (speed is measured by npm run bench:tasks)', () => {
    const t = makeVisualSearchTask({ seed: 1, difficulty: 'small', canvasSize: [2048, 2048] });
    expect(image(t).width === 2048 || image(t).height === 2048).toBe(true);
  });
});

describe('counting', () => {
  it('the answer equals the connected components of the asked kind in the pixels', () => {
    for (let seed = 0; seed < 9; seed++) {
      const question = (['colour', 'shape', 'both'] as const)[seed % 3];
      const difficulty = (['small', 'medium', 'large'] as const)[Math.floor(seed / 3)];
      const t = makeCountingTask({ seed, question, difficulty });
      const query = { ...(t.truth.colour ? { colour: t.truth.colour as never } : {}), ...(t.truth.shape ? { shape: t.truth.shape as never } : {}) };
      expect(String(countBlobs(image(t), query, 20)), `${t.id} (${difficulty} ${question})`).toBe(t.answer);
      expect(t.answerSpec).toEqual({ kind: 'number', value: Number(t.answer), tolerance: 0 });
    }
  });
});

describe('video events', () => {
  it('the event is visible at its box exactly in its window, and the answers follow', async () => {
    for (let seed = 0; seed < 8; seed++) {
      const question = (['what-colour', 'what-shape', 'when', 'order'] as const)[seed % 4];
      const t = makeVideoTask({ seed, question, difficulty: seed < 4 ? 'small' : 'large' });
      if (t.media.kind !== 'video') throw new Error('not video');
      const video = t.media.video;
      const clip = t.truth.clip as ClipSpec;
      const n = video.meta.frameCount;
      expect(n).toBeGreaterThanOrEqual(48);
      for (const e of clip.events) {
        const [a, b] = e.frames;
        for (const f of [a, Math.floor((a + b) / 2), b]) {
          const r = readTarget(await video.getFrame(f), e.box, 1);
          expect([r.colour, r.shape], `${t.id} frame ${f}`).toEqual([e.colour, e.kind]);
        }
        for (const f of [a - 1, b + 1].filter((f) => f >= 0 && f < n)) {
          const r = readTarget(await video.getFrame(f), e.box, 1);
          expect(r.colour === e.colour && r.shape === e.kind, `${t.id} frame ${f} should not show it`).toBe(false);
        }
      }
      const e0 = clip.events[0]!;
      if (question === 'what-colour') expect(t.answer).toBe(e0.colour);
      if (question === 'what-shape') expect(t.answer).toBe(e0.kind);
      if (question === 'when') {
        expect(t.answer).toBe(partOf(e0.frames[0], n));
        expect(t.answer).toBe(partOf(e0.frames[1], n)); // the window sits inside one third
      }
      if (question === 'order') {
        expect(clip.events[1]!.frames[0]).toBeGreaterThan(e0.frames[1]);
        expect(t.answer).toBe(`${e0.colour} ${e0.kind}`);
      }
    }
  });

  it('short events are short and long ones long (difficulty)', () => {
    const len = (d: 'small' | 'large') => {
      const t = makeVideoTask({ seed: 2, difficulty: d, question: 'when' });
      const [a, b] = t.truth.eventFrames!;
      return (b - a + 1) / (t.media.kind === 'video' ? t.media.video.meta.frameCount : 1);
    };
    expect(len('small')).toBeLessThan(0.08);
    expect(len('large')).toBeGreaterThan(0.18);
  });
});

describe('robustness', () => {
  it('every family × question × bucket generates, also on the smallest canvases', () => {
    for (let seed = 0; seed < 12; seed++) {
      for (const difficulty of ['small', 'medium', 'large'] as const) {
        for (const question of ['colour', 'shape', 'position'] as const) {
          const t = makeVisualSearchTask({ seed, difficulty, question, canvasSize: [256, 420] });
          expect(t.truth.boxes).toHaveLength(1);
        }
        for (const question of ['colour', 'shape', 'both'] as const) expect(Number(makeCountingTask({ seed, difficulty, question, canvasSize: [256, 420] }).answer)).toBeGreaterThan(0);
        for (const question of ['what-colour', 'what-shape', 'when', 'order'] as const) {
          const t = makeVideoTask({ seed, difficulty, question, frames: 48 });
          expect(t.truth.eventFrames![1]).toBeLessThan(48);
        }
      }
    }
  });
});

describe('user task', () => {
  it('has no answer and no checker', () => {
    const t = makeUserTask({ question: 'What is this?', image: { width: 2, height: 2, channels: 3, data: new Uint8Array(12) } });
    expect(t.answer).toBeNull();
    expect(t.answerSpec).toBeNull();
    expect(t.family).toBe('user');
    expect(() => makeUserTask({ question: ' ' })).toThrow(/empty/);
  });
});
