import { describe, expect, it } from 'vitest';
import { axisWidth, lastIndexes } from './chartMath';

describe('chart helpers', () => {
  it('the y axis is as wide as its widest label plus ticks: six-digit step times fit', () => {
    const measure = (t: string) => t.length * 7; // a 7 px-per-character font
    const narrow = axisWidth(['0', '0.5', '1'], measure, 15);
    const wide = axisWidth(['0', '60,000', '120,000'], measure, 15);
    expect(wide).toBeGreaterThanOrEqual(7 * 7 + 15);
    expect(wide).toBeGreaterThan(narrow);
  });

  it("the legend's resting position is each line's last value, skipping trailing gaps", () => {
    const xs = [0, 1, 2, 3];
    expect(lastIndexes([xs, [1, 2, 3, 4], [1, null, 2, null], [null, null, null, null]])).toEqual([3, 3, 2, -1]);
    expect(lastIndexes([[]])).toEqual([-1]);
  });
});
