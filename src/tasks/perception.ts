/**
 * Reading shapes back from PIXELS: what the scripted expert and the global-view baseline "see".
 *
 * Both policies answer through these functions, from the image they actually looked at (the
 * expert's zoomed crop, the baseline's downscaled global view), so their accuracy reflects
 * what is visible at that resolution rather than the generator's bookkeeping. The tests use
 * them as an independent check of the generators too.
 *
 * Foreground = pixels whose chroma reaches MIN_TARGET_CHROMA (backgrounds are muted). Blobs are
 * 8-connected foreground components regardless of hue: in a downscaled view a shape's rim mixes
 * with the background and may sit nearer another named colour, so a blob's colour is the
 * chroma-weighted vote of its pixels, and its shape comes from its outline (fill ratio and row
 * widths by thirds, nearest rendered prototype).
 */
import type { Pixels } from '../runtime/types';
import type { Box } from './draw';
import { shapeMask } from './draw';
import { COLOURS, MIN_TARGET_CHROMA, SHAPES, chroma, nearestColourIndex, type ColourName, type ShapeName } from './palette';

export interface Blob {
  colour: ColourName;
  shape: ShapeName;
  /** Distance of the outline to each shape's nearest prototype (smaller = more alike). */
  shapeDist: Record<ShapeName, number>;
  /** Pixels in the blob. */
  area: number;
  /** Tight box in the image's coordinates (x1/y1 exclusive). */
  box: Box;
}

export interface Reading {
  /** Null when nothing saturated is in the region. */
  colour: ColourName | null;
  shape: ShapeName | null;
  area: number;
  box: Box | null;
}

/**
 * Shape features of a binary mask: fill ratio, mean row width in five horizontal bands, mean
 * column height in three vertical bands, aspect, and the mean number of separate runs per row
 * in the bottom third (a star stands on two legs; every other shape on one span).
 */
export function shapeFeatures(mask: Uint8Array, w: number, h: number): number[] {
  let area = 0;
  const rowBands = new Float64Array(5);
  const rowN = new Float64Array(5);
  let runs = 0;
  let runRows = 0;
  for (let y = 0; y < h; y++) {
    let rw = 0;
    let r = 0;
    for (let x = 0; x < w; x++) {
      const m = mask[y * w + x]!;
      rw += m;
      if (m && (x === 0 || !mask[y * w + x - 1])) r++;
    }
    area += rw;
    const t = Math.min(4, Math.floor(((y + 0.5) * 5) / h));
    rowBands[t] += rw / w;
    rowN[t] += 1;
    if ((y + 0.5) / h > 2 / 3) {
      runs += r;
      runRows++;
    }
  }
  const colBands = new Float64Array(3);
  const colN = new Float64Array(3);
  for (let x = 0; x < w; x++) {
    let ch = 0;
    for (let y = 0; y < h; y++) ch += mask[y * w + x]!;
    const t = Math.min(2, Math.floor(((x + 0.5) * 3) / w));
    colBands[t] += ch / h;
    colN[t] += 1;
  }
  const avg = (v: Float64Array, n: Float64Array) => Array.from(v, (s, i) => (n[i] ? s / n[i]! : 0));
  return [area / (w * h), ...avg(rowBands, rowN), ...avg(colBands, colN), Math.min(2, w / h), runRows ? (runs / runRows - 1) * 0.5 : 0];
}

let prototypes: Array<{ shape: ShapeName; f: number[] }> | null = null;

/**
 * Features of every shape rendered at many sizes and sub-pixel offsets: below ~20 px each
 * rasterisation has its own staircase, so small sizes get dense prototypes.
 */
function getPrototypes(): Array<{ shape: ShapeName; f: number[] }> {
  if (!prototypes) {
    prototypes = [];
    const sizes = [9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 23, 27, 32, 40, 52, 64];
    for (const shape of SHAPES) {
      for (const size of sizes) {
        for (const off of size < 24 ? [0, 0.25, 0.5, 0.75] : [0]) {
          const m = shapeMask(shape, size + off, off);
          prototypes.push({ shape, f: shapeFeatures(m.mask, m.width, m.height) });
        }
      }
    }
  }
  return prototypes;
}

/** Per shape, the distance of a mask's features to that shape's nearest prototype. */
export function shapeDistances(mask: Uint8Array, w: number, h: number): Record<ShapeName, number> {
  const f = shapeFeatures(mask, w, h);
  const out = Object.fromEntries(SHAPES.map((s) => [s, Infinity])) as Record<ShapeName, number>;
  for (const p of getPrototypes()) {
    let d = 0;
    for (let i = 0; i < f.length; i++) d += (f[i]! - p.f[i]!) ** 2 * (i === 0 ? 2 : 1);
    if (d < out[p.shape]) out[p.shape] = d;
  }
  return out;
}

/** The nearest prototype's shape for a mask. */
export function classifyMask(mask: Uint8Array, w: number, h: number): ShapeName {
  return nearestShape(shapeDistances(mask, w, h));
}

function nearestShape(dist: Record<ShapeName, number>): ShapeName {
  return SHAPES.reduce((a, b) => (dist[b] < dist[a] ? b : a));
}

/**
 * All foreground blobs inside `region` (default: the whole image) with at least `minArea`
 * pixels. One pass labels chromatic pixels, a stack-based flood fill groups them.
 */
export function findBlobs(img: Pixels, opts: { region?: Box; minArea?: number } = {}): Blob[] {
  const { width: W, channels: ch, data } = img;
  const r = clampBox(opts.region ?? { x0: 0, y0: 0, x1: img.width, y1: img.height }, img);
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  if (w <= 0 || h <= 0) return [];
  // weight > 0 marks foreground; the value is the pixel's chroma (its vote weight).
  const weight = new Uint8Array(w * h);
  const label = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = ((y + r.y0) * W + x + r.x0) * ch;
      const R = data[o]!;
      const G = ch === 1 ? R : data[o + 1]!;
      const B = ch === 1 ? R : data[o + 2]!;
      const c = chroma(R, G, B);
      if (c >= MIN_TARGET_CHROMA) {
        weight[y * w + x] = c;
        label[y * w + x] = nearestColourIndex(R, G, B);
      }
    }
  }
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  const blobs: Blob[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!weight[start] || seen[start]) continue;
    const pixels: number[] = [];
    const votes = new Float64Array(COLOURS.length);
    seen[start] = 1;
    stack.push(start);
    let x0 = w, y0 = h, x1 = 0, y1 = 0;
    while (stack.length) {
      const p = stack.pop()!;
      pixels.push(p);
      votes[label[p]!] += weight[p]!;
      const px = p % w;
      const py = (p - px) / w;
      if (px < x0) x0 = px;
      if (px >= x1) x1 = px + 1;
      if (py < y0) y0 = py;
      if (py >= y1) y1 = py + 1;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = py + dy;
        if (ny < 0 || ny >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          if (nx < 0 || nx >= w) continue;
          const q = ny * w + nx;
          if (weight[q] && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    if (pixels.length < (opts.minArea ?? 1)) continue;
    const bw = x1 - x0;
    const bh = y1 - y0;
    const mask = new Uint8Array(bw * bh);
    for (const p of pixels) mask[(Math.floor(p / w) - y0) * bw + (p % w) - x0] = 1;
    let ci = 0;
    for (let i = 1; i < votes.length; i++) if (votes[i]! > votes[ci]!) ci = i;
    const shapeDist = shapeDistances(mask, bw, bh);
    blobs.push({
      colour: COLOURS[ci]!,
      shape: nearestShape(shapeDist),
      shapeDist,
      area: pixels.length,
      box: { x0: x0 + r.x0, y0: y0 + r.y0, x1: x1 + r.x0, y1: y1 + r.y0 },
    });
  }
  return blobs;
}

/**
 * Reads the target in `box` (padded by `pad` pixels): the largest blob there, its colour and
 * shape. What an observer concludes from looking at that spot of this image.
 */
export function readTarget(img: Pixels, box: Box, pad = 2): Reading {
  const region = clampBox({ x0: Math.floor(box.x0 - pad), y0: Math.floor(box.y0 - pad), x1: Math.ceil(box.x1 + pad), y1: Math.ceil(box.y1 + pad) }, img);
  const blobs = findBlobs(img, { region });
  if (blobs.length === 0) return { colour: null, shape: null, area: 0, box: null };
  const best = blobs.reduce((a, b) => (b.area > a.area ? b : a));
  return { colour: best.colour, shape: best.shape, area: best.area, box: best.box };
}

/**
 * Searches the whole image for the object a question names — by colour (the biggest blob of
 * that colour) or by shape (the biggest blob that looks most like it, else the most alike) —
 * the way an observer looks for "the star" without being told where it is.
 */
export function findNamed(img: Pixels, query: { colour: ColourName } | { shape: ShapeName }, minArea = 2): Blob | null {
  const blobs = findBlobs(img, { minArea });
  const bigger = (a: Blob, b: Blob) => (b.area > a.area ? b : a);
  if ('colour' in query) {
    const hits = blobs.filter((b) => b.colour === query.colour);
    return hits.length ? hits.reduce(bigger) : null;
  }
  const hits = blobs.filter((b) => b.shape === query.shape);
  if (hits.length) return hits.reduce(bigger);
  return blobs.length ? blobs.reduce((a, b) => (b.shapeDist[query.shape] < a.shapeDist[query.shape] ? b : a)) : null;
}

/** Blobs matching a colour and/or shape with at least minArea pixels: a count of "things". */
export function countBlobs(img: Pixels, query: { colour?: ColourName; shape?: ShapeName }, minArea = 4): number {
  return findBlobs(img, { minArea }).filter((b) => (!query.colour || b.colour === query.colour) && (!query.shape || b.shape === query.shape)).length;
}

/** Maps a box through a uniform scale (e.g. into a downscaled view or a zoomed crop). */
export function scaleBox(b: Box, sx: number, sy = sx, dx = 0, dy = 0): Box {
  return { x0: (b.x0 - dx) * sx, y0: (b.y0 - dy) * sy, x1: (b.x1 - dx) * sx, y1: (b.y1 - dy) * sy };
}

function clampBox(b: Box, img: Pixels): Box {
  return {
    x0: Math.max(0, Math.min(img.width, Math.floor(b.x0))),
    y0: Math.max(0, Math.min(img.height, Math.floor(b.y0))),
    x1: Math.max(0, Math.min(img.width, Math.ceil(b.x1))),
    y1: Math.max(0, Math.min(img.height, Math.ceil(b.y1))),
  };
}
