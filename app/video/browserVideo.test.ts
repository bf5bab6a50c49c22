import { describe, expect, it } from 'vitest';
import { estimateFps, frameCountOf, isVideoFile } from './browserVideo';

const samples = (fps: number, frames: number[]) => frames.map((f) => ({ mediaTime: f / fps, presentedFrames: f + 1 }));

describe('estimateFps', () => {
  it('measures the rate from consecutive frame callbacks', () => {
    expect(estimateFps(samples(8, [0, 1, 2, 3, 4, 5]))).toBe(8);
    expect(estimateFps(samples(25, [3, 4, 5, 6, 7]))).toBe(25);
  });
  it('copes with skipped frames, with and without presentedFrames noticing', () => {
    expect(estimateFps(samples(30, [0, 2, 3, 6, 7, 8]))).toBe(30);
    const unnoticed = [0, 2, 3, 6, 7].map((f, i) => ({ mediaTime: f / 24, presentedFrames: i }));
    expect(estimateFps(unnoticed)).toBe(24);
  });
  it('snaps to NTSC rates and gives null without data', () => {
    expect(estimateFps(samples(30000 / 1001, [0, 1, 2, 3]))).toBeCloseTo(29.97, 2);
    expect(estimateFps([{ mediaTime: 0, presentedFrames: 1 }])).toBeNull();
    expect(estimateFps([])).toBeNull();
  });
});

describe('frameCountOf / isVideoFile', () => {
  it('counts frames from the duration', () => {
    expect(frameCountOf(4, 8)).toBe(32);
    expect(frameCountOf(4.01, 8)).toBe(32);
    expect(frameCountOf(0.01, 30)).toBe(1);
  });
  it('accepts video types and known extensions only', () => {
    expect(isVideoFile(new Blob([], { type: 'video/webm' }), 'a')).toBe(true);
    expect(isVideoFile(new Blob([]), 'clip.MP4')).toBe(true);
    expect(isVideoFile(new Blob([], { type: 'image/png' }), 'a.png')).toBe(false);
  });
});
