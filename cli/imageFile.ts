/**
 * Image files in Node (the CLI, evaluation and training data): PNG and JPEG through the
 * project's own codec (src/imaging/codec.ts, shared with the Python compat layer), WebP through
 * libwebp compiled to WASM (@cwasm/webp; Node only — in the browser the page decodes uploads).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { decodeImage } from '../src/imaging/codec';
import type { Pixels } from '../src/runtime/types';

const require = createRequire(import.meta.url);

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

const isWebp = (b: Uint8Array) => b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP';

/** Decodes image bytes (PNG, JPEG or WebP) into Pixels; throws a clear error otherwise. */
export function decodeImageBytes(bytes: Uint8Array, maxPixels = 64 * 1024 * 1024): Pixels {
  if (isWebp(bytes)) {
    const webp = require('@cwasm/webp') as { decode(b: Uint8Array): { width: number; height: number; data: Uint8ClampedArray } };
    let d: { width: number; height: number; data: Uint8ClampedArray };
    try {
      d = webp.decode(bytes);
    } catch {
      throw new Error('the WebP data is corrupt or unsupported');
    }
    if (d.width * d.height > maxPixels) throw new Error(`the image is ${d.width}×${d.height}, over the ${maxPixels}-pixel limit`);
    return { width: d.width, height: d.height, channels: 4, data: new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength) };
  }
  const d = decodeImage(bytes, maxPixels);
  return { width: d.width, height: d.height, channels: d.channels, data: d.data };
}

/** Reads and decodes an image file; errors name the file. */
export function readImageFile(file: string): Pixels {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    return decodeImageBytes(bytes);
  } catch (err) {
    throw new Error(`cannot decode ${file} as an image (PNG, JPEG or WebP): ${(err as Error).message}`);
  }
}
