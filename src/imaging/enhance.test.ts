/** Blend, kernel filters, enhancers and point ops, checked against hand-computed pixels. */
import { describe, expect, it } from 'vitest';
import type { Pixels } from '../runtime/types';
import { blend, degenerate, enhance, filterKernel } from './enhance';
import { applyLut, autocontrast, histogram, invert } from './ops';

const L = (w: number, h: number, values: number[]): Pixels => ({ width: w, height: h, channels: 1, data: Uint8Array.from(values) });
const px = (p: Pixels) => Array.from(p.data);

describe('blend', () => {
  it('interpolates with truncation and extrapolates with clipping', () => {
    const a = L(3, 1, [0, 100, 200]);
    const b = L(3, 1, [100, 100, 0]);
    expect(px(blend(a, b, 0.5))).toEqual([50, 100, 100]);
    expect(px(blend(a, b, 0.3))).toEqual([30, 100, 140]);
    // 1.7: 0 + 1.7·100 = 170; 200 + 1.7·(−200) = −140 → 0
    expect(px(blend(a, b, 1.7))).toEqual([170, 100, 0]);
    expect(px(blend(a, b, 0))).toEqual(px(a));
  });
});

describe('kernel filters', () => {
  it('SMOOTH: weighted mean of the 3×3 neighbourhood, border copied', () => {
    const im = L(3, 3, [0, 0, 0, 0, 130, 0, 0, 0, 0]);
    const out = filterKernel(im, 3, [1, 1, 1, 1, 5, 1, 1, 1, 1], 13, 0);
    // centre: 130·5/13 = 50; everything else is border and stays.
    expect(px(out)).toEqual([0, 0, 0, 0, 50, 0, 0, 0, 0]);
    const ones = L(3, 3, [13, 13, 13, 13, 0, 13, 13, 13, 13]);
    // (8·13)/13 = 8, +0.5 rounding → 8
    expect(px(filterKernel(ones, 3, [1, 1, 1, 1, 5, 1, 1, 1, 1], 13, 0))[4]).toBe(8);
  });

  it('leaves images smaller than the kernel unchanged', () => {
    const im = L(2, 2, [1, 2, 3, 4]);
    expect(px(filterKernel(im, 3, [1, 1, 1, 1, 5, 1, 1, 1, 1], 13, 0))).toEqual([1, 2, 3, 4]);
  });
});

describe('enhancers', () => {
  it('Brightness blends with black, Contrast with the mean grey', () => {
    const im = L(2, 1, [100, 200]);
    expect(px(enhance(im, 'brightness', 0.5))).toEqual([50, 100]);
    // mean 150 → degenerate 150; 0.5 → 125, 175
    expect(px(degenerate(im, 'contrast'))).toEqual([150, 150]);
    expect(px(enhance(im, 'contrast', 0.5))).toEqual([125, 175]);
    expect(px(enhance(im, 'contrast', 1))).toEqual([100, 200]);
  });

  it('keeps the alpha band of RGBA images', () => {
    const rgba: Pixels = { width: 1, height: 1, channels: 4, data: Uint8Array.from([100, 50, 20, 77]) };
    expect(px(enhance(rgba, 'brightness', 0.5))).toEqual([50, 25, 10, 77]);
  });
});

describe('point ops', () => {
  it('histogram counts per band', () => {
    const h = histogram({ width: 2, height: 1, channels: 3, data: Uint8Array.from([1, 2, 3, 1, 5, 6]) });
    expect(h).toHaveLength(768);
    expect(h[1]).toBe(2);
    expect(h[256 + 2]).toBe(1);
    expect(h[512 + 6]).toBe(1);
  });

  it('invert and lut', () => {
    expect(px(invert(L(2, 1, [0, 200])))).toEqual([255, 55]);
    expect(() => invert({ width: 1, height: 1, channels: 4, data: new Uint8Array(4) })).toThrow('not supported for this image mode');
    expect(px(applyLut(L(2, 1, [0, 3]), Array.from({ length: 256 }, (_, i) => i * 2)))).toEqual([0, 6]);
  });

  it('autocontrast stretches lo..hi to 0..255 (Pillow 9.4 rules)', () => {
    // lo 50, hi 150: scale 2.55, offset −127.5 → 50→0, 100→127, 150→255
    expect(px(autocontrast(L(3, 1, [50, 100, 150])))).toEqual([0, 127, 255]);
    // cutoff 34% of 3 pixels = 1 pixel from each end: lo = hi = 100 → identity
    expect(px(autocontrast(L(3, 1, [50, 100, 150]), { cutoff: 34 }))).toEqual([50, 100, 150]);
    // ignore 150: lo 50, hi 100, scale 5.1: 100·5.1 − 255 = 254.99999999999997 in doubles → 254
    // (Pillow computes the same), and 150 maps above 255 → clipped.
    expect(px(autocontrast(L(3, 1, [50, 100, 150]), { ignore: 150 }))).toEqual([0, 254, 255]);
  });
});
