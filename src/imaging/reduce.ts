/**
 * Image.reduce (Pillow 9.4 libImaging/Reduce.c): integer box-average downscaling of a box of the
 * image, used by Image.resize(..., reducing_gap=…) and therefore by Image.thumbnail.
 * Each output pixel is the sum of its xscale × yscale block (partial blocks at the right and
 * bottom edges use their real size), scaled with Pillow's 8.24 fixed-point reciprocal.
 */
import type { Pixels } from '../runtime/types';
import { createPixels, premultiply, unpremultiply } from './pixels';

/** division_UINT32(divider, 8): 2^32 / (256 · divider), computed in C float, truncated. */
function multiplierFor(divider: number): number {
  return Math.trunc(Math.fround(4294967296 / Math.fround(256 * divider)));
}

/**
 * Reduces the box (x0, y0, x1, y1) of `src` by (xscale, yscale). The output is
 * ceil(boxW / xscale) × ceil(boxH / yscale). RGBA is averaged premultiplied, as Pillow does.
 */
export function reduce(src: Pixels, xscale: number, yscale: number, box: readonly number[] | null = null, maxPixels = Infinity): Pixels {
  if (!Number.isInteger(xscale) || !Number.isInteger(yscale) || xscale < 1 || yscale < 1) {
    throw new Error('scale must be > 0');
  }
  const b = box ?? [0, 0, src.width, src.height];
  const [x0, y0] = b;
  const bw = b[2] - b[0];
  const bh = b[3] - b[1];
  if (x0 < 0 || y0 < 0 || b[2] > src.width || b[3] > src.height || bw < 0 || bh < 0) {
    throw new Error('box is outside the image or empty');
  }
  if (xscale === 1 && yscale === 1 && x0 === 0 && y0 === 0 && bw === src.width && bh === src.height) {
    return { ...src, data: src.data.slice() };
  }
  if (src.channels === 4) return unpremultiply(reduceBlocks(premultiply(src), xscale, yscale, b, maxPixels));
  return reduceBlocks(src, xscale, yscale, b, maxPixels);
}

/** The block sums and fixed-point scaling (ImagingReduceNxN + ImagingReduceCorners). */
function reduceBlocks(src: Pixels, xscale: number, yscale: number, b: readonly number[], maxPixels: number): Pixels {
  const [x0, y0] = b;
  const bw = b[2] - b[0];
  const bh = b[3] - b[1];
  const ch = src.channels;
  const outW = Math.ceil(bw / xscale);
  const outH = Math.ceil(bh / yscale);
  const out = createPixels(outW, outH, ch, maxPixels);
  const acc = new Float64Array(ch);
  for (let y = 0; y < outH; y++) {
    const yFrom = y0 + y * yscale;
    const yTo = Math.min(yFrom + yscale, y0 + bh);
    for (let x = 0; x < outW; x++) {
      const xFrom = x0 + x * xscale;
      const xTo = Math.min(xFrom + xscale, x0 + bw);
      const scale = (xTo - xFrom) * (yTo - yFrom);
      const multiplier = multiplierFor(scale);
      acc.fill(Math.trunc(scale / 2));
      for (let yy = yFrom; yy < yTo; yy++) {
        for (let xx = xFrom; xx < xTo; xx++) {
          const s = (yy * src.width + xx) * ch;
          for (let c = 0; c < ch; c++) acc[c] += src.data[s + c];
        }
      }
      const o = (y * outW + x) * ch;
      for (let c = 0; c < ch; c++) out.data[o + c] = Math.floor((acc[c] * multiplier) / 16777216);
    }
  }
  return out;
}
