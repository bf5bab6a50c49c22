/**
 * The `_pv_vision` JS module the vision tools (py/pv_tools.py) call for pure pixel and word work
 * that needs no model: understanding a query, naming a region's colour, colour segmentation and
 * drawing labelled boxes. It runs inside the Python worker, synchronously, with the same calling
 * convention as `_pv_imaging` (imagingBridge.ts). Model calls (detection, OCR) go to the host
 * through `_pv_host.perceive` instead.
 *
 * Structured results are JSON text (Python's json.loads: JS null must arrive as None, and a
 * proxy's to_py() gives `jsnull`); images come back as {width, height, data}.
 */
import { colourBlobs } from '../../src/perception/blobs';
import { colourShares, dominantColour, objectColour, type Box } from '../../src/perception/colour';
import { drawLabelledBoxes } from '../../src/perception/draw';
import { colourWord, parseQuery } from '../../src/perception/vocabulary';
import { checkPixelLimit, checkPixels } from '../../src/imaging';
import type { Pixels } from '../../src/runtime/types';
import { CallScope, list } from './imagingBridge';

/** Pixels copied out of Python call arguments: a fresh buffer the caller owns (and may transfer). */
export function pixelsArg(data: unknown, width: number, height: number, channels: number): Pixels {
  return withPixels(data, width, height, channels, (p) => ({ ...p, data: p.data.slice() }));
}

function withPixels<T>(data: unknown, w: number, h: number, ch: number, fn: (p: Pixels) => T): T {
  const scope = new CallScope();
  try {
    if (ch !== 1 && ch !== 3 && ch !== 4) throw new Error(`unsupported channel count ${ch}`);
    return fn(checkPixels({ width: w, height: h, channels: ch, data: scope.bytes(data, 'image data') }));
  } finally {
    scope.release();
  }
}

const boxArg = (b: unknown): Box | null => {
  const l = list<number>(b);
  return l && l.length === 4 ? [l[0]!, l[1]!, l[2]!, l[3]!] : null;
};

export function createVisionModule(limits: () => { maxImagePixels: number }): Record<string, (...args: any[]) => unknown> {
  return {
    parse_query: (query: string) => JSON.stringify(parseQuery(String(query ?? ''))),
    /** colour_word("gray") → '"grey"'; unknown → 'null'. */
    colour_word: (word: string) => JSON.stringify(colourWord(String(word ?? ''))),
    /** dominant_colour(data, w, h, ch, box | None) → {name, share, shares: [{name, share}]} or None. */
    dominant_colour: (d: unknown, w: number, h: number, ch: number, box: unknown) =>
      withPixels(d, w, h, ch, (p) => {
        const b = boxArg(box);
        const top = dominantColour(p, b);
        return JSON.stringify(top ? { ...top, shares: colourShares(p, b).slice(0, 4) } : null);
      }),
    /** object_colour(data, w, h, ch, box) → {name, share} or None: the box's colour against its surroundings. */
    object_colour: (d: unknown, w: number, h: number, ch: number, box: unknown) =>
      withPixels(d, w, h, ch, (p) => {
        const b = boxArg(box);
        return JSON.stringify(b ? objectColour(p, b) : dominantColour(p, null));
      }),
    /** colour_blobs(data, w, h, ch, colour) → {blobs: [{box, area, objects}], count, merged, coverage}. */
    colour_blobs: (d: unknown, w: number, h: number, ch: number, colour: string) =>
      withPixels(d, w, h, ch, (p) => {
        const c = colourWord(String(colour));
        if (!c) throw Object.assign(new Error(`unknown colour ${JSON.stringify(colour)}`), { name: 'ValueError' });
        return JSON.stringify(colourBlobs(p, c));
      }),
    /** draw_boxes(data, w, h, ch, [(x0, y0, x1, y1, label), …]) → {width, height, data} (RGB). */
    draw_boxes: (d: unknown, w: number, h: number, ch: number, items: unknown) =>
      withPixels(d, w, h, ch, (p) => {
        checkPixelLimit(w, h, limits().maxImagePixels);
        const rows = (list<[number, number, number, number, string]>(items) ?? []).map((r) => ({ box: [r[0], r[1], r[2], r[3]] as Box, label: String(r[4]) }));
        const out = drawLabelledBoxes(p, rows);
        return { width: out.width, height: out.height, data: out.data };
      }),
  };
}
