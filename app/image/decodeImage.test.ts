import { describe, expect, it } from 'vitest';
import { fitWithin, MAX_IMAGE_SIDE, rgbaToRgb } from './decodeImage';

describe('image decoding helpers', () => {
  it('fits the longest side within the limit, keeping the aspect ratio', () => {
    expect(fitWithin(640, 480)).toEqual({ width: 640, height: 480 });
    expect(fitWithin(MAX_IMAGE_SIDE, 10)).toEqual({ width: MAX_IMAGE_SIDE, height: 10 });
    expect(fitWithin(5000, 40)).toEqual({ width: 4096, height: 33 });
    expect(fitWithin(3000, 8192)).toEqual({ width: 1500, height: 4096 });
    expect(fitWithin(100000, 1)).toEqual({ width: 4096, height: 1 });
  });

  it('drops alpha (PIL convert("RGB") semantics)', () => {
    const rgba = new Uint8ClampedArray([1, 2, 3, 255, 4, 5, 6, 0]);
    expect(rgbaToRgb(rgba, 2, 1)).toEqual({ width: 2, height: 1, channels: 3, data: new Uint8Array([1, 2, 3, 4, 5, 6]) });
  });
});
