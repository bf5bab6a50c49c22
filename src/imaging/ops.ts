/**
 * Point operations: histogram, lookup tables, ImageOps.invert and ImageOps.autocontrast
 * (Pillow 9.4 ImageOps.py logic, including its integer/float arithmetic).
 */
import type { Pixels } from '../runtime/types';

/** Image.histogram(): 256 counts per band, bands concatenated (L: 256, RGB: 768, RGBA: 1024). */
export function histogram(p: Pixels): number[] {
  const ch = p.channels;
  const h = new Float64Array(256 * ch);
  const d = p.data;
  for (let i = 0; i < d.length; i += ch) for (let c = 0; c < ch; c++) h[c * 256 + d[i + c]]++;
  return Array.from(h);
}

/**
 * Image.point(lut): `table` has 256 entries (applied to every band) or 256 × channels entries
 * (one table per band, concatenated). Values are clamped to 0..255.
 */
export function applyLut(p: Pixels, table: readonly number[]): Pixels {
  const ch = p.channels;
  if (table.length !== 256 && table.length !== 256 * ch) {
    throw new Error(`lookup table has ${table.length} entries, expected 256 or ${256 * ch}`);
  }
  const per = table.length === 256 ? 0 : 256;
  const t = Uint8Array.from(table, (v) => (v < 0 ? 0 : v > 255 ? 255 : Math.trunc(v)));
  const out = new Uint8Array(p.data.length);
  for (let i = 0; i < out.length; i += ch) for (let c = 0; c < ch; c++) out[i + c] = t[c * per + p.data[i + c]];
  return { width: p.width, height: p.height, channels: ch, data: out };
}

/** ImageOps only handles L and RGB (_lut raises for other modes, as here). */
function requireLOrRGB(p: Pixels): void {
  if (p.channels === 4) throw new Error('not supported for this image mode');
}

/** ImageOps.invert: 255 − v on every band (L and RGB only, as in Pillow 9.4). */
export function invert(p: Pixels): Pixels {
  requireLOrRGB(p);
  const out = new Uint8Array(p.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 255 - p.data[i];
  return { width: p.width, height: p.height, channels: p.channels, data: out };
}

/** Python's float floor division a // b (fmod based), for cutoffs given as floats. */
export function pyFloorDiv(a: number, b: number): number {
  if (Number.isInteger(a) && Number.isInteger(b) && Math.abs(a) < 2 ** 53) return Math.floor(a / b);
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod && b < 0 !== mod < 0) {
    mod += b;
    div -= 1.0;
  }
  if (!div) return 0 * (a / b);
  let floordiv = Math.floor(div);
  if (div - floordiv > 0.5) floordiv += 1.0;
  return floordiv;
}

export interface AutocontrastOptions {
  /** Percent cut from the dark and the light end ((low, high) or one number for both). */
  cutoff?: number | readonly [number, number];
  /** Background value(s) removed from the histogram. */
  ignore?: number | readonly number[] | null;
  /** Build the LUT from the L histogram and apply it to every band (Pillow ≥ 8.2). */
  preserveTone?: boolean;
}

/** ImageOps.autocontrast (Pillow 9.4): per-band LUT from the (cut) histogram. */
export function autocontrast(p: Pixels, opts: AutocontrastOptions = {}): Pixels {
  requireLOrRGB(p);
  const cutoff = opts.cutoff ?? 0;
  const cut2: readonly [number, number] = typeof cutoff === 'number' ? [cutoff, cutoff] : cutoff;
  let hist: number[];
  if (opts.preserveTone) {
    const d = p.data;
    const gray = new Float64Array(256);
    for (let i = 0; i < d.length; i += p.channels) {
      gray[p.channels === 1 ? d[i] : (d[i] * 19595 + d[i + 1] * 38470 + d[i + 2] * 7471 + 0x8000) >>> 16]++;
    }
    hist = Array.from(gray);
  } else {
    hist = histogram(p);
  }
  const lut: number[] = [];
  for (let layer = 0; layer < hist.length; layer += 256) {
    const h = hist.slice(layer, layer + 256);
    if (opts.ignore != null) {
      const ign = typeof opts.ignore === 'number' ? [opts.ignore] : opts.ignore;
      for (const ix of ign) h[((ix % 256) + 256) % 256] = 0;
    }
    if (cut2[0] || cut2[1]) {
      let n = 0;
      for (let ix = 0; ix < 256; ix++) n += h[ix];
      let cut = pyFloorDiv(n * cut2[0], 100);
      for (let lo = 0; lo < 256; lo++) {
        if (cut > h[lo]) {
          cut -= h[lo];
          h[lo] = 0;
        } else {
          h[lo] -= cut;
          cut = 0;
        }
        if (cut <= 0) break;
      }
      cut = pyFloorDiv(n * cut2[1], 100);
      for (let hi = 255; hi >= 0; hi--) {
        if (cut > h[hi]) {
          cut -= h[hi];
          h[hi] = 0;
        } else {
          h[hi] -= cut;
          cut = 0;
        }
        if (cut <= 0) break;
      }
    }
    let lo = 0;
    while (lo < 255 && !h[lo]) lo++;
    let hi = 255;
    while (hi > 0 && !h[hi]) hi--;
    if (hi <= lo) {
      for (let ix = 0; ix < 256; ix++) lut.push(ix);
    } else {
      const scale = 255.0 / (hi - lo);
      const offset = -lo * scale;
      for (let ix = 0; ix < 256; ix++) {
        let v = Math.trunc(ix * scale + offset);
        if (v < 0) v = 0;
        else if (v > 255) v = 255;
        lut.push(v);
      }
    }
  }
  return applyLut(p, lut);
}
