/**
 * Image.blend, 3×3 kernel filters (ImageFilter.SMOOTH, SHARPEN, …) and the ImageEnhance classes,
 * ported from Pillow 9.4 (Blend.c, Filter.c, ImageEnhance.py). Pillow does this arithmetic in C
 * `float` (single precision), so every step is rounded with Math.fround to match it bit for bit.
 */
import type { Pixels } from '../runtime/types';
import { clonePixels, convert, newImage, putAlpha } from './pixels';
import { histogram } from './ops';

const f32 = Math.fround;

/** Image.blend(im1, im2, alpha) = im1·(1 − alpha) + im2·alpha, per Blend.c. */
export function blend(a: Pixels, b: Pixels, alpha: number): Pixels {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error('images do not match');
  }
  const al = f32(alpha);
  if (al === 0.0) return clonePixels(a);
  if (al === 1.0) return clonePixels(b);
  const out = new Uint8Array(a.data.length);
  const x1 = a.data;
  const x2 = b.data;
  if (al >= 0 && al <= 1.0) {
    // Interpolation: the result stays within [in1, in2], truncated to UINT8.
    for (let i = 0; i < out.length; i++) out[i] = Math.trunc(f32(x1[i] + f32(al * (x2[i] - x1[i]))));
  } else {
    // Extrapolation: clipped to [0, 255].
    for (let i = 0; i < out.length; i++) {
      const t = f32(x1[i] + f32(al * (x2[i] - x1[i])));
      out[i] = t <= 0.0 ? 0 : t >= 255.0 ? 255 : Math.trunc(t);
    }
  }
  return { width: a.width, height: a.height, channels: a.channels, data: out };
}

/** Built-in 3×3 kernels of ImageFilter (weights row-major, divisor, offset). */
export const KERNELS_3X3: Record<string, { kernel: number[]; scale: number; offset: number }> = {
  SMOOTH: { kernel: [1, 1, 1, 1, 5, 1, 1, 1, 1], scale: 13, offset: 0 },
  SHARPEN: { kernel: [-2, -2, -2, -2, 32, -2, -2, -2, -2], scale: 16, offset: 0 },
  DETAIL: { kernel: [0, -1, 0, -1, 10, -1, 0, -1, 0], scale: 6, offset: 0 },
  EDGE_ENHANCE: { kernel: [-1, -1, -1, -1, 10, -1, -1, -1, -1], scale: 2, offset: 0 },
  EDGE_ENHANCE_MORE: { kernel: [-1, -1, -1, -1, 9, -1, -1, -1, -1], scale: 1, offset: 0 },
  EMBOSS: { kernel: [-1, 0, 0, 0, 1, 0, 0, 0, 0], scale: 1, offset: 128 },
  FIND_EDGES: { kernel: [-1, -1, -1, -1, 8, -1, -1, -1, -1], scale: 1, offset: 0 },
  CONTOUR: { kernel: [-1, -1, -1, -1, 8, -1, -1, -1, -1], scale: 1, offset: 255 },
};

/**
 * ImagingFilter with a 3×3 or 5×5 kernel (Filter.c ImagingFilter3x3 / 5x5): weights divided by
 * `scale` in float, sums in float starting at offset + 0.5 (rounding), clipped then truncated;
 * a border of size/2 pixels is copied unchanged. Kernel rows are applied bottom-up (the first row
 * of weights to row y + size/2), and each row sums left to right, as Pillow does.
 * Images smaller than the kernel are returned unchanged.
 */
export function filterKernel(p: Pixels, size: number, kernel: readonly number[], scale = 1, offset = 0): Pixels {
  if (size !== 3 && size !== 5) throw new Error('bad kernel size');
  if (kernel.length !== size * size) throw new Error(`kernel must have ${size * size} weights`);
  if (scale === 0) throw new Error('kernel scale must not be zero');
  const { width: w, height: h, channels: ch, data } = p;
  if (w < size || h < size) return clonePixels(p);
  const k = kernel.map((v) => f32(f32(v) / f32(scale)));
  const off = f32(f32(offset) + 0.5);
  const r = size >> 1;
  const out = data.slice(); // borders stay as in the source
  const row = w * ch;
  for (let y = r; y < h - r; y++) {
    const r0 = y * row;
    for (let x = r * ch; x < row - r * ch; x++) {
      let ss = off;
      for (let ky = 0; ky < size; ky++) {
        const base = (y + r - ky) * row + x - r * ch;
        const kb = ky * size;
        let line = f32(data[base] * k[kb]);
        for (let kx = 1; kx < size; kx++) line = f32(line + f32(data[base + kx * ch] * k[kb + kx]));
        ss = f32(ss + line);
      }
      out[r0 + x] = ss <= 0.0 ? 0 : ss >= 255.0 ? 255 : Math.trunc(ss);
    }
  }
  return { width: w, height: h, channels: ch, data: out };
}

/** A 3×3 kernel filter (see filterKernel). */
export function filter3x3(p: Pixels, kernel: readonly number[], scale = 1, offset = 0): Pixels {
  return filterKernel(p, 3, kernel, scale, offset);
}

export type EnhanceKind = 'contrast' | 'brightness' | 'sharpness' | 'color';

/** The "degenerate" image each ImageEnhance class blends against (ImageEnhance.py). */
export function degenerate(p: Pixels, kind: EnhanceKind): Pixels {
  const hasAlpha = p.channels === 4;
  let deg: Pixels;
  switch (kind) {
    case 'contrast': {
      // mean = ImageStat.Stat(image.convert("L")).mean[0], from the histogram.
      const h = histogram(convert(p, 1));
      let sum = 0;
      let n = 0;
      for (let i = 0; i < 256; i++) {
        sum += i * h[i];
        n += h[i];
      }
      const mean = n ? Math.trunc(sum / n + 0.5) : 0;
      deg = convert(newImage(p.width, p.height, 1, mean), p.channels);
      break;
    }
    case 'brightness':
      deg = newImage(p.width, p.height, p.channels, 0);
      break;
    case 'sharpness': {
      const s = KERNELS_3X3.SMOOTH;
      deg = filter3x3(p, s.kernel, s.scale, s.offset);
      break;
    }
    case 'color':
      // image.convert("L" or "LA").convert(mode): the alpha band survives the round trip.
      deg = convert(convert(p, 1), p.channels);
      break;
    default:
      throw new Error(`unknown enhancer '${kind}' (expected contrast, brightness, sharpness or color)`);
  }
  return hasAlpha ? putAlpha(deg, p) : deg;
}

/** ImageEnhance.<Kind>(image).enhance(factor) = blend(degenerate, image, factor). */
export function enhance(p: Pixels, kind: EnhanceKind, factor: number): Pixels {
  if (!Number.isFinite(factor)) throw new Error(`enhance factor must be a finite number, got ${factor}`);
  return blend(degenerate(p, kind), p, factor);
}
