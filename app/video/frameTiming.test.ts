import { describe, expect, it } from 'vitest';
import {
  continueForward,
  frameCountFromSpan,
  frameIndexAt,
  frameLookupTime,
  looksLikeAvi,
  rgbaToRgbFast,
  rgbToRgba,
  LruCache,
  scaledFrameSize,
  SerialQueue,
  withTimeout,
} from './frameTiming';

/** The last frame start ≤ t, as the decoders pick it: the reference semantics of frame i. */
function frameShownAt(starts: number[], t: number): number {
  let k = 0;
  for (let j = 0; j < starts.length; j++) if (starts[j]! <= t) k = j;
  return k;
}

describe('frame index ↔ time', () => {
  it('frame i is the i-th frame of a constant-rate clip, even with millisecond-rounded timestamps', () => {
    for (const fps of [24, 25, 30, 30000 / 1001, 50, 60]) {
      const n = 200;
      // WebM stores milliseconds: frame k starts at round(1000 k / fps) ms.
      const rounded = Array.from({ length: n }, (_, k) => Math.round((1000 * k) / fps) / 1000);
      // MP4 with a 1/90000 time base.
      const exact = Array.from({ length: n }, (_, k) => Math.round((90000 * k) / fps) / 90000);
      for (let i = 0; i < n; i++) {
        expect(frameShownAt(rounded, frameLookupTime(i, fps))).toBe(i);
        expect(frameShownAt(exact, frameLookupTime(i, fps))).toBe(i);
      }
    }
  });

  it('the lookup instant lies inside frame i, a quarter frame after its start', () => {
    expect(frameLookupTime(0, 25)).toBeCloseTo(0.01, 12);
    expect(frameLookupTime(10, 25)).toBeCloseTo(0.41, 12);
    expect(frameIndexAt(frameLookupTime(37, 30), 30, 100)).toBe(37);
    expect(frameIndexAt(99, 30, 100)).toBe(99); // clamped to the last frame
    expect(frameIndexAt(-1, 30, 100)).toBe(0);
  });

  it('a variable-rate clip maps each index to the frame on screen then', () => {
    // Frames at 0, 0.1, 0.3 (a long frame), 0.35 s; indexed at 10 fps.
    const starts = [0, 0.1, 0.3, 0.35];
    const picked = [0, 1, 2, 3, 4].map((i) => frameShownAt(starts, frameLookupTime(i, 10)));
    expect(picked).toEqual([0, 1, 1, 2, 3]);
    expect(frameCountFromSpan(0, 0.35, 10)).toBe(5); // round(3.5) + 1
  });

  it('counts frames from the first and last frame starts, not the last duration', () => {
    expect(frameCountFromSpan(0, 2.96, 25)).toBe(75); // 75 frames, 25 fps
    expect(frameCountFromSpan(0, 2.967, 30)).toBe(90); // WebM ms rounding
    expect(frameCountFromSpan(1.5, 1.5 + 2.96, 25)).toBe(75); // a clip that does not start at 0
    expect(frameCountFromSpan(0, 0, 30)).toBe(1); // one frame
    expect(frameCountFromSpan(0, (30000 / 1001) * 0 + 299 * (1001 / 30000), 30000 / 1001)).toBe(300);
  });
});

describe('scaledFrameSize', () => {
  it('keeps small frames and scales big ones to the max side, keeping the aspect', () => {
    expect(scaledFrameSize(384, 288, 1920)).toEqual({ width: 384, height: 288, scaled: false });
    expect(scaledFrameSize(3840, 2160, 1920)).toEqual({ width: 1920, height: 1080, scaled: true });
    expect(scaledFrameSize(1080, 3840, 1920)).toEqual({ width: 540, height: 1920, scaled: true });
  });
});

describe('continueForward', () => {
  const fps = 25;
  it('keeps decoding forward when no key frame lies between the position and the target', () => {
    expect(continueForward(1.0, 1.04, 0, fps)).toBe(true); // next frame
    expect(continueForward(1.0, 3.0, 0.5, fps)).toBe(true); // sparse step inside a long GOP
  });
  it('tolerates a key frame a few frames ahead, restarts past that', () => {
    expect(continueForward(1.0, 1.2, 1.08, fps)).toBe(true); // key 2 frames ahead
    expect(continueForward(1.0, 5.0, 4.0, fps)).toBe(false); // key 75 frames ahead: jump
  });
  it('restarts for a target behind the position', () => {
    expect(continueForward(2.0, 1.0, 0, fps)).toBe(false);
    expect(continueForward(2.0, 2.0, 0, fps)).toBe(true);
  });
  it('keeps on when the key frame is unknown', () => {
    expect(continueForward(2.0, 3.0, null, fps)).toBe(true);
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const c = new LruCache<number, string>(3);
    c.set(1, 'a');
    c.set(2, 'b');
    c.set(3, 'c');
    expect(c.get(1)).toBe('a'); // 1 is now the most recent
    c.set(4, 'd');
    expect(c.has(2)).toBe(false);
    expect(c.keys()).toEqual([3, 1, 4]);
  });
  it('evicts by bytes, replaces in place and refuses entries over the budget', () => {
    const c = new LruCache<string, number>(10, 100);
    c.set('a', 1, 40);
    c.set('b', 2, 40);
    c.set('c', 3, 40); // 120 > 100: 'a' goes
    expect(c.keys()).toEqual(['b', 'c']);
    expect(c.bytes).toBe(80);
    c.set('b', 22, 10);
    expect(c.bytes).toBe(50);
    expect(c.get('b')).toBe(22);
    c.set('huge', 9, 101);
    expect(c.has('huge')).toBe(false);
    expect(c.size).toBe(2);
    c.delete('c');
    expect(c.bytes).toBe(10);
    c.clear();
    expect(c.size).toBe(0);
    expect(c.bytes).toBe(0);
  });
});

describe('withTimeout / SerialQueue', () => {
  it('rejects with the given error when the promise is too slow, passes results through otherwise', async () => {
    await expect(withTimeout(new Promise(() => {}), 20, () => new Error('too slow'))).rejects.toThrow('too slow');
    await expect(withTimeout(Promise.resolve(7), 1000, () => new Error('x'))).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000, () => new Error('x'))).rejects.toThrow('boom');
  });
  it('runs tasks one at a time in call order, and a failure does not block the next', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) => () =>
      new Promise<string>((resolve, reject) => {
        log.push(`start ${name}`);
        setTimeout(() => {
          log.push(`end ${name}`);
          if (fail) reject(new Error(name));
          else resolve(name);
        }, ms);
      });
    const results = await Promise.allSettled([q.run(task('a', 30)), q.run(task('b', 5, true)), q.run(task('c', 1))]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('looksLikeAvi', () => {
  const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  it('recognises AVI by magic, extension or type', () => {
    expect(looksLikeAvi(bytes('RIFF\x10\x00\x00\x00AVI '), 'clip.bin', '')).toBe(true);
    expect(looksLikeAvi(bytes('xxxx'), 'Clip.AVI', '')).toBe(true);
    expect(looksLikeAvi(bytes('xxxx'), 'clip', 'video/x-msvideo')).toBe(true);
    expect(looksLikeAvi(bytes('RIFF\x10\x00\x00\x00WAVE'), 'a.wav', 'audio/wav')).toBe(false);
    expect(looksLikeAvi(bytes('\x00\x00\x00\x20ftypisom'), 'a.mp4', 'video/mp4')).toBe(false);
  });
});

describe('rgbaToRgbFast / rgbToRgba', () => {
  it('drops alpha exactly like a byte loop, for any pixel count and offset', () => {
    for (const [w, h] of [[1, 1], [3, 1], [4, 1], [5, 3], [64, 37]] as const) {
      const n = w * h;
      const rgba = Uint8Array.from({ length: n * 4 }, (_, i) => (i * 37 + 11) & 255);
      const want = Uint8Array.from({ length: n * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]!);
      expect(rgbaToRgbFast(rgba, w, h)).toEqual({ width: w, height: h, channels: 3, data: want });
      // An unaligned view takes the byte path.
      const shifted = new Uint8Array(n * 4 + 1);
      shifted.set(rgba, 1);
      expect(rgbaToRgbFast(shifted.subarray(1), w, h).data).toEqual(want);
      const back = new Uint8ClampedArray(n * 4);
      rgbToRgba(want, back);
      expect(Array.from(back)).toEqual(Array.from(rgba, (v, i) => (i % 4 === 3 ? 255 : v)));
    }
  });
});
