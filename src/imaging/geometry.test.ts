/** transpose, resize and rotate on tiny images, expected pixels derived by hand. */
import { describe, expect, it } from 'vitest';
import type { Pixels } from '../runtime/types';
import { reduce } from './reduce';
import { resize, Resampling } from './resample';
import { pyMod, rotate, rotateMatrix } from './rotate';
import { transpose, Transpose } from './transpose';

const L = (w: number, h: number, values: number[]): Pixels => ({ width: w, height: h, channels: 1, data: Uint8Array.from(values) });
const px = (p: Pixels) => Array.from(p.data);

// 3×2 image:  a b c
//             d e f
const IM = L(3, 2, [1, 2, 3, 4, 5, 6]);

describe('transpose', () => {
  it('implements every Pillow method exactly', () => {
    expect(px(transpose(IM, Transpose.FLIP_LEFT_RIGHT))).toEqual([3, 2, 1, 6, 5, 4]);
    expect(px(transpose(IM, Transpose.FLIP_TOP_BOTTOM))).toEqual([4, 5, 6, 1, 2, 3]);
    expect(px(transpose(IM, Transpose.ROTATE_180))).toEqual([6, 5, 4, 3, 2, 1]);
    // ROTATE_90 is counter-clockwise: the right column becomes the top row.
    const r90 = transpose(IM, Transpose.ROTATE_90);
    expect([r90.width, r90.height]).toEqual([2, 3]);
    expect(px(r90)).toEqual([3, 6, 2, 5, 1, 4]);
    expect(px(transpose(IM, Transpose.ROTATE_270))).toEqual([4, 1, 5, 2, 6, 3]);
    expect(px(transpose(IM, Transpose.TRANSPOSE))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(px(transpose(IM, Transpose.TRANSVERSE))).toEqual([6, 3, 5, 2, 4, 1]);
  });

  it('moves whole RGB pixels', () => {
    const rgb: Pixels = { width: 2, height: 1, channels: 3, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    expect(px(transpose(rgb, Transpose.FLIP_LEFT_RIGHT))).toEqual([4, 5, 6, 1, 2, 3]);
  });
});

describe('resize', () => {
  it('NEAREST picks the source pixel under each output centre', () => {
    // 4 → 2: centres at 1.0 and 3.0 → source columns 1 and 3.
    expect(px(resize(L(4, 1, [10, 20, 30, 40]), 2, 1, Resampling.NEAREST))).toEqual([20, 40]);
    // 2 → 4: centres 0.25, 0.75, 1.25, 1.75 → 0, 0, 1, 1.
    expect(px(resize(L(2, 1, [10, 20]), 4, 1, Resampling.NEAREST))).toEqual([10, 10, 20, 20]);
  });

  it('BOX averages the covered pixels (rounded)', () => {
    expect(px(resize(L(4, 1, [10, 20, 30, 41]), 2, 1, Resampling.BOX))).toEqual([15, 36]);
    expect(px(resize(L(2, 2, [0, 100, 200, 255]), 1, 1, Resampling.BOX))).toEqual([139]);
  });

  it('BILINEAR upscaling interpolates between neighbours', () => {
    // 2 → 4, support 1: out0 = src0 (edge weights 1, 0.25 → renormalised), etc.
    // centres 0.25 → weights (x=0: 1-|0.5-0.25|=0.75, x=1: 0.25) → 0.75·0 + 0.25·100 = 25
    const out = px(resize(L(2, 1, [0, 100]), 4, 1, Resampling.BILINEAR));
    expect(out).toEqual([0, 25, 75, 100]);
  });

  it('defaults to BICUBIC and honours a box', () => {
    const ramp = L(8, 1, [0, 10, 20, 30, 40, 50, 60, 70]);
    expect(px(resize(ramp, 4, 1))).toEqual(px(resize(ramp, 4, 1, Resampling.BICUBIC)));
    // An integer box of the output size is a crop.
    expect(px(resize(ramp, 3, 1, Resampling.LANCZOS, [2, 0, 5, 1]))).toEqual([20, 30, 40]);
  });

  it('returns a copy for the same size and validates arguments', () => {
    const r = resize(IM, 3, 2);
    expect(px(r)).toEqual(px(IM));
    expect(r.data).not.toBe(IM.data);
    expect(() => resize(IM, 0, 2)).toThrow('height and width must be > 0');
    expect(() => resize(IM, 2, 2, 9)).toThrow(/Unknown resampling filter/);
    expect(() => resize(IM, 2, 2, Resampling.BILINEAR, [0, 0, 9, 2])).toThrow("box can't exceed original image size");
    expect(() => resize(IM, 3000, 3000, Resampling.BILINEAR, null, 1_000_000)).toThrow(/exceeds the limit/);
  });
});

describe('reduce', () => {
  it('averages blocks with rounding, partial blocks at the edges', () => {
    // 5×1 by 2: [10, 20 | 30, 41 | 50] → 15, (71 + 1)/2 = 36, 50
    expect(px(reduce(L(5, 1, [10, 20, 30, 41, 50]), 2, 1))).toEqual([15, 36, 50]);
    // box (1, 0, 4, 2) of a 4×2 image by 3×2: one block of 6 → (2+3+4+6+7+8)/6 = 5
    expect(px(reduce(L(4, 2, [1, 2, 3, 4, 5, 6, 7, 8]), 3, 2, [1, 0, 4, 2]))).toEqual([5]);
  });
});

describe('rotate', () => {
  it('uses transposes for right angles', () => {
    expect(px(rotate(IM, 90, { expand: true }))).toEqual(px(transpose(IM, Transpose.ROTATE_90)));
    expect(px(rotate(IM, -90, { expand: true }))).toEqual(px(transpose(IM, Transpose.ROTATE_270)));
    expect(px(rotate(IM, 540))).toEqual(px(transpose(IM, Transpose.ROTATE_180)));
    expect(px(rotate(IM, 360))).toEqual(px(IM));
  });

  it('rotates a non-square image by 90 without expand inside the same frame', () => {
    // 3×2, 90° CCW about (1.5, 1): inverse map xin = 2.5 − (y + 0.5), yin = (x + 0.5) − 0.5,
    // so output (x, y) reads source (2 − y, x); x = 2 falls below the source → 0.
    const r = rotate(IM, 90);
    expect([r.width, r.height]).toEqual([3, 2]);
    expect(px(r)).toEqual([3, 6, 0, 2, 5, 0]);
  });

  it('fills the uncovered area with fillcolor and expands to the rotated bounds', () => {
    const sq = L(4, 4, new Array(16).fill(200));
    const r = rotate(sq, 45, { expand: true, fillcolor: 7 });
    // corners of the expanded 6×6 output are outside the rotated square
    expect([r.width, r.height]).toEqual([6, 6]);
    expect(r.data[0]).toBe(7);
    expect(r.data[r.data.length - 1]).toBe(7);
    expect(r.data[3 * 6 + 3]).toBe(200);
  });

  it('builds the same inverse matrix as Image.rotate', () => {
    const { matrix, width, height } = rotateMatrix(10, 20, 30, false);
    expect([width, height]).toEqual([10, 20]);
    expect(matrix[0]).toBeCloseTo(Math.cos(Math.PI / 6), 15);
    expect(matrix[1]).toBeCloseTo(-0.5, 15);
    expect(pyMod(-30, 360)).toBe(330);
  });
});
