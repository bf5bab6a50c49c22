/**
 * Counting things the detector has no class for ("the red candies", "the yellow flowers") by
 * colour segmentation: the generated tasks' method (colour mask → connected components → size
 * filter) generalised to photographs.
 *
 * - The image is box-averaged down to at most `maxSide` pixels a side (noise and texture average
 *   out; a candy is still a few dozen pixels), each pixel is named (colour.ts) and the mask is
 *   the pixels with the asked name.
 * - One opening (erode, then dilate, 3×3) cuts thin bridges between touching objects and removes
 *   single-pixel speckle; components are 8-connected.
 * - Components larger than a sixth of the image, or spanning most of its width or height, are
 *   background (sky, a wall, a table), not things to count; components smaller than `minShare`
 *   of the image or a quarter of the typical (median) component are noise.
 * - Touching objects merge into one larger component: a component of k times the typical area
 *   counts as round(k) objects, at most 4 (the usual area heuristic, reported as `merged`).
 */
import type { Pixels } from '../runtime/types';
import { nameOfRgb, type Box } from './colour';
import type { ColourWord } from './vocabulary';

export interface Blob {
  /** In the input image's pixel coordinates. */
  box: Box;
  /** Area in input pixels (approximate: measured at the reduced scale). */
  area: number;
  /** How many objects this component is estimated to hold (≥ 1). */
  objects: number;
}

export interface BlobResult {
  blobs: Blob[];
  count: number;
  /** Components counted as more than one object. */
  merged: number;
  /** Share of the image's pixels with the colour. */
  coverage: number;
}

/**
 * Box-averaged copy of an RGB(A)/L image, as RGB, shrunk by the smallest integer factor that
 * brings both sides to at most maxSide (an integer factor keeps box edges exact: input
 * coordinate = reduced coordinate × scale).
 */
export function boxReduce(p: Pixels, maxSide: number): { pixels: Pixels; scale: number } {
  const k = Math.max(1, Math.ceil(Math.max(p.width, p.height) / maxSide));
  const width = Math.max(1, Math.floor(p.width / k));
  const height = Math.max(1, Math.floor(p.height / k));
  const rgb = new Uint8Array(width * height * 3);
  const ch = p.channels;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < k; dy++) {
        let i = ((y * k + dy) * p.width + x * k) * ch;
        for (let dx = 0; dx < k; dx++, i += ch) {
          r += p.data[i]!;
          g += p.data[ch === 1 ? i : i + 1]!;
          b += p.data[ch === 1 ? i : i + 2]!;
        }
      }
      const o = (y * width + x) * 3;
      const n = k * k;
      rgb[o] = r / n;
      rgb[o + 1] = g / n;
      rgb[o + 2] = b / n;
    }
  }
  return { pixels: { width, height, channels: 3, data: rgb }, scale: k };
}

function morph(mask: Uint8Array, w: number, h: number, keepIf: (n: number) => boolean): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w) n += mask[yy * w + xx]!;
        }
      }
      out[y * w + x] = keepIf(n) ? 1 : 0;
    }
  }
  return out;
}

interface Component {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  area: number;
}

/** 8-connected components of a 0/1 mask (iterative flood fill). */
export function components(mask: Uint8Array, w: number, h: number): Component[] {
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  const out: Component[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || seen[start]) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    const c: Component = { x0: w, y0: h, x1: 0, y1: 0, area: 0 };
    while (top) {
      const i = stack[--top]!;
      const x = i % w;
      const y = (i - x) / w;
      c.area++;
      if (x < c.x0) c.x0 = x;
      if (y < c.y0) c.y0 = y;
      if (x + 1 > c.x1) c.x1 = x + 1;
      if (y + 1 > c.y1) c.y1 = y + 1;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const j = yy * w + xx;
          if (xx >= 0 && xx < w && mask[j] && !seen[j]) {
            seen[j] = 1;
            stack[top++] = j;
          }
        }
      }
    }
    out.push(c);
  }
  return out;
}

export function colourBlobs(p: Pixels, colour: ColourWord, opts: { maxSide?: number; minShare?: number } = {}): BlobResult {
  const { pixels: small, scale } = boxReduce(p, opts.maxSide ?? 320);
  const { data: rgb, width: w, height: h } = small;
  const raw = new Uint8Array(w * h);
  let hits = 0;
  for (let i = 0; i < w * h; i++) {
    if (nameOfRgb(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!) === colour) {
      raw[i] = 1;
      hits++;
    }
  }
  const opened = morph(morph(raw, w, h, (n) => n === 9), w, h, (n) => n > 0);
  const comps = components(opened, w, h);
  const minArea = Math.max(6, (opts.minShare ?? 0.0004) * w * h);
  const things = comps
    .filter((c) => c.area >= minArea && c.area <= (w * h) / 6 && c.x1 - c.x0 < 0.6 * w && c.y1 - c.y0 < 0.6 * h)
    .sort((a, b) => b.area - a.area);
  const typical = things.length ? things[Math.floor(things.length / 2)]!.area : 0;
  const kept = things.filter((c) => c.area >= typical / 4);
  const blobs: Blob[] = kept.map((c) => ({
    box: [c.x0 * scale, c.y0 * scale, Math.min(p.width, c.x1 * scale), Math.min(p.height, c.y1 * scale)],
    area: c.area * scale * scale,
    objects: Math.min(4, Math.max(1, Math.round(c.area / typical))),
  }));
  return {
    blobs,
    count: blobs.reduce((s, b) => s + b.objects, 0),
    merged: blobs.filter((b) => b.objects > 1).length,
    coverage: hits / (w * h),
  };
}
