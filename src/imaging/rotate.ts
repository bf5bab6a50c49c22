/**
 * Image.rotate, ported from Pillow 9.4's Image.rotate + Image.transform: right-angle fast paths via
 * transpose, otherwise the inverse affine matrix (with Python's round(·, 15) on cos/sin, and the
 * same expand arithmetic) applied by affine.ts. RGBA with a non-NEAREST filter is resampled
 * premultiplied (RGBa), as Pillow does.
 */
import type { Pixels } from '../runtime/types';
import { affineInto, NEAREST } from './affine';
import { checkPixelLimit, clonePixels, inkFor, newImage, premultiply, unpremultiply } from './pixels';
import { Transpose, transpose } from './transpose';

export interface RotateOptions {
  /** 0 NEAREST (Pillow's default for rotate), 2 BILINEAR, 3 BICUBIC. */
  resample?: number;
  expand?: boolean;
  center?: readonly [number, number] | null;
  translate?: readonly [number, number] | null;
  /** Colour for the area outside the rotated image (default: zero = black / transparent). */
  fillcolor?: number | readonly number[] | null;
  maxPixels?: number;
}

/** Python's float modulo (result has the sign of the divisor). */
export function pyMod(a: number, b: number): number {
  let m = a % b;
  if (m !== 0 && m < 0 !== b < 0) m += b;
  return m === 0 ? 0 * b : m;
}

/** Python's round(x, 15): correctly rounded to 15 decimals (exact decimal ties are unrealistic here). */
const round15 = (x: number): number => Number(x.toFixed(15));

/** The inverse affine matrix and output size Image.rotate computes. */
export function rotateMatrix(
  width: number,
  height: number,
  angleDeg: number,
  expand: boolean,
  center?: readonly [number, number] | null,
  translate?: readonly [number, number] | null,
): { matrix: number[]; width: number; height: number } {
  let w = width;
  let h = height;
  const postTrans = translate ?? [0, 0];
  const rc = center ?? [w / 2.0, h / 2.0];
  const angle = -(angleDeg * (Math.PI / 180.0));
  const m = [round15(Math.cos(angle)), round15(Math.sin(angle)), 0.0, round15(-Math.sin(angle)), round15(Math.cos(angle)), 0.0];
  const tf = (x: number, y: number): [number, number] => [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
  [m[2], m[5]] = tf(-rc[0] - postTrans[0], -rc[1] - postTrans[1]);
  m[2] += rc[0];
  m[5] += rc[1];
  if (expand) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const [x, y] of [[0, 0], [w, 0], [w, h], [0, h]] as const) {
      const [tx, ty] = tf(x, y);
      xs.push(tx);
      ys.push(ty);
    }
    const nw = Math.ceil(Math.max(...xs)) - Math.floor(Math.min(...xs));
    const nh = Math.ceil(Math.max(...ys)) - Math.floor(Math.min(...ys));
    [m[2], m[5]] = tf(-(nw - w) / 2.0, -(nh - h) / 2.0);
    w = nw;
    h = nh;
  }
  return { matrix: m, width: w, height: h };
}

/**
 * Image.transform(size, AFFINE, matrix, resample, fillcolor=…): a new image of `size` filled with
 * `fillcolor` (or zero), then the mapped pixels.
 */
export function affineTransform(
  src: Pixels,
  width: number,
  height: number,
  matrix: readonly number[],
  resample: number,
  fillcolor: number | readonly number[] | null = null,
  maxPixels = Infinity,
): Pixels {
  checkPixelLimit(width, height, maxPixels);
  const premul = src.channels === 4 && resample !== NEAREST;
  const input = premul ? premultiply(src) : src;
  // Pillow creates the target in the working mode (RGBa) from the raw fill colour, then converts
  // the whole result back to RGBA.
  const out = newImage(width, height, src.channels, fillcolor ?? 0, maxPixels);
  affineInto(out, input, matrix, resample);
  return premul ? unpremultiply(out) : out;
}

export function rotate(src: Pixels, angleDeg: number, opts: RotateOptions = {}): Pixels {
  const resample = opts.resample ?? NEAREST;
  const expand = !!opts.expand;
  const maxPixels = opts.maxPixels ?? Infinity;
  if (!Number.isFinite(angleDeg)) throw new Error(`rotate: angle must be a finite number, got ${angleDeg}`);
  if (opts.fillcolor != null) inkFor(opts.fillcolor, src.channels);
  const angle = pyMod(angleDeg, 360.0);
  const hasCenter = !!opts.center;
  const hasTranslate = !!opts.translate;
  if (!(hasCenter || hasTranslate)) {
    if (angle === 0) return clonePixels(src);
    if (angle === 180) return transpose(src, Transpose.ROTATE_180);
    if ((angle === 90 || angle === 270) && (expand || src.width === src.height)) {
      return transpose(src, angle === 90 ? Transpose.ROTATE_90 : Transpose.ROTATE_270);
    }
  }
  const { matrix, width, height } = rotateMatrix(src.width, src.height, angle, expand, opts.center, opts.translate);
  return affineTransform(src, width, height, matrix, resample, opts.fillcolor ?? null, maxPixels);
}
