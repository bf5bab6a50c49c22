/**
 * Labelled boxes drawn onto an image, so a trajectory shows what the tools saw (the figure a
 * `detect()` call shows) in the browser, in Node and in exported trajectories alike.
 *
 * Text uses a built-in 3×5 pixel font (digits, lower-case letters and a few signs, scaled up):
 * the offline matplotlib subset does not rasterise text, and labels are short ("dog 0.87").
 */
import { convert } from '../imaging/pixels';
import type { Pixels } from '../runtime/types';
import type { Box } from './colour';

// 3×5 glyphs, rows top to bottom, 3 bits each (4 = left column).
const GLYPHS: Record<string, number[]> = {
  a: [2, 5, 7, 5, 5], b: [6, 5, 6, 5, 6], c: [3, 4, 4, 4, 3], d: [6, 5, 5, 5, 6], e: [7, 4, 6, 4, 7], f: [7, 4, 6, 4, 4],
  g: [3, 4, 5, 5, 3], h: [5, 5, 7, 5, 5], i: [7, 2, 2, 2, 7], j: [1, 1, 1, 5, 2], k: [5, 5, 6, 5, 5], l: [4, 4, 4, 4, 7],
  m: [5, 7, 7, 5, 5], n: [6, 5, 5, 5, 5], o: [2, 5, 5, 5, 2], p: [6, 5, 6, 4, 4], q: [2, 5, 5, 6, 3], r: [6, 5, 6, 5, 5],
  s: [3, 4, 2, 1, 6], t: [7, 2, 2, 2, 2], u: [5, 5, 5, 5, 7], v: [5, 5, 5, 5, 2], w: [5, 5, 7, 7, 5], x: [5, 5, 2, 5, 5],
  y: [5, 5, 2, 2, 2], z: [7, 1, 2, 4, 7], '0': [7, 5, 5, 5, 7], '1': [2, 6, 2, 2, 7], '2': [6, 1, 2, 4, 7],
  '3': [6, 1, 2, 1, 6], '4': [5, 5, 7, 1, 1], '5': [7, 4, 6, 1, 6], '6': [3, 4, 7, 5, 7], '7': [7, 1, 2, 2, 2],
  '8': [7, 5, 7, 5, 7], '9': [7, 5, 7, 1, 6], '.': [0, 0, 0, 0, 2], '-': [0, 0, 7, 0, 0], '=': [0, 7, 0, 7, 0],
  ':': [0, 2, 0, 2, 0], '%': [5, 1, 2, 4, 5], '#': [5, 7, 5, 7, 5], ' ': [0, 0, 0, 0, 0],
};

/** Distinct, readable box colours, cycled by label. */
const BOX_COLOURS: Array<[number, number, number]> = [
  [255, 64, 64], [64, 200, 255], [255, 200, 0], [80, 230, 80], [255, 96, 255], [255, 140, 0], [160, 120, 255],
];

export interface LabelledBox {
  box: Box;
  label: string;
}

function fillRect(p: Pixels, x0: number, y0: number, x1: number, y1: number, c: readonly number[]): void {
  const xa = Math.max(0, Math.floor(x0));
  const xb = Math.min(p.width, Math.ceil(x1));
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(p.height, Math.ceil(y1)); y++) {
    for (let x = xa; x < xb; x++) {
      const i = (y * p.width + x) * 3;
      p.data[i] = c[0]!;
      p.data[i + 1] = c[1]!;
      p.data[i + 2] = c[2]!;
    }
  }
}

/** Draws `text` with its top-left corner at (x, y), each font pixel `s`×`s`. Returns the width. */
export function drawText(p: Pixels, text: string, x: number, y: number, s: number, c: readonly number[]): number {
  let cx = x;
  for (const ch of text.toLowerCase()) {
    const g = GLYPHS[ch] ?? GLYPHS['#']!;
    g.forEach((row, r) => {
      for (let col = 0; col < 3; col++) if (row & (4 >> col)) fillRect(p, cx + col * s, y + r * s, cx + (col + 1) * s, y + (r + 1) * s, c);
    });
    cx += 4 * s;
  }
  return cx - x;
}

/** A copy of the image (as RGB) with each box outlined and labelled above its top-left corner. */
export function drawLabelledBoxes(image: Pixels, items: LabelledBox[]): Pixels {
  const p = convert(image, 3); // a copy (convert clones when the image is RGB already)
  const side = Math.max(p.width, p.height);
  const t = Math.max(2, Math.round(side / 300));
  const s = Math.max(2, Math.round(side / 250));
  const colourOf = new Map<string, readonly number[]>();
  items.forEach(({ box, label }) => {
    const kind = label.split(' ')[0]!;
    if (!colourOf.has(kind)) colourOf.set(kind, BOX_COLOURS[colourOf.size % BOX_COLOURS.length]!);
    const c = colourOf.get(kind)!;
    const [x0, y0, x1, y1] = box;
    fillRect(p, x0, y0, x1, y0 + t, c);
    fillRect(p, x0, y1 - t, x1, y1, c);
    fillRect(p, x0, y0, x0 + t, y1, c);
    fillRect(p, x1 - t, y0, x1, y1, c);
    const h = 7 * s;
    const w = label.length * 4 * s + s;
    const ty = y0 - h >= 0 ? y0 - h : y0;
    fillRect(p, x0, ty, x0 + w, ty + h, c);
    drawText(p, label, x0 + s, ty + s, s, [0, 0, 0]);
  });
  return p;
}
