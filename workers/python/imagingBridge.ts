/**
 * The `_pv_imaging` JS module the offline Python compat layer (py/compat/PIL, matplotlib) calls.
 * Registered by the runtime with `pyodide.registerJsModule('_pv_imaging', createImagingModule(…))`.
 *
 * Calling convention (Python → JS):
 * - pixel data is Python `bytes` (arrives as a PyProxy, viewed zero-copy with getBuffer('u8')
 *   and released in `finally`) or a plain Uint8Array (unit tests without Pyodide);
 * - sizes, filters and factors are numbers; Python lists/tuples arrive as PyProxies and are
 *   converted with toJs() then destroyed; None arrives as undefined / null.
 * Results are fresh Uint8Arrays (Python calls .to_bytes()), plain objects or numbers.
 * Errors are `Error`s whose `name` is the Python exception type the compat layer should raise
 * (ValueError, MemoryError, OSError, IndexError, NotImplementedError) and whose message is
 * Pillow's message where one exists.
 */
import type { Pixels } from '../../src/runtime/types';
import * as im from '../../src/imaging/index';

type Channels = 1 | 3 | 4;

interface PyBufferLike {
  data: ArrayBufferView;
  release(): void;
}
interface PyProxyLike {
  getBuffer?(type?: string): PyBufferLike;
  toJs?(options?: unknown): unknown;
  destroy?(): void;
}

/** Views of Python buffers taken during one call; released when the call ends. */
export class CallScope {
  private buffers: PyBufferLike[] = [];
  private views: ArrayBuffer[] = [];

  bytes(x: unknown, what = 'data'): Uint8Array {
    if (x instanceof Uint8Array) return x;
    const p = x as PyProxyLike | null | undefined;
    if (p && typeof p.getBuffer === 'function') {
      const buf = p.getBuffer('u8');
      this.buffers.push(buf);
      const d = buf.data;
      const u8 = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      this.views.push(u8.buffer as ArrayBuffer);
      return u8;
    }
    if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    throw named('TypeError', `${what} must be bytes`);
  }

  /** A result must never alias a Python buffer (it is released when the call returns). */
  own(u8: Uint8Array): Uint8Array {
    return this.views.includes(u8.buffer as ArrayBuffer) ? u8.slice() : u8;
  }

  release(): void {
    for (const b of this.buffers) b.release();
    this.buffers = [];
    this.views = [];
  }
}

/** Converts a Python list/tuple proxy (or a JS array) to a JS value; None → null. */
export function list<T = number>(x: unknown): T[] | null {
  if (x === undefined || x === null) return null;
  if (Array.isArray(x)) return x as T[];
  const p = x as PyProxyLike;
  if (typeof p.toJs === 'function') {
    try {
      return p.toJs({ create_pyproxies: false }) as T[];
    } finally {
      p.destroy?.();
    }
  }
  throw named('TypeError', 'expected a list or tuple');
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** Maps a kernel error to the Python exception type the compat layer raises. */
function classify(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (err.name !== 'Error') return err;
  const m = err.message;
  if (/exceeds the limit of/.test(m) || /allocate enough memory/.test(m)) err.name = 'MemoryError';
  else if (/index out of range/.test(m)) err.name = 'IndexError';
  else if (/not supported for this image mode|cannot write mode|cannot identify image file/.test(m)) err.name = 'OSError';
  else if (/not supported by the offline compatibility layer/.test(m)) err.name = 'NotImplementedError';
  else err.name = 'ValueError';
  return err;
}

const num = (x: unknown, what: string): number => {
  if (typeof x !== 'number' || Number.isNaN(x)) throw named('TypeError', `${what} must be a number`);
  return x;
};

function channels(x: unknown): Channels {
  if (x === 1 || x === 3 || x === 4) return x;
  throw named('ValueError', `unsupported channel count ${String(x)}`);
}

export function createImagingModule(
  limits: () => { maxImagePixels: number },
): Record<string, (...args: any[]) => unknown> {
  const max = (): number => limits().maxImagePixels;

  /** Wraps an op: one scope of borrowed buffers, error classification, no aliasing results. */
  function op<A extends unknown[]>(fn: (s: CallScope, ...args: A) => unknown) {
    return (...args: A): unknown => {
      const scope = new CallScope();
      try {
        const r = fn(scope, ...args);
        if (r instanceof Uint8Array) return scope.own(r);
        if (r && typeof r === 'object' && (r as { data?: unknown }).data instanceof Uint8Array) {
          const o = r as { data: Uint8Array };
          return { ...o, data: scope.own(o.data) };
        }
        return r;
      } catch (e) {
        throw classify(e);
      } finally {
        scope.release();
      }
    };
  }

  /** The Pixels for (data, width, height, channels) arguments, with a length check. */
  const px = (s: CallScope, data: unknown, w: unknown, h: unknown, ch: unknown): Pixels =>
    im.checkPixels({ width: num(w, 'width'), height: num(h, 'height'), channels: channels(ch), data: s.bytes(data) });

  const color = (c: unknown): number | number[] => (typeof c === 'number' ? c : (list<number>(c) ?? [0]));
  const optColor = (c: unknown): number | number[] | null => (c === undefined || c === null ? null : color(c));
  const pair = (x: unknown): [number, number] | null => {
    const l = list<number>(x);
    return l ? [l[0], l[1]] : null;
  };

  return {
    /** check_pixels(width, height): raises MemoryError over maxImagePixels. */
    check_pixels: op((_s, w: number, h: number) => im.checkPixelLimit(w, h, max())),
    max_image_pixels: () => max(),
    new_image: op((_s, w: number, h: number, ch: number, c: unknown) =>
      im.newImage(w, h, channels(ch), color(c ?? 0), max()).data),
    convert: op((s, d, w, h, ch, outCh: number) => im.convert(px(s, d, w, h, ch), channels(outCh)).data),
    crop: op((s, d, w, h, ch, x0: number, y0: number, x1: number, y1: number) =>
      im.crop(px(s, d, w, h, ch), x0, y0, x1, y1, max()).data),
    transpose: op((s, d, w, h, ch, method: number) => im.transpose(px(s, d, w, h, ch), method).data),
    resize: op((s, d, w, h, ch, ow: number, oh: number, filter: number, box: unknown) =>
      im.resize(px(s, d, w, h, ch), ow, oh, filter, list<number>(box), max()).data),
    /** reduce(data, w, h, ch, xscale, yscale, box (x0, y0, x1, y1) | None) → {width, height, data}. */
    reduce: op((s, d, w, h, ch, xs: number, ys: number, box: unknown) => {
      const out = im.reduce(px(s, d, w, h, ch), xs, ys, list<number>(box), max());
      return { width: out.width, height: out.height, data: out.data };
    }),
    /** rotate(...) → {width, height, data}. */
    rotate: op((s, d, w, h, ch, angle: number, resample: number, expand: boolean, center: unknown, translate: unknown, fill: unknown) => {
      const out = im.rotate(px(s, d, w, h, ch), angle, {
        resample, expand: !!expand, center: pair(center), translate: pair(translate), fillcolor: optColor(fill), maxPixels: max(),
      });
      return { width: out.width, height: out.height, data: out.data };
    }),
    transform_affine: op((s, d, w, h, ch, ow: number, oh: number, matrix: unknown, resample: number, fill: unknown) =>
      im.affineTransform(px(s, d, w, h, ch), ow, oh, list<number>(matrix) ?? [], resample, optColor(fill), max()).data),
    paste_image: op((s, d, w, h, ch, src, sw, sh, sch, x: number, y: number, mask: unknown, mw, mh, mch) => {
      const m = mask === undefined || mask === null ? null : px(s, mask, mw, mh, mch);
      return im.paste(px(s, d, w, h, ch), px(s, src, sw, sh, sch), x, y, m).data;
    }),
    paste_color: op((s, d, w, h, ch, c: unknown, x0: number, y0: number, x1: number, y1: number, mask: unknown, mw, mh, mch) => {
      const m = mask === undefined || mask === null ? null : px(s, mask, mw, mh, mch);
      return im.fillBox(px(s, d, w, h, ch), color(c), x0, y0, x1, y1, m).data;
    }),
    blend: op((s, a, b, w, h, ch, alpha: number) => im.blend(px(s, a, w, h, ch), px(s, b, w, h, ch), alpha).data),
    enhance: op((s, d, w, h, ch, kind: string, factor: number) =>
      im.enhance(px(s, d, w, h, ch), kind as im.EnhanceKind, num(factor, 'factor')).data),
    /** filter(data, w, h, ch, size (3 or 5), kernel, scale, offset): ImageFilter.Kernel. */
    filter: op((s, d, w, h, ch, size: number, kernel: unknown, scale: number, offset: number) =>
      im.filterKernel(px(s, d, w, h, ch), size, list<number>(kernel) ?? [], scale, offset).data),
    autocontrast: op((s, d, w, h, ch, lo: number, hi: number, ignore: unknown, preserveTone: boolean) => {
      const ign = typeof ignore === 'number' ? ignore : list<number>(ignore);
      return im.autocontrast(px(s, d, w, h, ch), { cutoff: [lo, hi], ignore: ign, preserveTone: !!preserveTone }).data;
    }),
    invert: op((s, d, w, h, ch) => im.invert(px(s, d, w, h, ch)).data),
    lut: op((s, d, w, h, ch, table: unknown) => im.applyLut(px(s, d, w, h, ch), list<number>(table) ?? []).data),
    histogram: op((s, d, w, h, ch) => im.histogram(px(s, d, w, h, ch))),
    get_rgb: op((_s, spec: string) => im.getRgb(String(spec))),
    color_for: op((_s, spec: string, ch: number) => im.colorForChannels(String(spec), channels(ch))),
    /** decode(bytes) → {width, height, channels, data, format, sourceMode}. */
    decode: op((s, d) => {
      const r = im.decodeImage(s.bytes(d), max());
      return { width: r.width, height: r.height, channels: r.channels, data: r.data, format: r.format, sourceMode: r.sourceMode };
    }),
    encode: op((s, d, w, h, ch, format: string, quality: number) =>
      im.encodeImage(px(s, d, w, h, ch), String(format), quality ?? 75)),
    colormap_known: (name: string) => im.colormapTable(String(name)).known,
    colormap: op((s, d, w, h, cmap: string, vmin: unknown, vmax: unknown) =>
      im.applyColormap(px(s, d, w, h, 1), String(cmap), typeof vmin === 'number' ? vmin : null, typeof vmax === 'number' ? vmax : null).data),
    /** compose_grid([(bytes, w, h, ch) or None, …] row-major, nrows, ncols, gap) → {width, height, data}. */
    compose_grid: op((_s, cells: unknown, nrows: number, ncols: number, gap: number) => {
      const items = list<[Uint8Array, number, number, number] | null | undefined>(cells) ?? [];
      const pixels = items.map((c) => (c ? im.checkPixels({ data: c[0], width: c[1], height: c[2], channels: channels(c[3]) }) : null));
      const out = im.composeGrid(pixels, nrows, ncols, { gap: gap ?? 8, maxPixels: max() });
      return { width: out.width, height: out.height, data: out.data };
    }),
  };
}
