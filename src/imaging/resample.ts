/**
 * Image.resize, ported from Pillow 9.4 (Image.resize, _imaging.c _resize, libImaging/Resample.c):
 * the one place resize semantics are defined for the project.
 *
 * - NEAREST goes through the affine scale (affine.ts), as Pillow does;
 * - an integer box of exactly the output size is a crop;
 * - other filters use Pillow's separable convolution: float64 coefficients normalised to 22-bit
 *   fixed point, horizontal pass over only the rows the vertical pass needs, then vertical pass;
 * - RGBA is resampled premultiplied (RGBa) for every filter except NEAREST.
 * The box is parsed as C floats in Pillow, so it is rounded to float32 here too.
 */
import type { Pixels } from '../runtime/types';
import { affineInto } from './affine';
import { clonePixels, createPixels, crop, premultiply, unpremultiply } from './pixels';

/** Pillow's Image.Resampling values. */
export const Resampling = { NEAREST: 0, LANCZOS: 1, BILINEAR: 2, BICUBIC: 3, BOX: 4, HAMMING: 5 } as const;

interface Filter {
  fn: (x: number) => number;
  support: number;
}

const f32 = Math.fround;

const FILTERS: Record<number, Filter> = {
  [Resampling.BOX]: { fn: (x) => (x > -0.5 && x <= 0.5 ? 1.0 : 0.0), support: 0.5 },
  [Resampling.BILINEAR]: {
    fn: (x) => {
      if (x < 0.0) x = -x;
      return x < 1.0 ? 1.0 - x : 0.0;
    },
    support: 1.0,
  },
  [Resampling.HAMMING]: {
    fn: (x) => {
      if (x < 0.0) x = -x;
      if (x === 0.0) return 1.0;
      if (x >= 1.0) return 0.0;
      x = x * Math.PI;
      // 0.54f / 0.46f are float constants in C, promoted to double.
      return (Math.sin(x) / x) * (f32(0.54) + f32(0.46) * Math.cos(x));
    },
    support: 1.0,
  },
  [Resampling.BICUBIC]: {
    fn: (x) => {
      const a = -0.5;
      if (x < 0.0) x = -x;
      if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
      if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
      return 0.0;
    },
    support: 2.0,
  },
  [Resampling.LANCZOS]: {
    fn: (x) => {
      const sinc = (v: number): number => {
        if (v === 0.0) return 1.0;
        v = v * Math.PI;
        return Math.sin(v) / v;
      };
      return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
    },
    support: 3.0,
  },
};

const PRECISION_BITS = 32 - 8 - 2;

interface Coeffs {
  ksize: number;
  bounds: Int32Array; // [xmin, count] per output pixel
  kk: Int32Array; // fixed-point coefficients, ksize per output pixel
}

/** precompute_coeffs + normalize_coeffs_8bpc. in0/in1 are float32 box edges. */
function precomputeCoeffs(inSize: number, in0: number, in1: number, outSize: number, filter: Filter): Coeffs {
  const scale = f32(in1 - in0) / outSize;
  const filterscale = scale < 1.0 ? 1.0 : scale;
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    const ss = 1.0 / filterscale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0.0;
    k.fill(0);
    for (let x = 0; x < xmax; x++) {
      const w = filter.fn((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) if (ww !== 0.0) k[x] /= ww;
    for (let x = 0; x < ksize; x++) {
      const v = k[x] * (1 << PRECISION_BITS);
      kk[xx * ksize + x] = k[x] < 0 ? Math.trunc(-0.5 + v) : Math.trunc(0.5 + v);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

/** clip8 on a fixed-point accumulator (the lookup table in Resample.c is a clamp). */
const clip8 = (ss: number): number => {
  const v = Math.floor(ss / (1 << PRECISION_BITS));
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

function resampleHorizontal(src: Pixels, outW: number, rowOffset: number, rows: number, c: Coeffs): Pixels {
  const ch = src.channels;
  const out = { width: outW, height: rows, channels: ch, data: new Uint8Array(outW * rows * ch) } as Pixels;
  const acc = new Float64Array(ch);
  const half = 1 << (PRECISION_BITS - 1);
  for (let yy = 0; yy < rows; yy++) {
    const rowIn = (yy + rowOffset) * src.width;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = c.bounds[xx * 2];
      const xmax = c.bounds[xx * 2 + 1];
      const kbase = xx * c.ksize;
      acc.fill(half);
      for (let x = 0; x < xmax; x++) {
        const kv = c.kk[kbase + x];
        const s = (rowIn + x + xmin) * ch;
        for (let b = 0; b < ch; b++) acc[b] += src.data[s + b] * kv;
      }
      const o = (yy * outW + xx) * ch;
      for (let b = 0; b < ch; b++) out.data[o + b] = clip8(acc[b]);
    }
  }
  return out;
}

function resampleVertical(src: Pixels, outH: number, c: Coeffs): Pixels {
  const ch = src.channels;
  const w = src.width;
  const out = { width: w, height: outH, channels: ch, data: new Uint8Array(w * outH * ch) } as Pixels;
  const rowLen = w * ch;
  const acc = new Float64Array(rowLen);
  const half = 1 << (PRECISION_BITS - 1);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = c.bounds[yy * 2];
    const ymax = c.bounds[yy * 2 + 1];
    const kbase = yy * c.ksize;
    acc.fill(half);
    for (let y = 0; y < ymax; y++) {
      const kv = c.kk[kbase + y];
      const s = (y + ymin) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += src.data[s + i] * kv;
    }
    const o = yy * rowLen;
    for (let i = 0; i < rowLen; i++) out.data[o + i] = clip8(acc[i]);
  }
  return out;
}

/** ImagingResample for 8-bit images (box edges already float32). */
function resampleConvolution(src: Pixels, xsize: number, ysize: number, filter: Filter, box: number[]): Pixels {
  const needH = xsize !== src.width || box[0] !== 0 || box[2] !== xsize;
  const needV = ysize !== src.height || box[1] !== 0 || box[3] !== ysize;
  const vert = precomputeCoeffs(src.height, box[1], box[3], ysize, filter);
  const yFirst = vert.bounds[0];
  const yLast = vert.bounds[ysize * 2 - 2] + vert.bounds[ysize * 2 - 1];
  let im = src;
  if (needH) {
    const horiz = precomputeCoeffs(src.width, box[0], box[2], xsize, filter);
    for (let i = 0; i < ysize; i++) vert.bounds[i * 2] -= yFirst;
    im = resampleHorizontal(src, xsize, yFirst, yLast - yFirst, horiz);
  }
  if (needV) return resampleVertical(im, ysize, vert);
  return im === src ? clonePixels(src) : im;
}

/**
 * Image.resize((width, height), resample, box). `filter` is a Resampling value (Pillow's default
 * is BICUBIC); `box` is the source region (floats, within the image).
 */
export function resize(
  src: Pixels,
  width: number,
  height: number,
  filter: number = Resampling.BICUBIC,
  box: readonly number[] | null = null,
  maxPixels = Infinity,
): Pixels {
  if (!Number.isInteger(width) || !Number.isInteger(height)) throw new Error('resize: size must be integers');
  if (!(filter in FILTERS) && filter !== Resampling.NEAREST) {
    throw new Error(`Unknown resampling filter (${filter}). Use NEAREST (0), LANCZOS (1), BILINEAR (2), BICUBIC (3), BOX (4) or HAMMING (5)`);
  }
  const b = box ? box.map(f32) : [0, 0, src.width, src.height];
  if (b.length !== 4) throw new Error('resize: box must have 4 numbers');
  const sameBox = b[0] === 0 && b[1] === 0 && b[2] === src.width && b[3] === src.height;
  if (width === src.width && height === src.height && sameBox) return clonePixels(src);
  if (width < 1 || height < 1) throw new Error('height and width must be > 0');
  createPixels(width, height, src.channels, maxPixels); // size guard before any work
  if (b[0] < 0 || b[1] < 0) throw new Error("box offset can't be negative");
  if (b[2] > src.width || b[3] > src.height) throw new Error("box can't exceed original image size");
  if (b[2] - b[0] < 0 || b[3] - b[1] < 0) throw new Error("box can't be empty");
  // Pillow resizes RGBA premultiplied (RGBa) for every filter but NEAREST, shortcuts included.
  if (src.channels === 4 && filter !== Resampling.NEAREST) {
    return unpremultiply(resizeCore(premultiply(src), width, height, filter, b, maxPixels));
  }
  return resizeCore(src, width, height, filter, b, maxPixels);
}

function resizeCore(src: Pixels, width: number, height: number, filter: number, b: number[], maxPixels: number): Pixels {
  // Integer box of exactly the requested size: a plain crop.
  if (b[0] === Math.trunc(b[0]) && f32(b[2] - b[0]) === width && b[1] === Math.trunc(b[1]) && f32(b[3] - b[1]) === height) {
    return crop(src, b[0], b[1], b[2], b[3], maxPixels);
  }
  if (filter === Resampling.NEAREST) {
    const out = createPixels(width, height, src.channels, maxPixels);
    const a = [f32(b[2] - b[0]) / width, 0, b[0], 0, f32(b[3] - b[1]) / height, b[1]];
    affineInto(out, src, a, 0);
    return out;
  }
  return resampleConvolution(src, width, height, FILTERS[filter], b);
}
