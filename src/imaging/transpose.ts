/**
 * Image.transpose (Geometry.c flips and right-angle rotations). Exact pixel moves, so the order of
 * Pillow's cache-blocked loops does not matter; only the index mapping does.
 */
import type { Pixels } from '../runtime/types';

/** Pillow's Image.Transpose values. */
export const Transpose = {
  FLIP_LEFT_RIGHT: 0,
  FLIP_TOP_BOTTOM: 1,
  ROTATE_90: 2,
  ROTATE_180: 3,
  ROTATE_270: 4,
  TRANSPOSE: 5,
  TRANSVERSE: 6,
} as const;
export type TransposeMethod = (typeof Transpose)[keyof typeof Transpose];

/**
 * For output pixel (x, y) of an output of size (ow, oh), the source pixel it comes from, for an
 * input of size (w, h). ROTATE_90 is counter-clockwise, as in Pillow.
 */
function sourceOf(method: number, x: number, y: number, w: number, h: number): [number, number] {
  switch (method) {
    case Transpose.FLIP_LEFT_RIGHT: return [w - 1 - x, y];
    case Transpose.FLIP_TOP_BOTTOM: return [x, h - 1 - y];
    case Transpose.ROTATE_90: return [w - 1 - y, x];
    case Transpose.ROTATE_180: return [w - 1 - x, h - 1 - y];
    case Transpose.ROTATE_270: return [y, h - 1 - x];
    case Transpose.TRANSPOSE: return [y, x];
    case Transpose.TRANSVERSE: return [w - 1 - y, h - 1 - x];
    default:
      throw new Error(`unknown transpose method ${method} (expected 0..6, see Image.Transpose)`);
  }
}

export function transpose(p: Pixels, method: number): Pixels {
  const { width: w, height: h, channels: ch, data } = p;
  const swap = method >= Transpose.ROTATE_90 && method !== Transpose.ROTATE_180;
  if (method < 0 || method > 6 || !Number.isInteger(method)) sourceOf(method, 0, 0, w, h);
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(data.length);
  if (method === Transpose.FLIP_TOP_BOTTOM) {
    const row = w * ch;
    for (let y = 0; y < h; y++) out.set(data.subarray((h - 1 - y) * row, (h - y) * row), y * row);
    return { width: ow, height: oh, channels: ch, data: out };
  }
  let o = 0;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const [sx, sy] = sourceOf(method, x, y, w, h);
      const s = (sy * w + sx) * ch;
      for (let c = 0; c < ch; c++) out[o++] = data[s + c];
    }
  }
  return { width: ow, height: oh, channels: ch, data: out };
}
