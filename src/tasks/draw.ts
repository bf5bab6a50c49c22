/**
 * Drawing on Pixels for the task generators: flat-coloured shapes (circle, square, triangle,
 * star, diamond) and muted, textured "photo-like" backgrounds.
 *
 * Shapes are drawn with hard edges (pixel centres inside the outline are filled): at full
 * resolution a target's colour and outline are then exact, so the scripted expert — and the
 * tests — can read them back without guessing; blur and colour mixing appear only where an
 * image is downscaled (the global view), which is the point of the visual-search tasks.
 * Everything is plain loops over RGB bytes: a 2048² background takes ~100 ms in Node.
 */
import type { Pixels } from '../runtime/types';
import { createPixels } from '../imaging';
import type { ShapeName } from './palette';
import { Rng } from './rng';

/** Pixel box, x1/y1 exclusive (PIL crop convention). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

type Pt = [number, number];

/** Outline of a shape centred at (cx, cy) that fits a size×size square (null for a circle). */
export function shapePolygon(kind: ShapeName, cx: number, cy: number, size: number): Pt[] | null {
  const h = size / 2;
  switch (kind) {
    case 'circle':
      return null;
    case 'square': {
      const s = size * 0.43; // a square looks bigger than a circle of the same extent
      return [[cx - s, cy - s], [cx + s, cy - s], [cx + s, cy + s], [cx - s, cy + s]];
    }
    case 'triangle': {
      const th = size * 0.866; // equilateral, pointing up
      return [[cx, cy - th / 2], [cx + h, cy + th / 2], [cx - h, cy + th / 2]];
    }
    case 'diamond':
      return [[cx, cy - h], [cx + h * 0.85, cy], [cx, cy + h], [cx - h * 0.85, cy]];
    case 'star': {
      // Five points up; a fat inner radius (0.45) keeps the outline recognisable at ~12 px.
      const R = size / 1.902;
      const r = R * 0.45;
      const yShift = (R - R * Math.cos(Math.PI / 5)) / 2; // centre the bbox vertically
      const pts: Pt[] = [];
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + (i * Math.PI) / 5;
        const rad = i % 2 === 0 ? R : r;
        pts.push([cx + rad * Math.cos(a), cy + yShift + rad * Math.sin(a)]);
      }
      return pts;
    }
  }
}

/** The [xa, xb) spans of the shape on the horizontal line y (pixel-centre sampling). */
function spansAt(poly: Pt[] | null, cx: number, cy: number, size: number, y: number): number[] {
  if (!poly) {
    const r = size / 2;
    const dy = y - cy;
    if (Math.abs(dy) >= r) return [];
    const hw = Math.sqrt(r * r - dy * dy);
    return [cx - hw, cx + hw];
  }
  const xs: number[] = [];
  for (let i = 0; i < poly.length; i++) {
    const [ax, ay] = poly[i]!;
    const [bx, by] = poly[(i + 1) % poly.length]!;
    if ((ay <= y && by > y) || (by <= y && ay > y)) xs.push(ax + ((y - ay) / (by - ay)) * (bx - ax));
  }
  return xs.sort((a, b) => a - b);
}

/**
 * Fills a shape in place on an RGB/RGBA image and returns the tight box of the pixels it
 * actually set (null if none landed inside the image).
 */
export function drawShape(
  img: Pixels,
  kind: ShapeName,
  cx: number,
  cy: number,
  size: number,
  rgb: readonly [number, number, number],
): Box | null {
  const poly = shapePolygon(kind, cx, cy, size);
  const ch = img.channels;
  const d = img.data;
  let bx0 = Infinity;
  let by0 = Infinity;
  let bx1 = -Infinity;
  let by1 = -Infinity;
  const yStart = Math.max(0, Math.floor(cy - size / 2 - 1));
  const yEnd = Math.min(img.height, Math.ceil(cy + size / 2 + 1));
  for (let y = yStart; y < yEnd; y++) {
    const spans = spansAt(poly, cx, cy, size, y + 0.5);
    for (let k = 0; k + 1 < spans.length; k += 2) {
      // Pixel x is inside when its centre x + 0.5 lies in [xa, xb).
      const xs = Math.max(0, Math.ceil(spans[k]! - 0.5));
      const xe = Math.min(img.width, Math.ceil(spans[k + 1]! - 0.5));
      if (xe <= xs) continue;
      for (let x = xs, o = (y * img.width + xs) * ch; x < xe; x++, o += ch) {
        d[o] = rgb[0];
        d[o + 1] = rgb[1];
        d[o + 2] = rgb[2];
        if (ch === 4) d[o + 3] = 255;
      }
      if (xs < bx0) bx0 = xs;
      if (xe > bx1) bx1 = xe;
      if (y < by0) by0 = y;
      if (y + 1 > by1) by1 = y + 1;
    }
  }
  return bx0 === Infinity ? null : { x0: bx0, y0: by0, x1: bx1, y1: by1 };
}

/** A binary mask (1 = inside) of one shape rendered alone in a tight square, for prototypes. */
export function shapeMask(kind: ShapeName, size: number, offset = 0): { mask: Uint8Array; width: number; height: number } {
  const side = Math.ceil(size) + 4;
  const img = createPixels(side, side, 3);
  const box = drawShape(img, kind, side / 2 + offset, side / 2 + offset * 0.7, size, [255, 255, 255])!;
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) mask[y * w + x] = img.data[((y + box.y0) * side + x + box.x0) * 3]! > 0 ? 1 : 0;
  return { mask, width: w, height: h };
}

// -- backgrounds -----------------------------------------------------------------------------

type Rgb = [number, number, number];

/** Muted scene palettes (chroma ≤ 50): meadow, sand, stone, dusk, soil, moss. */
const SCENES: Rgb[][] = [
  [[78, 92, 62], [112, 122, 84], [140, 138, 104]],
  [[150, 132, 104], [176, 160, 130], [128, 112, 92]],
  [[96, 98, 100], [126, 126, 122], [156, 154, 146]],
  [[72, 78, 100], [104, 106, 124], [136, 132, 140]],
  [[92, 76, 62], [122, 102, 82], [150, 132, 108]],
  [[66, 80, 70], [96, 110, 92], [124, 130, 112]],
];

/** Adds one octave of smooth value noise (bilinear, smoothstep) into `acc` with weight `amp`. */
function addValueNoise(acc: Float32Array, w: number, h: number, cell: number, amp: number, rng: Rng): void {
  const gw = Math.ceil(w / cell) + 2;
  const gh = Math.ceil(h / cell) + 2;
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next();
  // Per-column lattice index and smoothed fraction, computed once instead of per pixel.
  const ix = new Int32Array(w);
  const fx = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const gx = x / cell;
    ix[x] = Math.floor(gx);
    const f = gx - ix[x]!;
    fx[x] = f * f * (3 - 2 * f);
  }
  for (let y = 0; y < h; y++) {
    const gy = y / cell;
    const iy = Math.floor(gy);
    let fy = gy - iy;
    fy = fy * fy * (3 - 2 * fy);
    const r0 = iy * gw;
    const r1 = r0 + gw;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const i = ix[x]!;
      const f = fx[x]!;
      const top = grid[r0 + i]! + (grid[r0 + i + 1]! - grid[r0 + i]!) * f;
      const bot = grid[r1 + i]! + (grid[r1 + i + 1]! - grid[r1 + i]!) * f;
      acc[row + x] += amp * (top + (bot - top) * fy);
    }
  }
}

export interface BackgroundOptions {
  /** Scene palette index (default: drawn from the rng). */
  scene?: number;
  /** Per-pixel luminance grain amplitude (default 10). */
  grain?: number;
  /** Muted blobs ("stones", "leaves") drawn over the texture (default: ~1 per 120² px). */
  clutter?: number;
}

/**
 * A muted, photo-like RGB field: multi-octave value noise mapped through a three-colour scene
 * palette, large soft light/shadow variations, muted clutter blobs and fine grain. Its chroma
 * stays below palette.MIN_TARGET_CHROMA so no background pixel reads as a named colour.
 */
export function texturedBackground(width: number, height: number, rng: Rng, opts: BackgroundOptions = {}): Pixels {
  const img = createPixels(width, height, 3);
  const n = width * height;
  const scene = SCENES[opts.scene ?? rng.int(0, SCENES.length - 1)]!;
  const side = Math.max(width, height);
  const t = new Float32Array(n);
  addValueNoise(t, width, height, Math.max(8, side / 5), 0.5, rng);
  addValueNoise(t, width, height, Math.max(4, side / 18), 0.3, rng);
  addValueNoise(t, width, height, Math.max(2, side / 70), 0.2, rng);
  const light = new Float32Array(n);
  addValueNoise(light, width, height, Math.max(8, side / 3), 1, rng);
  const grain = opts.grain ?? 10;
  const d = img.data;
  let seed = rng.u32() | 1;
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    // Stretch t (≈ bell-shaped around 0.5) over the palette's three stops.
    const v = Math.min(1, Math.max(0, (t[i]! - 0.5) * 2.2 + 0.5)) * 2;
    const k = v < 1 ? 0 : 1;
    const f = v - k;
    const a = scene[k]!;
    const b = scene[k + 1]!;
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const g = ((seed >>> 0) / 4294967296 - 0.5) * 2 * grain;
    const shade = 0.8 + 0.4 * light[i]!;
    d[o] = clamp8((a[0] + (b[0] - a[0]) * f) * shade + g);
    d[o + 1] = clamp8((a[1] + (b[1] - a[1]) * f) * shade + g);
    d[o + 2] = clamp8((a[2] + (b[2] - a[2]) * f) * shade + g);
  }
  const blobs = opts.clutter ?? Math.round(n / (120 * 120));
  for (let i = 0; i < blobs; i++) {
    const base = scene[rng.int(0, 2)]!;
    const s = rng.float(0.6, 1.25);
    mutedEllipse(img, rng.float(0, width), rng.float(0, height), rng.float(side / 200, side / 30), rng.float(side / 200, side / 30), [
      base[0] * s,
      base[1] * s,
      base[2] * s,
    ]);
  }
  return img;
}

function clamp8(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v | 0;
}

/** A half-transparent ellipse in a muted colour (clutter that never reads as a target). */
function mutedEllipse(img: Pixels, cx: number, cy: number, rx: number, ry: number, rgb: number[]): void {
  const d = img.data;
  const y0 = Math.max(0, Math.floor(cy - ry));
  const y1 = Math.min(img.height, Math.ceil(cy + ry));
  for (let y = y0; y < y1; y++) {
    const dy = (y + 0.5 - cy) / ry;
    if (dy * dy >= 1) continue;
    const hw = rx * Math.sqrt(1 - dy * dy);
    const xs = Math.max(0, Math.ceil(cx - hw - 0.5));
    const xe = Math.min(img.width, Math.ceil(cx + hw - 0.5));
    for (let x = xs, o = (y * img.width + xs) * 3; x < xe; x++, o += 3) {
      d[o] = (d[o]! + rgb[0]!) >> 1;
      d[o + 1] = (d[o + 1]! + rgb[1]!) >> 1;
      d[o + 2] = (d[o + 2]! + rgb[2]!) >> 1;
    }
  }
}
