/**
 * Decodes an uploaded or sample image in the page into RGB `Pixels` (what Python gets as
 * `image_clue_0`). Images with a side over MAX_IMAGE_SIDE are downscaled to fit, and the caller
 * shows a notice. Decoding failures throw ImageDecodeError with a message fit for the UI.
 */
import type { Pixels } from '../../src/runtime/types';

export const MAX_IMAGE_SIDE = 4096;
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
export const ACCEPTED_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export const ACCEPT_ATTRIBUTE = '.png,.jpg,.jpeg,.webp,image/png,image/jpeg,image/webp';

export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
}

export interface DecodedImage {
  pixels: Pixels;
  originalWidth: number;
  originalHeight: number;
  downscaled: boolean;
}

function isAccepted(blob: Blob, name: string): boolean {
  if ((ACCEPTED_TYPES as readonly string[]).includes(blob.type)) return true;
  return blob.type === '' && /\.(png|jpe?g|webp)$/i.test(name);
}

/** Target size that fits maxSide, keeping the aspect ratio. */
export function fitWithin(width: number, height: number, maxSide = MAX_IMAGE_SIDE): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  if (scale === 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** RGBA → RGB, dropping alpha (PIL's convert('RGB') semantics). */
export function rgbaToRgb(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Pixels {
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const o = i * 3;
    rgb[o] = rgba[j]!;
    rgb[o + 1] = rgba[j + 1]!;
    rgb[o + 2] = rgba[j + 2]!;
  }
  return { width, height, channels: 3, data: rgb };
}

function draw2d(width: number, height: number) {
  if (typeof OffscreenCanvas !== 'undefined') {
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (ctx) return ctx;
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ImageDecodeError('This browser cannot create a 2D canvas to decode images.');
  return ctx;
}

export async function decodeImage(blob: Blob, name: string): Promise<DecodedImage> {
  if (!isAccepted(blob, name)) {
    throw new ImageDecodeError(`"${name}" is not a PNG, JPEG or WebP image (type: ${blob.type || 'unknown'}).`);
  }
  if (blob.size > MAX_FILE_BYTES) {
    throw new ImageDecodeError(`"${name}" is ${(blob.size / 2 ** 20).toFixed(0)} MB; the limit is ${MAX_FILE_BYTES / 2 ** 20} MB.`);
  }
  if (blob.size === 0) throw new ImageDecodeError(`"${name}" is empty.`);
  let bitmap: ImageBitmap;
  try {
    // No colour-space conversion: the bytes Python sees match what PIL would decode.
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new ImageDecodeError(`Could not decode "${name}": the file is corrupt or not a valid PNG, JPEG or WebP image.`);
  }
  try {
    const originalWidth = bitmap.width;
    const originalHeight = bitmap.height;
    if (originalWidth === 0 || originalHeight === 0) throw new ImageDecodeError(`"${name}" has no pixels.`);
    const { width, height } = fitWithin(originalWidth, originalHeight);
    const ctx = draw2d(width, height);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    return {
      pixels: rgbaToRgb(rgba, width, height),
      originalWidth,
      originalHeight,
      downscaled: width !== originalWidth || height !== originalHeight,
    };
  } finally {
    bitmap.close();
  }
}
