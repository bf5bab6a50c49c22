/** Pixel basics on tiny images whose expected values are worked out by hand. */
import { describe, expect, it } from 'vitest';
import type { Pixels } from '../runtime/types';
import {
  checkPixelLimit, convert, createPixels, crop, fillBox, getPixel, newImage, paste, premultiply, unpremultiply,
} from './pixels';

/** A w×h image whose pixel (x, y) band c is 10·y + x + 100·c (distinct, easy to read). */
function ramp(w: number, h: number, ch: 1 | 3 | 4): Pixels {
  const d = new Uint8Array(w * h * ch);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < ch; c++) d[(y * w + x) * ch + c] = 10 * y + x + 100 * c;
  return { width: w, height: h, channels: ch, data: d };
}

describe('size guard', () => {
  it('rejects images over the pixel limit with a clear message', () => {
    expect(() => checkPixelLimit(300, 200, 50_000)).toThrow('image of 300×200 exceeds the limit of 50000 pixels');
    expect(() => createPixels(10, 10, 3, 99)).toThrow(/exceeds the limit of 99 pixels/);
    expect(() => newImage(10, 10, 1, 0, 100)).not.toThrow();
  });
});

describe('newImage', () => {
  it('fills with ints, tuples and packed ABGR ints like Pillow', () => {
    expect(Array.from(newImage(2, 1, 1, 77).data)).toEqual([77, 77]);
    expect(Array.from(newImage(1, 1, 3, [1, 2, 3]).data)).toEqual([1, 2, 3]);
    expect(Array.from(newImage(1, 1, 4, [1, 2, 3]).data)).toEqual([1, 2, 3, 255]);
    // 0x123456 → R=0x56, G=0x34, B=0x12; RGBA 0 is transparent black.
    expect(Array.from(newImage(1, 1, 3, 0x123456).data)).toEqual([0x56, 0x34, 0x12]);
    expect(Array.from(newImage(1, 1, 4, 0).data)).toEqual([0, 0, 0, 0]);
  });
});

describe('convert', () => {
  it('computes L with the 16.16 ITU-R 601 formula', () => {
    const rgb: Pixels = { width: 3, height: 1, channels: 3, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 10, 200, 30]) };
    const l = convert(rgb, 1);
    const f = (r: number, g: number, b: number) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    expect(Array.from(l.data)).toEqual([f(255, 0, 0), f(0, 255, 0), f(10, 200, 30)]);
    expect(Array.from(l.data)).toEqual([76, 150, 124]);
  });

  it('expands L, adds/drops alpha', () => {
    const l: Pixels = { width: 2, height: 1, channels: 1, data: Uint8Array.from([5, 250]) };
    expect(Array.from(convert(l, 3).data)).toEqual([5, 5, 5, 250, 250, 250]);
    expect(Array.from(convert(l, 4).data)).toEqual([5, 5, 5, 255, 250, 250, 250, 255]);
    const rgba: Pixels = { width: 1, height: 1, channels: 4, data: Uint8Array.from([1, 2, 3, 4]) };
    expect(Array.from(convert(rgba, 3).data)).toEqual([1, 2, 3]);
    expect(Array.from(convert(convert(rgba, 3), 4).data)).toEqual([1, 2, 3, 255]);
  });
});

describe('crop', () => {
  it('copies the inside exactly', () => {
    const c = crop(ramp(5, 4, 1), 1, 1, 3, 3);
    expect([c.width, c.height]).toEqual([2, 2]);
    expect(Array.from(c.data)).toEqual([11, 12, 21, 22]);
  });

  it('zero-fills outside the source', () => {
    const c = crop(ramp(3, 2, 1), -1, -1, 2, 1);
    // row −1 is outside; row 0 is [0 | 0, 1]
    expect(Array.from(c.data)).toEqual([0, 0, 0, 0, 0, 1]);
    const far = crop(ramp(3, 2, 3), 10, 10, 12, 11);
    expect(Array.from(far.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('paste and fill', () => {
  it('pastes with clipping at the borders', () => {
    const dst = newImage(3, 3, 1, 0);
    const src = ramp(2, 2, 1); // [0 1; 10 11]
    const out = paste(dst, src, 2, -1);
    expect(Array.from(out.data)).toEqual([0, 0, 10, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(dst.data).every((v) => v === 0)).toBe(true); // input untouched
  });

  it('blends through an L mask with Pillow rounding', () => {
    const dst = newImage(2, 1, 1, 0);
    const src = newImage(2, 1, 1, 200);
    const mask: Pixels = { width: 2, height: 1, channels: 1, data: Uint8Array.from([128, 255]) };
    // DIV255(200·128 + 128) = 100.4 → 100
    expect(Array.from(paste(dst, src, 0, 0, mask).data)).toEqual([100, 200]);
  });

  it('fills a box with a colour', () => {
    const out = fillBox(newImage(3, 2, 3, 0), [9, 8, 7], 1, 0, 5, 1);
    expect(Array.from(out.data)).toEqual([0, 0, 0, 9, 8, 7, 9, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('getPixel', () => {
  it('reads bands, wraps negative indices, rejects out of range', () => {
    const im = ramp(4, 3, 3);
    expect(getPixel(im, 2, 1)).toEqual([12, 112, 212]);
    expect(getPixel(im, -1, -1)).toEqual([23, 123, 223]);
    expect(() => getPixel(im, 4, 0)).toThrow('image index out of range');
  });
});

describe('premultiplied alpha', () => {
  it('round-trips like Convert.c', () => {
    const p: Pixels = { width: 2, height: 1, channels: 4, data: Uint8Array.from([200, 100, 50, 128, 9, 9, 9, 0]) };
    const pre = premultiply(p);
    expect(Array.from(pre.data)).toEqual([100, 50, 25, 128, 0, 0, 0, 0]);
    expect(Array.from(unpremultiply(pre).data)).toEqual([199, 99, 49, 128, 0, 0, 0, 0]);
  });
});
