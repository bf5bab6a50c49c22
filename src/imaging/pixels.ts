/**
 * Pixel basics: allocation with the size guard, Image.new fills, mode conversion, crop, paste,
 * getpixel and alpha premultiplication. Semantics follow Pillow 9.4 (libImaging Convert.c,
 * Crop.c, Paste.c, Fill.c); each function says where it deviates.
 */
import type { Pixels } from '../runtime/types';

export type Channels = 1 | 3 | 4;
export type Mode = 'L' | 'RGB' | 'RGBA';

/** Upper bound on width × height for any image an op creates (the runtime's maxImagePixels). */
export function checkPixelLimit(width: number, height: number, maxPixels = Infinity): void {
  if (width * height > maxPixels) {
    throw new Error(`image of ${width}×${height} exceeds the limit of ${maxPixels} pixels`);
  }
}

export function modeOf(channels: number): Mode {
  if (channels === 1) return 'L';
  if (channels === 3) return 'RGB';
  if (channels === 4) return 'RGBA';
  throw new Error(`unsupported channel count ${channels} (expected 1, 3 or 4)`);
}

export function channelsOf(mode: string): Channels {
  if (mode === 'L') return 1;
  if (mode === 'RGB') return 3;
  if (mode === 'RGBA') return 4;
  throw new Error(`unsupported image mode '${mode}' (supported: L, RGB, RGBA)`);
}

/** Validates a Pixels value (dimensions, channels, buffer length); returns it for chaining. */
export function checkPixels(p: Pixels): Pixels {
  const { width, height, channels, data } = p;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new Error(`invalid image size ${width}×${height}`);
  }
  modeOf(channels);
  if (data.length !== width * height * channels) {
    throw new Error(
      `pixel buffer has ${data.length} bytes, expected ${width}×${height}×${channels} = ${width * height * channels}`,
    );
  }
  return p;
}

/** A zero-filled image (black, transparent for RGBA), after the size guard. */
export function createPixels(width: number, height: number, channels: Channels, maxPixels = Infinity): Pixels {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new Error(`invalid image size ${width}×${height}`);
  }
  modeOf(channels);
  checkPixelLimit(width, height, maxPixels);
  return { width, height, channels, data: new Uint8Array(width * height * channels) };
}

export function clonePixels(p: Pixels): Pixels {
  return { width: p.width, height: p.height, channels: p.channels, data: p.data.slice() };
}

const clip8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * The per-channel ink for a color, as Pillow's getink() builds it for Image.new / paste.
 * - number: L → the value; RGB/RGBA → packed 0xAABBGGRR ("compatibility: ABGR"), so
 *   new('RGBA', size, 0) is transparent black and new('RGB', size, 0xFF0000) is blue.
 * - array: L takes the first item; RGB/RGBA take r, g, b and alpha (default 255).
 */
export function inkFor(color: number | readonly number[], channels: Channels): number[] {
  if (typeof color === 'number') {
    const v = Math.trunc(color);
    if (channels === 1) return [clip8(v)];
    const ink = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    return ink.slice(0, channels);
  }
  if (color.length === 0) throw new Error('color must be an int or a tuple of ints');
  if (channels === 1) return [clip8(Math.trunc(color[0]))];
  if (color.length < 3) throw new Error('color must be an int or a 3- or 4-tuple');
  const rgba = [color[0], color[1], color[2], color.length > 3 ? color[3] : 255].map((c) => clip8(Math.trunc(c)));
  return rgba.slice(0, channels);
}

/** Image.new(mode, size, color). */
export function newImage(
  width: number,
  height: number,
  channels: Channels,
  color: number | readonly number[] = 0,
  maxPixels = Infinity,
): Pixels {
  const out = createPixels(width, height, channels, maxPixels);
  const ink = inkFor(color, channels);
  if (ink.every((v) => v === 0)) return out;
  const d = out.data;
  if (channels === 1) d.fill(ink[0]);
  else for (let i = 0; i < d.length; i += channels) for (let c = 0; c < channels; c++) d[i + c] = ink[c];
  return out;
}

/**
 * Image.convert between L, RGB and RGBA (Convert.c): RGB(A)→L uses ITU-R 601-2 luma in 16.16
 * fixed point, L = (R·19595 + G·38470 + B·7471 + 0x8000) >> 16; L→RGB(A) replicates; the alpha
 * band is dropped (→RGB) or set to 255 (→RGBA). Same mode → copy.
 */
export function convert(p: Pixels, channels: Channels): Pixels {
  const { width, height } = p;
  const n = width * height;
  const src = p.data;
  if (channels === p.channels) return clonePixels(p);
  const out = new Uint8Array(n * channels);
  const sc = p.channels;
  for (let i = 0, s = 0, o = 0; i < n; i++, s += sc, o += channels) {
    if (sc === 1) {
      const v = src[s];
      out[o] = v;
      if (channels > 1) {
        out[o + 1] = v;
        out[o + 2] = v;
        if (channels === 4) out[o + 3] = 255;
      }
    } else if (channels === 1) {
      out[o] = (src[s] * 19595 + src[s + 1] * 38470 + src[s + 2] * 7471 + 0x8000) >>> 16;
    } else {
      out[o] = src[s];
      out[o + 1] = src[s + 1];
      out[o + 2] = src[s + 2];
      if (channels === 4) out[o + 3] = 255;
    }
  }
  return { width, height, channels, data: out };
}

/**
 * Image.crop with integer box (Python rounds first). Areas outside the source are zero
 * (black / transparent), exactly like ImagingCrop. right < left or lower < upper give an empty side.
 */
export function crop(p: Pixels, x0: number, y0: number, x1: number, y1: number, maxPixels = Infinity): Pixels {
  const w = Math.max(0, x1 - x0);
  const h = Math.max(0, y1 - y0);
  const out = createPixels(w, h, p.channels, maxPixels);
  const ch = p.channels;
  const sx0 = Math.max(0, x0);
  const sx1 = Math.min(p.width, x1);
  if (sx1 <= sx0) return out;
  for (let y = Math.max(0, y0); y < Math.min(p.height, y1); y++) {
    const srcStart = (y * p.width + sx0) * ch;
    out.data.set(p.data.subarray(srcStart, srcStart + (sx1 - sx0) * ch), ((y - y0) * w + (sx0 - x0)) * ch);
  }
  return out;
}

/** Pillow's DIV255 / BLEND from Paste.c: (in1·(255−m) + in2·m) / 255 with integer rounding. */
function blend255(mask: number, a: number, b: number): number {
  const tmp = a * (255 - mask) + b * mask + 128;
  return ((tmp >> 8) + tmp) >> 8;
}

/** Clipped region shared by paste and fill: destination origin, source origin, extent. */
function clipRegion(dst: Pixels, x0: number, y0: number, w: number, h: number) {
  let sx = 0;
  let sy = 0;
  let dx = x0;
  let dy = y0;
  if (dx < 0) { w += dx; sx = -dx; dx = 0; }
  if (dx + w > dst.width) w = dst.width - dx;
  if (dy < 0) { h += dy; sy = -dy; dy = 0; }
  if (dy + h > dst.height) h = dst.height - dy;
  return { sx, sy, dx, dy, w, h };
}

/** Mask value at (x, y): the L value, or the alpha band of an RGBA mask (paste_mask_RGBA). */
function maskAt(mask: Pixels, x: number, y: number): number {
  const i = (y * mask.width + x) * mask.channels;
  return mask.channels === 4 ? mask.data[i + 3] : mask.data[i];
}

function checkMask(mask: Pixels | null | undefined, w: number, h: number): void {
  if (!mask) return;
  if (mask.channels === 3) throw new Error('bad transparency mask');
  if (mask.width !== w || mask.height !== h) throw new Error('images do not match');
}

/**
 * Image.paste(src, (x, y)[, mask]) returning a new image (the Python wrapper replaces its data).
 * `src` must already have dst's channel count, except RGBA into RGB (the alpha byte is ignored,
 * as Pillow does). With a mask (L, or RGBA whose alpha is used), pixels are blended per Paste.c.
 */
export function paste(dst: Pixels, src: Pixels, x: number, y: number, mask?: Pixels | null): Pixels {
  const ch = dst.channels;
  if (src.channels !== ch && !(ch === 3 && src.channels === 4)) {
    throw new Error(`paste: source has ${src.channels} channels, destination ${ch}; convert first`);
  }
  checkMask(mask, src.width, src.height);
  const out = clonePixels(dst);
  const r = clipRegion(dst, x, y, src.width, src.height);
  if (r.w <= 0 || r.h <= 0) return out;
  const sc = src.channels;
  for (let yy = 0; yy < r.h; yy++) {
    let o = ((r.dy + yy) * dst.width + r.dx) * ch;
    let s = ((r.sy + yy) * src.width + r.sx) * sc;
    if (!mask && sc === ch) {
      out.data.set(src.data.subarray(s, s + r.w * ch), o);
      continue;
    }
    for (let xx = 0; xx < r.w; xx++, o += ch, s += sc) {
      const m = mask ? maskAt(mask, r.sx + xx, r.sy + yy) : 255;
      for (let c = 0; c < ch; c++) out.data[o + c] = blend255(m, out.data[o + c], src.data[s + c]);
    }
  }
  return out;
}

/**
 * Image.paste(color, box[, mask]): fills the clipped box with the ink (ImagingFill2); with a mask,
 * blends like fill_mask_L. (Pillow 9.4 adds an alpha-aware tweak for masked fills of RGBA images;
 * that case here blends every band with the plain mask value.)
 */
export function fillBox(
  dst: Pixels,
  color: number | readonly number[],
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  mask?: Pixels | null,
): Pixels {
  const ch = dst.channels;
  const ink = inkFor(color, ch);
  checkMask(mask, x1 - x0, y1 - y0);
  const out = clonePixels(dst);
  const r = clipRegion(dst, x0, y0, x1 - x0, y1 - y0);
  if (r.w <= 0 || r.h <= 0) return out;
  for (let yy = 0; yy < r.h; yy++) {
    let o = ((r.dy + yy) * dst.width + r.dx) * ch;
    for (let xx = 0; xx < r.w; xx++, o += ch) {
      const m = mask ? maskAt(mask, r.sx + xx, r.sy + yy) : 255;
      for (let c = 0; c < ch; c++) out.data[o + c] = m === 255 ? ink[c] : blend255(m, out.data[o + c], ink[c]);
    }
  }
  return out;
}

/** Image.getpixel: negative coordinates count from the end (as Pillow 9.4's PixelAccess). */
export function getPixel(p: Pixels, x: number, y: number): number[] {
  x = Math.trunc(x);
  y = Math.trunc(y);
  if (x < 0) x += p.width;
  if (y < 0) y += p.height;
  if (x < 0 || x >= p.width || y < 0 || y >= p.height) throw new Error('image index out of range');
  const i = (y * p.width + x) * p.channels;
  return Array.from(p.data.subarray(i, i + p.channels));
}

/** RGBA → RGBa (premultiplied), Convert.c rgbA2rgba: MULDIV255 with rounding. */
export function premultiply(p: Pixels): Pixels {
  const out = clonePixels(p);
  const d = out.data;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3];
    for (let c = 0; c < 3; c++) {
      const tmp = d[i + c] * a + 128;
      d[i + c] = ((tmp >> 8) + tmp) >> 8;
    }
  }
  return out;
}

/** RGBa → RGBA, Convert.c rgba2rgbA: integer (255·v)/alpha, untouched for alpha 0 or 255. */
export function unpremultiply(p: Pixels): Pixels {
  const out = clonePixels(p);
  const d = out.data;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3];
    if (a === 0 || a === 255) continue;
    for (let c = 0; c < 3; c++) d[i + c] = Math.min(255, Math.floor((255 * d[i + c]) / a));
  }
  return out;
}

/** Replace the alpha band of an RGBA image with band `alphaFrom` (RGBA → its alpha, L → itself). */
export function putAlpha(p: Pixels, alphaFrom: Pixels): Pixels {
  if (p.channels !== 4) throw new Error('putAlpha needs an RGBA image');
  const out = clonePixels(p);
  const ac = alphaFrom.channels;
  for (let i = 0, j = ac === 4 ? 3 : 0; i < out.data.length; i += 4, j += ac) out.data[i + 3] = alphaFrom.data[j];
  return out;
}
