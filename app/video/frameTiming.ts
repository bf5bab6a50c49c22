/**
 * DOM-free video logic shared by both frame providers (WebCodecs and `<video>` seeking), kept in
 * its own file so vitest can run it in Node.
 *
 * THE definition of a frame index (used everywhere, defined only here):
 *
 *   frame i is the frame on screen at time i / fps after the clip's first frame.
 *
 * Containers round timestamps (WebM to 1 ms: at 30 fps frame 2 starts at 67 ms, after 2/30 s =
 * 66.7 ms), so the lookup instant is nudged a quarter of a frame later: (i + ¼) / fps. For a
 * constant-rate clip this is exactly the i-th frame in presentation order; for a variable-rate
 * clip it is the frame showing at that moment (frames can repeat or be skipped, like decord's
 * time-based indexing). The frame count is the number of such indices before the last frame
 * ends: round((lastFrameStart − firstFrameStart) × fps) + 1, so it does not depend on the last
 * frame's (often missing) duration.
 */

/** A quarter frame: large against container rounding, small against a frame. */
export const LOOKUP_OFFSET_FRAMES = 0.25;

/** Seconds after the first frame at which frame `index` is looked up. */
export function frameLookupTime(index: number, fps: number): number {
  return (index + LOOKUP_OFFSET_FRAMES) / fps;
}

/** Frame count from the first and last frames' start times (seconds) and the rate. */
export function frameCountFromSpan(firstStart: number, lastStart: number, fps: number): number {
  const span = Math.max(0, lastStart - firstStart);
  return Math.max(1, Math.round(span * fps) + 1);
}

/** The frame index shown at `seconds` after the first frame (inverse of frameLookupTime). */
export function frameIndexAt(seconds: number, fps: number, frameCount: number): number {
  const i = Math.floor(seconds * fps + 1e-9);
  return Math.min(frameCount - 1, Math.max(0, i));
}

/** Target size for a frame: sides above maxSide are scaled down, keeping the aspect ratio. */
export function scaledFrameSize(width: number, height: number, maxSide: number): { width: number; height: number; scaled: boolean } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  if (scale === 1) return { width, height, scaled: false };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), scaled: true };
}

/**
 * Whether a forward decoder at stream time `position` (seconds, the latest frame it has reached)
 * should keep decoding up to `target` rather than restart from the key frame at `keyFrame`
 * (the last key frame at or before `target`). Keeping on costs the frames from `position` to
 * `target`; restarting costs the frames from `keyFrame` to `target` plus a decoder reset. So:
 * keep on when the target lies ahead and no key frame lies more than `slackFrames` beyond the
 * position (a few frames of slack are cheaper than resetting the decoder and losing its
 * read-ahead).
 */
export function continueForward(position: number, target: number, keyFrame: number | null, fps: number, slackFrames = 4): boolean {
  if (!(target >= position)) return false;
  if (keyFrame === null) return true;
  return keyFrame <= position + slackFrames / fps;
}

/**
 * A least-recently-used cache bounded by entry count and by total bytes. Used for decoded RGB
 * frames: Python's access patterns (a frame re-read after a batch, a dense run around an event,
 * get_batch over overlapping ranges) hit it often, and a 1080p RGB frame is 6 MB.
 */
export class LruCache<K, V> {
  private map = new Map<K, { value: V; bytes: number }>();
  private total = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number = Infinity,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.total;
  }

  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    // Re-insert: a Map iterates in insertion order, so the first key is the least recent.
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V, bytes = 0): void {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.bytes;
      this.map.delete(key);
    }
    // An entry bigger than the whole budget is not kept (it would evict everything).
    if (bytes > this.maxBytes) return;
    this.map.set(key, { value, bytes });
    this.total += bytes;
    while (this.map.size > this.maxEntries || this.total > this.maxBytes) {
      const oldest = this.map.keys().next().value as K;
      this.total -= this.map.get(oldest)!.bytes;
      this.map.delete(oldest);
    }
  }

  delete(key: K): void {
    const old = this.map.get(key);
    if (!old) return;
    this.total -= old.bytes;
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  /** Keys from least to most recently used. */
  keys(): K[] {
    return [...this.map.keys()];
  }
}

/**
 * Resolves or rejects like `promise`, or rejects with `onTimeout()` after `ms`. The promise is
 * not cancelled (the caller cleans up, e.g. by dropping a decoder), but the caller never hangs.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Runs tasks one at a time in call order; a failed task does not block the next. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => {});
    return result;
  }
}

/**
 * RGBA → RGB (alpha dropped), four pixels per step through 32-bit words: 3–4× faster than a byte
 * loop, which matters at 6 MB per 1080p frame. Word order is little-endian (every browser and
 * Node on x86/ARM): pixel k is R | G << 8 | B << 16 | A << 24.
 */
export function rgbaToRgbFast(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): { width: number; height: number; channels: 3; data: Uint8Array } {
  const n = width * height;
  const out = new Uint8Array(n * 3);
  const aligned = rgba.byteOffset % 4 === 0;
  const quads = aligned ? n >> 2 : 0;
  if (quads > 0) {
    const src = new Uint32Array(rgba.buffer, rgba.byteOffset, quads * 4);
    const dst = new Uint32Array(out.buffer, 0, quads * 3);
    for (let q = 0, i = 0, o = 0; q < quads; q++, i += 4, o += 3) {
      const p0 = src[i]!;
      const p1 = src[i + 1]!;
      const p2 = src[i + 2]!;
      const p3 = src[i + 3]!;
      dst[o] = (p0 & 0xffffff) | (p1 << 24);
      dst[o + 1] = ((p1 >>> 8) & 0xffff) | (p2 << 16);
      dst[o + 2] = ((p2 >>> 16) & 0xff) | (p3 << 8);
    }
  }
  for (let k = quads * 4; k < n; k++) {
    out[k * 3] = rgba[k * 4]!;
    out[k * 3 + 1] = rgba[k * 4 + 1]!;
    out[k * 3 + 2] = rgba[k * 4 + 2]!;
  }
  return { width, height, channels: 3, data: out };
}

/** RGB → RGBA (opaque), for drawing a frame into an ImageData. */
export function rgbToRgba(rgb: Uint8Array, out: Uint8ClampedArray): void {
  for (let k = 0, j = 0; j < out.length; k += 3, j += 4) {
    out[j] = rgb[k]!;
    out[j + 1] = rgb[k + 1]!;
    out[j + 2] = rgb[k + 2]!;
    out[j + 3] = 255;
  }
}

/** Is this file an AVI (RIFF….AVI )? Browsers cannot decode AVI, so it gets its own message. */
export function looksLikeAvi(head: Uint8Array, name: string, type: string): boolean {
  const magic = head.length >= 12 && String.fromCharCode(...head.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...head.subarray(8, 12)) === 'AVI ';
  return magic || /\.avi$/i.test(name) || type === 'video/x-msvideo' || type === 'video/avi';
}
