/**
 * Shown figures as the host receives them: Pixels plus titles, downscaled (area-averaging
 * BOX filter, like Pillow's reduce) when a side exceeds the configured limit, so a huge
 * plt.imshow cannot flood the page or the model's context.
 */
import type { Figure, Pixels } from '../../src/runtime/types';
import { Resampling, resize } from '../../src/imaging';

export function fitFigure(pixels: Pixels, titles: string[], maxSide: number): Figure {
  const side = Math.max(pixels.width, pixels.height);
  if (side <= maxSide) return { pixels, titles, downscaled: false };
  const scale = maxSide / side;
  const width = Math.max(1, Math.round(pixels.width * scale));
  const height = Math.max(1, Math.round(pixels.height * scale));
  return { pixels: resize(pixels, width, height, Resampling.BOX), titles, downscaled: true };
}
