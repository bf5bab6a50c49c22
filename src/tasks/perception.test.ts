import { describe, expect, it } from 'vitest';
import { Resampling, resize } from '../imaging';
import { drawShape, texturedBackground } from './draw';
import { MIN_TARGET_CHROMA, COLOURS, COLOUR_RGB, SHAPES, chroma } from './palette';
import { countBlobs, findNamed, readTarget } from './perception';
import { Rng } from './rng';

describe('perception on rendered shapes', () => {
  it('reads every colour and shape from 12 px up, at any sub-pixel position', () => {
    const rng = new Rng(99);
    const wrong: string[] = [];
    for (const size of [12, 13, 16, 22, 40, 64]) {
      for (let k = 0; k < 40; k++) {
        const shape = SHAPES[k % SHAPES.length]!;
        const colour = COLOURS[k % COLOURS.length]!;
        const img = texturedBackground(size + 40, size + 40, rng);
        const box = drawShape(img, shape, (size + 40) / 2 + rng.next(), (size + 40) / 2 + rng.next(), size + rng.next(), COLOUR_RGB[colour])!;
        const r = readTarget(img, box, 2);
        if (r.colour !== colour || r.shape !== shape) wrong.push(`${size}px ${colour} ${shape} → ${r.colour} ${r.shape}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('sees nothing on a bare background (its chroma stays below the target threshold)', () => {
    const img = texturedBackground(300, 200, new Rng(4));
    let max = 0;
    for (let i = 0; i < img.data.length; i += 3) max = Math.max(max, chroma(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!));
    expect(max).toBeLessThan(MIN_TARGET_CHROMA);
    expect(readTarget(img, { x0: 0, y0: 0, x1: 300, y1: 200 }).colour).toBeNull();
  });

  it('counts and finds named objects; tiny targets become unreadable when downscaled', () => {
    const img = texturedBackground(800, 600, new Rng(5), { clutter: 0 });
    drawShape(img, 'star', 100, 100, 40, COLOUR_RGB.red);
    drawShape(img, 'circle', 300, 100, 40, COLOUR_RGB.red);
    drawShape(img, 'star', 500, 300, 40, COLOUR_RGB.blue);
    drawShape(img, 'triangle', 700, 500, 14, COLOUR_RGB.green);
    expect(countBlobs(img, { colour: 'red' })).toBe(2);
    expect(countBlobs(img, { shape: 'star' })).toBe(2);
    expect(countBlobs(img, { colour: 'red', shape: 'star' })).toBe(1);
    expect(findNamed(img, { colour: 'green' })?.shape).toBe('triangle');
    expect(findNamed(img, { shape: 'circle' })?.colour).toBe('red');
    // At 1/8 scale the 14-px triangle is ~2 px: its outline is gone.
    const small = resize(img, 100, 75, Resampling.BICUBIC);
    const g = findNamed(small, { colour: 'green' });
    expect(g === null || g.shape !== 'triangle' || g.area < 6).toBe(true);
  });
});
