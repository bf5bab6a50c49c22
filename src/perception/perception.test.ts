/**
 * The framework-free perception pieces: colour names (the generated palette and shaded real
 * colours), object colour against its surroundings, colour segmentation counting, query
 * parsing, OCR result shaping, and labelled boxes.
 */
import { describe, expect, it } from 'vitest';
import type { Pixels } from '../runtime/types';
import { COLOUR_RGB, COLOURS } from '../tasks/palette';
import { Rng } from '../tasks/rng';
import { colourBlobs } from './blobs';
import { dominantColour, nameOfRgb, objectColour } from './colour';
import { drawLabelledBoxes } from './draw';
import { isWordLike, prepareForOcr, shapeOcr } from './ocr';
import { labelOf, parseQuery } from './vocabulary';

/** An RGB canvas of a muted, noisy background. */
function canvas(w: number, h: number, seed = 1): Pixels {
  const rng = new Rng(seed);
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const v = 110 + rng.int(-25, 25);
    data.set([v + 10, v + 5, v - 5], i * 3);
  }
  return { width: w, height: h, channels: 3, data };
}

/** A shaded disc: the colour darkens towards the bottom (a lit ball), with a white highlight. */
function disc(p: Pixels, cx: number, cy: number, r: number, rgb: readonly number[]) {
  for (let y = cy - r; y <= cy + r; y++) {
    for (let x = cx - r; x <= cx + r; x++) {
      if ((x - cx) ** 2 + (y - cy) ** 2 > r * r || x < 0 || y < 0 || x >= p.width || y >= p.height) continue;
      const shade = 1 - (0.45 * (y - (cy - r))) / (2 * r);
      const highlight = (x - cx + r / 3) ** 2 + (y - cy + r / 3) ** 2 < (r / 5) ** 2;
      const c = highlight ? [250, 250, 250] : rgb.map((v) => Math.round(v * shade));
      p.data.set(c, (y * p.width + x) * 3);
    }
  }
}

describe('colour names', () => {
  it('name every generated-task palette colour by its own name', () => {
    for (const c of COLOURS) expect(nameOfRgb(...(COLOUR_RGB[c] as [number, number, number]))).toBe(c);
  });

  it('name shaded real colours and the achromatic ones', () => {
    expect(nameOfRgb(120, 30, 25)).toBe('brown'); // dark red-brown
    expect(nameOfRgb(180, 40, 35)).toBe('red');
    expect(nameOfRgb(235, 235, 230)).toBe('white');
    expect(nameOfRgb(190, 190, 185)).toBe('white'); // white in shade
    expect(nameOfRgb(120, 120, 118)).toBe('grey');
    expect(nameOfRgb(20, 22, 25)).toBe('black');
    expect(nameOfRgb(240, 205, 40)).toBe('yellow');
    expect(nameOfRgb(60, 90, 200)).toBe('blue');
  });

  it('a shaded object with a highlight keeps its colour (a vote over named pixels, not the mean)', () => {
    const p = canvas(200, 200);
    disc(p, 100, 100, 60, [200, 30, 30]);
    expect(dominantColour(p, [40, 40, 160, 160])?.name).toBe('red');
    // A white cup of dark coffee: the mean is brownish, the cup is white.
    const cup = canvas(200, 200);
    disc(cup, 100, 100, 70, [235, 232, 228]);
    disc(cup, 100, 95, 35, [70, 40, 20]);
    expect(dominantColour(cup, [30, 30, 170, 170])?.name).toBe('white');
  });

  it('the colour of a detector box is the one that stands out from its surroundings', () => {
    // A white bird on brown water: brown fills much of the box and all of the ring around it.
    const p: Pixels = { width: 300, height: 300, channels: 3, data: new Uint8Array(300 * 300 * 3) };
    for (let i = 0; i < 300 * 300; i++) p.data.set([110, 70, 35], i * 3);
    disc(p, 150, 150, 25, [240, 240, 238]);
    expect(dominantColour(p, [100, 100, 200, 200])?.name).toBe('brown');
    expect(objectColour(p, [100, 100, 200, 200])?.name).toBe('white');
  });
});

describe('counting by colour', () => {
  it('counts shaded discs of one colour, ignores other colours, and splits touching pairs', () => {
    const p = canvas(640, 480, 3);
    const red = [[80, 80], [300, 90], [520, 120], [150, 330], [420, 380]];
    for (const [x, y] of red) disc(p, x!, y!, 30, [210, 35, 35]);
    disc(p, 250, 250, 30, [40, 70, 210]); // a blue one
    // Two touching red discs count as two.
    disc(p, 560, 300, 30, [210, 35, 35]);
    disc(p, 600, 300, 30, [210, 35, 35]);
    const got = colourBlobs(p, 'red');
    expect(got.count).toBe(7);
    expect(got.merged).toBe(1);
    expect(colourBlobs(p, 'blue').count).toBe(1);
    expect(colourBlobs(p, 'green').count).toBe(0);
  });
});

describe('query words', () => {
  it('understands classes, plurals, synonyms, categories, colours and shapes', () => {
    expect(parseQuery('the cup').labels).toEqual(['cup']);
    expect(parseQuery('any mugs').labels).toEqual(['cup']);
    expect(parseQuery('people').labels).toEqual(['person']);
    expect(parseQuery('a teddy bear').labels).toEqual(['teddy bear']);
    expect(parseQuery('animal').labels).toContain('giraffe');
    expect(parseQuery('the red cars')).toMatchObject({ labels: ['car'], colour: 'red' });
    expect(parseQuery('the orange').labels).toEqual(['orange']);
    expect(parseQuery('the orange car')).toMatchObject({ labels: ['car'], colour: 'orange' });
    expect(parseQuery('the red object')).toMatchObject({ labels: null, colour: 'red' });
    // Nouns the detector has no class for are looked up as their category, and flagged.
    expect(parseQuery('the camels')).toMatchObject({ category: 'animal', nearest: true, unknown: ['camels'] });
    expect(parseQuery('the camels').labels).toContain('horse');
    expect(parseQuery('spoonbills')).toMatchObject({ labels: ['bird'], nearest: true });
    expect(parseQuery('a fig').labels).toEqual(expect.arrayContaining(['apple', 'orange']));
    expect(parseQuery('the soldiers').labels).toEqual(['person']);
    expect(parseQuery('the candies')).toMatchObject({ labels: null, unknown: ['candies'] });
    expect(parseQuery('the dogs').nearest).toBeUndefined();
    expect(parseQuery('the stars')).toMatchObject({ labels: null, shape: 'star' });
    expect(parseQuery('the yellow candies')).toMatchObject({ labels: null, colour: 'yellow', unknown: ['candies'] });
    expect(labelOf('puppies')).toBe('dog');
    expect(labelOf('thet')).toBeNull();
  });
});

describe('OCR shaping', () => {
  it('keeps confident word-like lines, drops texture noise and lone characters, maps boxes back', () => {
    const w = (text: string, confidence: number, x: number) => ({ text, confidence, bbox: { x0: x, y0: 20, x1: x + 40, y1: 40 } });
    const page = {
      blocks: [
        { paragraphs: [{ lines: [{ words: [w('FRESH', 95, 0), w('BREAD', 93, 50), w('4', 90, 100)] }, { words: [w('~;', 80, 0)] }, { words: [w('lt', 60, 0)] }] }] },
      ],
    };
    const r = shapeOcr(page, 2);
    expect(r.text).toBe('FRESH BREAD');
    expect(r.lines[0]!.box).toEqual([0, 10, 45, 20]);
    expect(isWordLike('STOP')).toBe(true);
    expect(isWordLike('~;')).toBe(false);
    expect(isWordLike('E')).toBe(false);
  });

  it('enlarges small images and makes them grey; shrinks huge ones', () => {
    const small = prepareForOcr(canvas(400, 300));
    expect(small.factor).toBe(4); // 2800 / 400 = 7, capped at 4
    expect([small.pixels.width, small.pixels.height, small.pixels.channels]).toEqual([1600, 1200, 1]);
    const huge = prepareForOcr(canvas(4000, 1000));
    expect(huge.factor).toBeLessThan(1);
    expect(Math.max(huge.pixels.width, huge.pixels.height)).toBeLessThanOrEqual(4000 * huge.factor + 1);
  });
});

describe('labelled boxes', () => {
  it('draws outlines in the box colour and leaves the rest of the image alone', () => {
    const p = canvas(120, 80);
    const out = drawLabelledBoxes(p, [{ box: [20, 30, 100, 70], label: 'dog 0.87' }]);
    expect(out.channels).toBe(3);
    const at = (x: number, y: number) => [...out.data.subarray((y * 120 + x) * 3, (y * 120 + x) * 3 + 3)];
    expect(at(60, 69)).toEqual([255, 64, 64]); // bottom edge
    expect(at(5, 75)).toEqual([...p.data.subarray((75 * 120 + 5) * 3, (75 * 120 + 5) * 3 + 3)]);
  });
});
