/**
 * A window-level hook for the video e2e tests and `bench/videoDecode.ts`, installed only when the
 * page URL has `?debug=video` (mediaStore.ts loads this module on demand then, so a normal page
 * never downloads it). It opens the current upload again through a chosen decoding path and
 * reads, times, hashes and compares frames in the page, so tests move numbers, not pixels.
 */
import type { Pixels } from '../../src/runtime/types';
import { openVideo } from './openVideo';
import type { BrowserVideo } from './videoCommon';
import type { DecodeStats } from './webcodecsVideo';

export interface VideoInfo {
  name: string;
  decoder: BrowserVideo['decoder'];
  fpsSource: BrowserVideo['fpsSource'];
  codec: string | null;
  fallbackReason: string | null;
  width: number;
  height: number;
  frameCount: number;
  fps: number;
  duration: number;
}

export interface VideoDebugApi {
  /** The video the playground binds to Python, or null. */
  current(): VideoInfo | null;
  /** Opens the current upload again (a fresh provider: cold cache) with the chosen path. */
  open(decoder: 'webcodecs' | 'seek' | 'auto'): Promise<{ id: number; openMs: number; info: VideoInfo }>;
  /**
   * Reads frames in order; per-frame ms, optional FNV-1a hashes of the RGB bytes, optional
   * checksums `sum(b)/sum(b[::7])` (what Python can compute fast on `frame.tobytes()`).
   */
  frames(id: number | 'current', indices: number[], opts?: { hash?: boolean; checksum?: boolean }): Promise<{ ms: number[]; totalMs: number; hashes: string[]; checksums: string[] }>;
  /** Mean absolute difference (0–255, over all RGB bytes) between two providers' frames. */
  diff(a: number | 'current', b: number | 'current', indices: number[]): Promise<number[]>;
  /** Mean absolute difference between frames of one provider (e.g. neighbours). */
  diffWithin(id: number | 'current', pairs: Array<[number, number]>): Promise<number[]>;
  /** RGB values of a frame at (x, y) points. */
  pixels(id: number | 'current', index: number, points: Array<[number, number]>): Promise<Array<[number, number, number]>>;
  /** The frame's error message, or null when it decodes. */
  frameError(id: number | 'current', index: number): Promise<string | null>;
  stats(id: number | 'current'): DecodeStats | null;
  close(id: number): void;
}

declare global {
  interface Window {
    __pyvisionVideo?: VideoDebugApi;
  }
}

function info(v: BrowserVideo): VideoInfo {
  return {
    name: v.name,
    decoder: v.decoder,
    fpsSource: v.fpsSource,
    codec: v.codec,
    fallbackReason: v.fallbackReason,
    width: v.meta.width,
    height: v.meta.height,
    frameCount: v.meta.frameCount,
    fps: v.meta.fps,
    duration: v.duration,
  };
}

function fnv1a(data: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) {
    h ^= data[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function checksum(data: Uint8Array): string {
  let all = 0;
  let every7 = 0;
  for (let i = 0; i < data.length; i++) all += data[i]!;
  for (let i = 0; i < data.length; i += 7) every7 += data[i]!;
  return `${all}/${every7}`;
}

function meanAbsDiff(a: Pixels, b: Pixels): number {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) return Infinity;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

export function installVideoDebug(getCurrent: () => BrowserVideo | null): void {
  const opened = new Map<number, BrowserVideo>();
  let nextId = 1;
  const get = (id: number | 'current'): BrowserVideo => {
    const v = id === 'current' ? getCurrent() : opened.get(id);
    if (!v) throw new Error(`no video ${id}`);
    return v;
  };
  window.__pyvisionVideo = {
    current: () => {
      const v = getCurrent();
      return v ? info(v) : null;
    },
    async open(decoder) {
      const cur = get('current');
      const t0 = performance.now();
      // The seek path gets the container's timing, so both paths index the same frames.
      const timing = { fps: cur.meta.fps, frameCount: cur.meta.frameCount, duration: cur.duration };
      const v = await openVideo(cur.blob, cur.name, { decoder, timing });
      const openMs = performance.now() - t0;
      const id = nextId++;
      opened.set(id, v);
      return { id, openMs, info: info(v) };
    },
    async frames(id, indices, opts = {}) {
      const v = get(id);
      const ms: number[] = [];
      const hashes: string[] = [];
      const checksums: string[] = [];
      const t0 = performance.now();
      for (const i of indices) {
        const s = performance.now();
        const px = await v.getFrame(i);
        ms.push(performance.now() - s);
        if (opts.hash) hashes.push(fnv1a(px.data));
        if (opts.checksum) checksums.push(checksum(px.data));
      }
      return { ms, totalMs: performance.now() - t0, hashes, checksums };
    },
    async diff(a, b, indices) {
      const out: number[] = [];
      for (const i of indices) out.push(meanAbsDiff(await get(a).getFrame(i), await get(b).getFrame(i)));
      return out;
    },
    async diffWithin(id, pairs) {
      const v = get(id);
      const out: number[] = [];
      for (const [i, j] of pairs) out.push(meanAbsDiff(await v.getFrame(i), await v.getFrame(j)));
      return out;
    },
    async pixels(id, index, points) {
      const px = await get(id).getFrame(index);
      return points.map(([x, y]) => {
        const o = (y * px.width + x) * 3;
        return [px.data[o]!, px.data[o + 1]!, px.data[o + 2]!] as [number, number, number];
      });
    },
    async frameError(id, index) {
      try {
        await get(id).getFrame(index);
        return null;
      } catch (err) {
        return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
    },
    stats(id) {
      const v = get(id) as BrowserVideo & { stats?: () => DecodeStats };
      return v.stats ? v.stats() : null;
    },
    close(id) {
      opened.get(id)?.close();
      opened.delete(id);
    },
  };
}
