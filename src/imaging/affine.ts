/**
 * Affine transforms, ported from Pillow's Geometry.c (ImagingTransformAffine and friends).
 * `a` maps an output pixel centre (x + 0.5, y + 0.5) to a source position:
 *   xin = a0·x + a1·y + a2,  yin = a3·x + a4·y + a5.
 * Output pixels that map outside the source keep the background already in `out` (zero, or the
 * fill colour Image.transform pre-filled), exactly like Pillow's fill semantics.
 *
 * Paths, as in Pillow:
 * - NEAREST with a pure scale (a1 = a3 = 0): ImagingScaleAffine (also Image.resize NEAREST);
 * - NEAREST otherwise: 16.16 fixed-point stepping (affine_fixed) when all corners stay inside
 *   ±32768, else floating-point stepping;
 * - BILINEAR / BICUBIC: the generic per-pixel transform with Pillow's filters, which truncate
 *   (not round) the interpolated value and clamp coordinates at the border.
 */
import type { Pixels } from '../runtime/types';

export const NEAREST = 0;
export const BILINEAR = 2;
export const BICUBIC = 3;

/** C's COORD(v): −1 for negative values, else truncation. */
const COORD = (v: number): number => (v < 0 ? -1 : Math.trunc(v));

/** Pure scale with nearest neighbour (ImagingScaleAffine). */
function scaleAffine(out: Pixels, src: Pixels, a: readonly number[]): void {
  const ch = src.channels;
  const xintab = new Int32Array(out.width);
  let xo = a[2] + a[0] * 0.5;
  let yo = a[5] + a[4] * 0.5;
  let xmin = out.width;
  let xmax = 0;
  for (let x = 0; x < out.width; x++) {
    const xin = COORD(xo);
    if (xin >= 0 && xin < src.width) {
      xmax = x + 1;
      if (x < xmin) xmin = x;
      xintab[x] = xin;
    }
    xo += a[0];
  }
  for (let y = 0; y < out.height; y++) {
    const yi = COORD(yo);
    if (yi >= 0 && yi < src.height) {
      const rowIn = yi * src.width;
      const rowOut = y * out.width;
      for (let x = xmin; x < xmax; x++) {
        const s = (rowIn + xintab[x]) * ch;
        const o = (rowOut + x) * ch;
        for (let c = 0; c < ch; c++) out.data[o + c] = src.data[s + c];
      }
    }
    yo += a[4];
  }
}

const checkFixed = (a: readonly number[], x: number, y: number): boolean =>
  Math.abs(x * a[0] + y * a[1] + a[2]) < 32768.0 && Math.abs(x * a[3] + y * a[4] + a[5]) < 32768.0;

/** Nearest neighbour in 16.16 fixed point (affine_fixed); int32 wrap-around as in C. */
function affineFixed(out: Pixels, src: Pixels, a: readonly number[]): void {
  const FIX = (v: number): number => Math.floor(v * 65536.0 + 0.5) | 0;
  const a0 = FIX(a[0]);
  const a1 = FIX(a[1]);
  const a3 = FIX(a[3]);
  const a4 = FIX(a[4]);
  let a2 = FIX(a[2] + a[0] * 0.5 + a[1] * 0.5);
  let a5 = FIX(a[5] + a[3] * 0.5 + a[4] * 0.5);
  const ch = src.channels;
  const { width: w, height: h } = src;
  for (let y = 0; y < out.height; y++) {
    let xx = a2;
    let yy = a5;
    let o = y * out.width * ch;
    for (let x = 0; x < out.width; x++, o += ch) {
      const xin = xx >> 16;
      if (xin >= 0 && xin < w) {
        const yin = yy >> 16;
        if (yin >= 0 && yin < h) {
          const s = (yin * w + xin) * ch;
          for (let c = 0; c < ch; c++) out.data[o + c] = src.data[s + c];
        }
      }
      xx = (xx + a0) | 0;
      yy = (yy + a3) | 0;
    }
    a2 = (a2 + a1) | 0;
    a5 = (a5 + a4) | 0;
  }
}

/** Nearest neighbour in floating point, for transforms outside the fixed-point range. */
function affineFloat(out: Pixels, src: Pixels, a: readonly number[]): void {
  let xo = a[2] + a[1] * 0.5 + a[0] * 0.5;
  let yo = a[5] + a[4] * 0.5 + a[3] * 0.5;
  const ch = src.channels;
  for (let y = 0; y < out.height; y++) {
    let xx = xo;
    let yy = yo;
    let o = y * out.width * ch;
    for (let x = 0; x < out.width; x++, o += ch) {
      const xin = COORD(xx);
      if (xin >= 0 && xin < src.width) {
        const yin = COORD(yy);
        if (yin >= 0 && yin < src.height) {
          const s = (yin * src.width + xin) * ch;
          for (let c = 0; c < ch; c++) out.data[o + c] = src.data[s + c];
        }
      }
      xx += a[0];
      yy += a[3];
    }
    xo += a[1];
    yo += a[4];
  }
}

/** Cubic convolution (a = −0.5) in Pillow's factored form. */
function cubic(v1: number, v2: number, v3: number, v4: number, d: number): number {
  const p1 = v2;
  const p2 = -v1 + v3;
  const p3 = 2 * (v1 - v2) + v3 - v4;
  const p4 = -v1 + v2 - v3 + v4;
  return p1 + d * (p2 + d * (p3 + d * p4));
}

/** Generic per-pixel transform with BILINEAR or BICUBIC sampling (ImagingGenericTransform). */
function genericAffine(out: Pixels, src: Pixels, a: readonly number[], filter: number): void {
  const { width: w, height: h, channels: ch, data } = src;
  const xclip = (x: number): number => (x < 0 ? 0 : x < w ? x : w - 1);
  const yclip = (y: number): number => (y < 0 ? 0 : y < h ? y : h - 1);
  const px = (x: number, y: number, c: number): number => data[(y * w + x) * ch + c];
  const bicubic = filter === BICUBIC;
  let o = 0;
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++, o += ch) {
      const xc = x + 0.5;
      const yc = y + 0.5;
      let xin = a[0] * xc + a[1] * yc + a[2];
      let yin = a[3] * xc + a[4] * yc + a[5];
      if (xin < 0.0 || xin >= w || yin < 0.0 || yin >= h) continue;
      xin -= 0.5;
      yin -= 0.5;
      let xi = Math.floor(xin);
      let yi = Math.floor(yin);
      const dx = xin - xi;
      const dy = yin - yi;
      if (!bicubic) {
        const x0 = xclip(xi);
        const x1 = xclip(xi + 1);
        const y0 = yclip(yi);
        const hasY1 = yi + 1 >= 0 && yi + 1 < h;
        for (let c = 0; c < ch; c++) {
          const a0 = px(x0, y0, c);
          let v1 = a0 + (px(x1, y0, c) - a0) * dx;
          let v2 = v1;
          if (hasY1) {
            const b0 = px(x0, yi + 1, c);
            v2 = b0 + (px(x1, yi + 1, c) - b0) * dx;
          }
          v1 = v1 + (v2 - v1) * dy;
          out.data[o + c] = Math.trunc(v1) & 0xff;
        }
      } else {
        xi--;
        yi--;
        const xs = [xclip(xi), xclip(xi + 1), xclip(xi + 2), xclip(xi + 3)];
        for (let c = 0; c < ch; c++) {
          const row = (yy: number) => cubic(px(xs[0], yy, c), px(xs[1], yy, c), px(xs[2], yy, c), px(xs[3], yy, c), dx);
          const v1 = row(yclip(yi));
          const v2 = yi + 1 >= 0 && yi + 1 < h ? row(yi + 1) : v1;
          const v3 = yi + 2 >= 0 && yi + 2 < h ? row(yi + 2) : v2;
          const v4 = yi + 3 >= 0 && yi + 3 < h ? row(yi + 3) : v3;
          const v = cubic(v1, v2, v3, v4, dy);
          out.data[o + c] = v <= 0.0 ? 0 : v >= 255.0 ? 255 : Math.trunc(v);
        }
      }
    }
  }
}

/**
 * Applies the affine map `a` (6 numbers) from `src` into `out` (already sized and pre-filled with
 * the background), with filter NEAREST (0), BILINEAR (2) or BICUBIC (3).
 */
export function affineInto(out: Pixels, src: Pixels, a: readonly number[], filter: number): void {
  if (out.channels !== src.channels) throw new Error('affine transform: channel mismatch');
  if (filter !== NEAREST && filter !== BILINEAR && filter !== BICUBIC) {
    throw new Error(`unsupported transform filter ${filter} (use NEAREST, BILINEAR or BICUBIC)`);
  }
  if (src.width === 0 || src.height === 0) return;
  if (filter !== NEAREST) return genericAffine(out, src, a, filter);
  if (a[1] === 0 && a[3] === 0) return scaleAffine(out, src, a);
  const x1 = out.width;
  const y1 = out.height;
  if (checkFixed(a, 0, 0) && checkFixed(a, x1, y1) && checkFixed(a, 0, y1) && checkFixed(a, x1, 0)) {
    return affineFixed(out, src, a);
  }
  return affineFloat(out, src, a);
}
