/**
 * Decoding (PNG via fast-png, JPEG via jpeg-js) into L / RGB / RGBA Pixels, and encoding
 * (PNG via fast-png, JPEG via jpeg-js). Where Pillow would open a mode this project does not model
 * (P, LA, 1, I;16), the pixels are expanded to the nearest supported mode; `sourceMode` says what
 * Pillow would have reported.
 */
import { decode as decodePng, encode as encodePng, convertIndexedToRgb } from 'fast-png';
import * as jpegModule from 'jpeg-js';
import type { Pixels } from '../runtime/types';
import { checkPixelLimit, convert } from './pixels';

interface JpegApi {
  decode(
    data: Uint8Array,
    opts: { useTArray: true; formatAsRGBA: boolean; maxResolutionInMP?: number; maxMemoryUsageInMB?: number },
  ): { width: number; height: number; data: Uint8Array };
  encode(img: { width: number; height: number; data: Uint8Array }, quality?: number): { data: Uint8Array };
}
// jpeg-js is CommonJS: depending on the bundler its functions sit on the namespace or on `default`.
const jpeg: JpegApi = ((jpegModule as unknown as { default?: JpegApi }).default ?? jpegModule) as unknown as JpegApi;

export type ImageFormat = 'PNG' | 'JPEG';

export interface DecodedImage extends Pixels {
  format: ImageFormat;
  /** The mode Pillow would report for this file ("P", "LA", "I;16", … when expanded here). */
  sourceMode: string;
}

export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'PNG';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'JPEG';
  return null;
}

/** Unpacks 1/2/4-bit grayscale samples to 0..255 (Pillow's "1" and "L" expansion). */
function unpackLowDepth(data: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const stride = Math.ceil((depth * width) / 8);
  const maxv = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const v = (data[y * stride + (bit >> 3)] >> (8 - depth - (bit & 7))) & maxv;
      out[y * width + x] = Math.round((v * 255) / maxv);
    }
  }
  return out;
}

function decodePngPixels(bytes: Uint8Array, maxPixels: number): DecodedImage {
  const png = decodePng(bytes);
  const { width, height, depth, channels } = png;
  checkPixelLimit(width, height, maxPixels);
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    const ch = png.palette[0].length as 3 | 4;
    return { width, height, channels: ch, data: rgb, format: 'PNG', sourceMode: 'P' };
  }
  let samples: Uint8Array;
  if (depth === 16) {
    const d16 = png.data as Uint16Array;
    samples = new Uint8Array(d16.length);
    for (let i = 0; i < d16.length; i++) samples[i] = d16[i] >> 8;
  } else if (depth < 8) {
    samples = unpackLowDepth(png.data as Uint8Array, width, height, depth);
  } else {
    samples = png.data instanceof Uint8Array ? png.data : new Uint8Array(png.data);
  }
  const sourceMode = ['L', 'LA', 'RGB', 'RGBA'][channels - 1] + (depth === 16 && channels === 1 ? ';16' : '');
  if (channels === 2) {
    // LA → RGBA (this layer has no LA mode).
    const out = new Uint8Array(width * height * 4);
    for (let i = 0, j = 0; i < samples.length; i += 2, j += 4) {
      out[j] = out[j + 1] = out[j + 2] = samples[i];
      out[j + 3] = samples[i + 1];
    }
    return { width, height, channels: 4, data: out, format: 'PNG', sourceMode };
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`unsupported PNG with ${channels} channels`);
  return { width, height, channels, data: samples, format: 'PNG', sourceMode: depth === 1 && channels === 1 ? '1' : sourceMode };
}

/** Reads the SOF marker to learn the component count (1 = grayscale JPEG → mode L). */
function jpegComponents(bytes: Uint8Array): number {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return 3;
    const marker = bytes[i + 1];
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return bytes[i + 9];
    i += 2 + len;
  }
  return 3;
}

/** Decodes PNG or JPEG bytes; throws a clear error for anything else or over the pixel limit. */
export function decodeImage(bytes: Uint8Array, maxPixels = Infinity): DecodedImage {
  const format = sniffFormat(bytes);
  if (format === 'PNG') return decodePngPixels(bytes, maxPixels);
  if (format === 'JPEG') {
    const maxMP = Number.isFinite(maxPixels) ? maxPixels / 1e6 : 1000;
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: maxMP, maxMemoryUsageInMB: 4096 });
    checkPixelLimit(img.width, img.height, maxPixels);
    const rgb: Pixels = { width: img.width, height: img.height, channels: 3, data: img.data };
    if (jpegComponents(bytes) === 1) return { ...convert(rgb, 1), format, sourceMode: 'L' };
    return { ...rgb, format, sourceMode: 'RGB' };
  }
  throw new Error('cannot identify image file (the offline compatibility layer reads PNG and JPEG only)');
}

/** PNG bytes (8-bit L / RGB / RGBA). */
export function encodePngBytes(p: Pixels): Uint8Array {
  return encodePng({ width: p.width, height: p.height, data: p.data, channels: p.channels, depth: 8 });
}

/** JPEG bytes at Pillow's default quality 75; RGBA is refused as Pillow 9.4 does. */
export function encodeJpegBytes(p: Pixels, quality = 75): Uint8Array {
  if (p.channels === 4) throw new Error('cannot write mode RGBA as JPEG');
  const rgba = new Uint8Array(p.width * p.height * 4);
  const src = p.channels === 1 ? convert(p, 3).data : p.data;
  for (let i = 0, j = 0; j < rgba.length; i += 3, j += 4) {
    rgba[j] = src[i];
    rgba[j + 1] = src[i + 1];
    rgba[j + 2] = src[i + 2];
    rgba[j + 3] = 255;
  }
  // jpeg-js returns Buffer.from(bytes) when it sees a CommonJS `module`, which throws in browsers
  // without Buffer; a minimal stand-in (only `from` is used) covers that case.
  const g = globalThis as { Buffer?: unknown };
  const shim = g.Buffer === undefined;
  if (shim) g.Buffer = { from: (a: ArrayLike<number>) => Uint8Array.from(a) };
  try {
    const out = jpeg.encode({ width: p.width, height: p.height, data: rgba }, Math.max(1, Math.min(100, Math.round(quality))));
    return out.data instanceof Uint8Array ? new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength) : Uint8Array.from(out.data);
  } finally {
    if (shim) delete g.Buffer;
  }
}

export function encodeImage(p: Pixels, format: string, quality = 75): Uint8Array {
  const f = format.toUpperCase();
  if (f === 'PNG') return encodePngBytes(p);
  if (f === 'JPEG' || f === 'JPG') return encodeJpegBytes(p, quality);
  throw new Error(`saving as ${format} is not supported by the offline compatibility layer (PNG and JPEG only)`);
}
