/**
 * Colour names for pixels and regions of real photographs.
 *
 * A region's colour is the colour NAME most of its pixels have (a vote over named bins, weighted
 * towards the region's centre), not the name of its mean colour: the mean of a white cup of
 * coffee is orange-brown, the mean of a red car in shade with a white highlight is a dull pink.
 * Bins are HSV rules: achromatic pixels (low chroma) are white / grey / black by value; dark or
 * unsaturated warm hues are brown; light reds are pink; the rest is named by hue. The eight
 * colours of the generated tasks (src/tasks/palette.ts) fall squarely in their own bins, so the
 * same names come back on both worlds (a unit test checks every palette colour).
 */
import type { Pixels } from '../runtime/types';
import { COLOUR_NAMES, type ColourWord } from './vocabulary';

export type Box = [number, number, number, number];

/** The colour word of one RGB pixel. */
export function nameOfRgb(r: number, g: number, b: number): ColourWord {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const chroma = max - min;
  const v = max / 255;
  const s = max === 0 ? 0 : chroma / max;
  if (v < 0.18) return 'black';
  if (chroma < 28 || s < 0.16) {
    // White things in shade measure well below full value (a polar bear, a white alpaca).
    if (v > 0.7) return 'white';
    return v < 0.3 ? 'black' : 'grey';
  }
  let h: number;
  if (max === r) h = ((g - b) / chroma) * 60;
  else if (max === g) h = ((b - r) / chroma) * 60 + 120;
  else h = ((r - g) / chroma) * 60 + 240;
  if (h < 0) h += 360;
  const warm = h < 50 || h >= 345;
  if (warm && (v < 0.5 || (s < 0.45 && v < 0.75))) return 'brown';
  if (h >= 345 || h < 12) return s < 0.45 && v > 0.75 ? 'pink' : 'red';
  // Yellow objects in photos (bees, chicks, flowers) measure down to ~37°; oranges ~20–35°.
  if (h < 37) return 'orange';
  if (h < 70) return v < 0.55 ? 'brown' : 'yellow';
  if (h < 163) return 'green';
  if (h < 195) return 'cyan';
  if (h < 255) return 'blue';
  if (h < 290) return 'purple';
  return 'pink';
}

export interface ColourShare {
  name: ColourWord;
  share: number;
}

/** Clamps a box to the image; null when it is empty. */
export function clampBox(p: Pick<Pixels, 'width' | 'height'>, box?: Box | null): Box | null {
  const [x0, y0, x1, y1] = box ?? [0, 0, p.width, p.height];
  const b: Box = [Math.max(0, Math.floor(x0)), Math.max(0, Math.floor(y0)), Math.min(p.width, Math.ceil(x1)), Math.min(p.height, Math.ceil(y1))];
  return b[2] > b[0] && b[3] > b[1] ? b : null;
}

/**
 * The colour names of a region, most common first, with their weighted shares. About 4,000
 * pixels are sampled on a grid; a pixel's weight falls from 1 at the region's centre to 0.2 at
 * its edge, since a detector's box holds background around the object.
 */
export function colourShares(p: Pixels, box?: Box | null, opts: { centreWeight?: boolean } = {}): ColourShare[] {
  return colourStats(p, box, opts).shares;
}

/** colourShares, plus the brightness (max channel, 0…1) of every sampled white or grey pixel. */
function colourStats(p: Pixels, box?: Box | null, opts: { centreWeight?: boolean } = {}): { shares: ColourShare[]; pale: number[] } {
  const pale: number[] = [];
  const b = clampBox(p, box);
  if (!b) return { shares: [], pale };
  const [x0, y0, x1, y1] = b;
  const w = x1 - x0;
  const h = y1 - y0;
  const step = Math.max(1, Math.floor(Math.sqrt((w * h) / 4000)));
  const votes = new Map<ColourWord, number>();
  let total = 0;
  const ch = p.channels;
  const centre = opts.centreWeight ?? true;
  for (let y = y0 + (step >> 1); y < y1; y += step) {
    const dy = (y - (y0 + y1) / 2) / (h / 2);
    for (let x = x0 + (step >> 1); x < x1; x += step) {
      const i = (y * p.width + x) * ch;
      if (ch === 4 && p.data[i + 3]! < 128) continue; // transparent
      const [r, g, bl] = ch === 1 ? [p.data[i]!, p.data[i]!, p.data[i]!] : [p.data[i]!, p.data[i + 1]!, p.data[i + 2]!];
      const dx = (x - (x0 + x1) / 2) / (w / 2);
      const weight = centre ? Math.max(0.2, 1 - 0.8 * Math.min(1, Math.hypot(dx, dy))) : 1;
      const name = nameOfRgb(r, g, bl);
      votes.set(name, (votes.get(name) ?? 0) + weight);
      total += weight;
      if (name === 'white' || name === 'grey') pale.push(Math.max(r, g, bl) / 255);
    }
  }
  if (!total) return { shares: [], pale };
  const shares = [...votes.entries()].map(([name, v]) => ({ name, share: v / total })).sort((a, b2) => b2.share - a.share || COLOUR_NAMES.indexOf(a.name) - COLOUR_NAMES.indexOf(b2.name));
  return { shares, pale };
}

/** Colour shares of the ring around a box (the box grown by `grow` of its size, minus the box). */
export function ringShares(p: Pixels, box: Box, grow = 0.25): ColourShare[] {
  const [x0, y0, x1, y1] = box;
  const gx = Math.max(2, Math.round((x1 - x0) * grow));
  const gy = Math.max(2, Math.round((y1 - y0) * grow));
  const outer = clampBox(p, [x0 - gx, y0 - gy, x1 + gx, y1 + gy])!;
  const step = Math.max(1, Math.floor(Math.sqrt(((outer[2] - outer[0]) * (outer[3] - outer[1])) / 4000)));
  const votes = new Map<ColourWord, number>();
  let total = 0;
  for (let y = outer[1]; y < outer[3]; y += step) {
    for (let x = outer[0]; x < outer[2]; x += step) {
      if (x >= x0 && x < x1 && y >= y0 && y < y1) continue;
      const i = (y * p.width + x) * p.channels;
      const name = p.channels === 1 ? nameOfRgb(p.data[i]!, p.data[i]!, p.data[i]!) : nameOfRgb(p.data[i]!, p.data[i + 1]!, p.data[i + 2]!);
      votes.set(name, (votes.get(name) ?? 0) + 1);
      total++;
    }
  }
  return total ? [...votes.entries()].map(([name, v]) => ({ name, share: v / total })) : [];
}

/**
 * The colour of the object in a detector's box: the colour that is common inside the box and
 * rarer around it. A box holds the object and some background; the background continues around
 * the box, the object does not (a white duck on brown water: brown fills half the box and all of
 * the ring, white a third of the box and none of the ring). Falls back to dominantColour when the
 * box is (nearly) the whole image or no colour stands out.
 */
export function objectColour(p: Pixels, box: Box): ColourShare | null {
  const inner = colourShares(p, box);
  const ring = ringShares(p, box);
  const b = clampBox(p, box);
  if (!b || !ring.length || (b[2] - b[0]) * (b[3] - b[1]) > 0.8 * p.width * p.height) return dominantColour(p, box);
  const around = new Map(ring.map((r) => [r.name, r.share]));
  let best: ColourShare | null = null;
  let bestScore = 0.08;
  for (const s of inner) {
    if (s.share < 0.15) continue;
    const score = s.share - (around.get(s.name) ?? 0);
    if (score > bestScore) {
      bestScore = score;
      best = s;
    }
  }
  return best ?? dominantColour(p, box);
}

/**
 * The one colour word for a region. A chromatic colour with at least 60 % of the top share wins
 * over white/grey/black on top (highlights, shadows and a pale background take many pixels of a
 * coloured object's box, while an object that is white or black is mostly that).
 */
export function dominantColour(p: Pixels, box?: Box | null): ColourShare | null {
  const { shares, pale } = colourStats(p, box);
  const first = shares[0];
  if (!first) return null;
  const share = (n: ColourWord) => shares.find((s) => s.name === n)?.share ?? 0;
  // A pale surface in shade splits into white and grey pixels: it is one surface, and shading
  // only darkens, so its lit quarter tells its colour (a white cup in shade is white, an
  // elephant in sun stays grey).
  let top = first;
  if (first.name === 'white' || first.name === 'grey') {
    const sorted = [...pale].sort((a, b) => a - b);
    const lit = sorted[Math.floor(sorted.length * 0.75)] ?? 0;
    top = { name: lit > 0.78 ? 'white' : 'grey', share: share('white') + share('grey') };
  }
  if (top.name === 'white' || top.name === 'grey' || top.name === 'black') {
    const chromatic = shares.find((s) => s.name !== 'white' && s.name !== 'grey' && s.name !== 'black');
    if (chromatic && chromatic.share >= 0.6 * top.share) return chromatic;
  }
  return top;
}
