/**
 * The normal video FrameProvider: mediabunny demuxes the file (MP4, MOV, WebM, MKV, MPEG-TS) and
 * WebCodecs' VideoDecoder decodes it. Seeking a `<video>` costs a full seek per frame (≈10× slower
 * on real H.264, PLATFORM.md); a decoder that runs forward costs one decode per frame.
 *
 * - Metadata comes from the container without playing anything: size from the track (display
 *   size, rotation applied), the rate from the frame timestamps (mediabunny's frame-rate metrics
 *   over the first 256 packets), first/last frame start times from the packet index.
 *   Frame i and the frame count are defined once, in frameTiming.ts.
 * - Access: one forward cursor (mediabunny's `samples(t)` iterator: it starts at the key frame
 *   before t, decodes forward and keeps a few frames decoded ahead). A request at or after the
 *   cursor keeps it running when no key frame lies between (sparse scans and dense runs decode
 *   each frame once); a request behind it, or past a later key frame, restarts it there. Decoded
 *   RGB frames go into a small LRU. Requests are serialised.
 * - Memory: every VideoSample is closed as soon as it is drawn or skipped; at most one sample is
 *   held between requests (the one just past the last target), plus mediabunny's small
 *   read-ahead queue, which `return()` closes.
 * - Failures: every wait has a timeout; a corrupt or truncated stream gives VideoDecodeError and
 *   drops the cursor, so the next request starts clean.
 */
import { ALL_FORMATS, BlobSource, EncodedPacketSink, Input, UnsupportedInputFormatError, VideoSample, VideoSampleSink } from 'mediabunny';
import type { Pixels, VideoMeta } from '../../src/runtime/types';
import { continueForward, frameCountFromSpan, frameLookupTime, LruCache, rgbaToRgbFast, rgbToRgba, scaledFrameSize, SerialQueue, withTimeout } from './frameTiming';
import { MAX_FRAME_SIDE, SUPPORTED_VIDEO_FORMATS, VideoDecodeError, type BrowserVideo, type OpenVideoOptions } from './videoCommon';

/** WebCodecs/mediabunny cannot open this file: the caller falls back to `<video>` seeking. */
export class WebCodecsUnavailable extends Error {
  override name = 'WebCodecsUnavailable';
}

export interface WebCodecsVideoOptions extends OpenVideoOptions {
  /** Longest wait for the next decoded frame before the file is declared broken (ms). */
  frameTimeoutMs?: number;
  /** Decoded RGB frames kept (count and bytes). */
  cacheFrames?: number;
  cacheBytes?: number;
}

export interface DecodeStats {
  /** getFrame calls, and how many the LRU answered. */
  requests: number;
  cacheHits: number;
  /** Decoded frames the cursor stepped through (drawn or skipped). */
  framesPulled: number;
  /** Times the decoder was (re)started at a key frame. */
  restarts: number;
  /** Frames decoded again on their own after the forward pass failed (corrupt data nearby). */
  retries: number;
  /** Milliseconds spent waiting for decoded frames, and drawing them into RGB. */
  decodeMs: number;
  convertMs: number;
}

export interface WebCodecsVideo extends BrowserVideo {
  readonly decoder: 'webcodecs';
  /** Counters for tests and the benchmark. */
  stats(): DecodeStats;
}

const DEFAULT_FPS = 30;
/** Untagged SD video is BT.601 in practice (ffmpeg's RGB→YUV default; Chromium's <video> agrees). */
const BT601: VideoColorSpaceInit = { matrix: 'smpte170m', primaries: 'smpte170m', transfer: 'smpte170m', fullRange: false };

/** One forward pass of the decoder, starting at the key frame before its first target. */
class Cursor {
  /** The first decoded sample past the last target (held: it is the next frame of a run). */
  private ahead: VideoSample | null = null;
  private ended = false;
  /** Start time of the sample handed out last. */
  lastTs = -Infinity;
  pulled = 0;

  constructor(
    private readonly iter: AsyncGenerator<VideoSample, void, unknown>,
    private readonly timeoutMs: number,
  ) {}

  /** The latest stream time this cursor has reached. */
  get position(): number {
    return this.ahead ? this.ahead.timestamp : this.lastTs;
  }

  /**
   * Steps forward to the last sample starting at or before `t` and hands it over (the caller
   * closes it). Null when that sample was handed out already (the target is still on the same
   * frame) or when the stream ended before reaching it.
   */
  async advanceTo(t: number): Promise<VideoSample | null> {
    let candidate: VideoSample | null = null;
    try {
      for (;;) {
        if (this.ahead) {
          if (this.ahead.timestamp > t) {
            // A fresh cursor whose first frame starts after t (t before the first frame): use it.
            if (!candidate && this.lastTs === -Infinity) [candidate, this.ahead] = [this.ahead, null];
            break;
          }
          candidate?.close();
          [candidate, this.ahead] = [this.ahead, null];
          continue;
        }
        if (this.ended) break;
        const r = await withTimeout(this.iter.next(), this.timeoutMs, () => new VideoDecodeError(`no frame came out of the decoder within ${this.timeoutMs / 1000} s`));
        if (r.done) this.ended = true;
        else {
          this.pulled++;
          this.ahead = r.value;
        }
      }
    } catch (err) {
      candidate?.close();
      throw err;
    }
    if (candidate) this.lastTs = candidate.timestamp;
    return candidate;
  }

  close(): void {
    this.ahead?.close();
    this.ahead = null;
    // return() closes the samples mediabunny decoded ahead and stops its decoder.
    void this.iter.return(undefined).catch(() => {});
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Opens `blob` for WebCodecs decoding. Throws WebCodecsUnavailable when this path cannot handle
 * the file (no VideoDecoder, unknown container, codec not decodable here: the caller falls back),
 * VideoDecodeError when the file itself is broken.
 */
export async function openWebCodecsVideo(blob: Blob, name: string, opts: WebCodecsVideoOptions = {}): Promise<WebCodecsVideo> {
  if (typeof VideoDecoder === 'undefined') throw new WebCodecsUnavailable('this browser has no WebCodecs VideoDecoder');
  const metaTimeout = opts.metadataTimeoutMs ?? 15_000;
  const frameTimeoutMs = opts.frameTimeoutMs ?? 10_000;
  const step = <T>(p: Promise<T>, what: string) => withTimeout(p, metaTimeout, () => new VideoDecodeError(`Timed out reading ${what} of "${name}".`));
  const input = new Input({ source: new BlobSource(blob), formats: ALL_FORMATS });
  let cursor: Cursor | null = null;
  try {
    opts.onProgress?.(0.1, 'Reading the container…');
    try {
      await step(input.getFormat(), 'the container');
    } catch (err) {
      if (err instanceof UnsupportedInputFormatError) throw new WebCodecsUnavailable(`the container is not one the demuxer reads (${SUPPORTED_VIDEO_FORMATS})`);
      throw new WebCodecsUnavailable(`the container could not be read (${describe(err)})`);
    }
    const track = await step(input.getPrimaryVideoTrack(), 'the tracks');
    if (!track) throw new VideoDecodeError(`"${name}" has no video track: it is corrupt or not a video (use ${SUPPORTED_VIDEO_FORMATS}).`);
    const codec = await step(track.getCodec(), 'the codec');
    if (!codec || !(await step(track.canDecode(), 'the decoder support'))) {
      throw new WebCodecsUnavailable(`WebCodecs here cannot decode its ${codec ?? 'unknown'} video`);
    }
    opts.onProgress?.(0.3, 'Reading the frame timing…');
    const packets = new EncodedPacketSink(track);
    const [first, last, rate, naturalWidth, naturalHeight, colour, codedHeight] = await step(
      Promise.all([
        packets.getFirstPacket({ metadataOnly: true }),
        packets.getPacket(Infinity, { metadataOnly: true }),
        track.computeFrameRateMetrics(),
        track.getDisplayWidth(),
        track.getDisplayHeight(),
        track.getColorSpace(),
        track.getCodedHeight(),
      ]),
      'the frame timing',
    );
    // mediabunny tags Chromium's decoder output BT.709 when the stream names no matrix; for SD
    // that shifts colours (pure red gets G≈24) against every player. Such frames are re-tagged.
    const retag: VideoColorSpaceInit | null = !colour.matrix && codedHeight < 720 ? { ...BT601, fullRange: colour.fullRange ?? false } : null;
    if (!first || !last) throw new VideoDecodeError(`"${name}" has no video frames.`);
    // A truncated file (an interrupted download or copy): its index promises a last frame whose
    // bytes are not all there. Reading them costs one small read at the end of the file.
    const lastFull = await step(packets.getPacket(Infinity), 'the last frame').catch(() => null);
    if (!lastFull || lastFull.data.byteLength < last.byteLength) {
      throw new VideoDecodeError(`"${name}" is truncated: the file ends before its last frame (${(blob.size / 1024).toFixed(0)} KB). Upload the complete file.`);
    }
    if (!naturalWidth || !naturalHeight) throw new VideoDecodeError(`"${name}" has a video track without a size.`);
    // A single-frame clip has no timestamp deltas: use its duration, else assume a rate.
    let fps = rate.bestGuessFrameRate;
    let fpsSource: BrowserVideo['fpsSource'] = 'container';
    if (!(Number.isFinite(fps) && fps > 0)) {
      fps = last.duration > 0 ? 1 / last.duration : DEFAULT_FPS;
      fpsSource = last.duration > 0 ? 'container' : 'assumed';
    }
    const start = first.timestamp;
    const frameCount = frameCountFromSpan(start, last.timestamp, fps);
    // Seconds from the first frame's start to the last frame's end (a missing last duration
    // counts as one frame).
    const duration = last.timestamp + (last.duration > 0 ? last.duration : 1 / fps) - start;
    const { width, height } = scaledFrameSize(naturalWidth, naturalHeight, MAX_FRAME_SIDE);
    const meta: VideoMeta = { width, height, frameCount, fps };

    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new WebCodecsUnavailable('this browser cannot create a 2D canvas to read frames');
    const preview = document.createElement('canvas');
    preview.width = width;
    preview.height = height;
    const previewCtx = preview.getContext('2d');
    // VideoFrame.copyTo({ format: 'RGBA' }) converts in one native step (≈4× cheaper than
    // drawImage + getImageData at 720p); the canvas path remains for scaling, rotation, and
    // browsers without RGB copyTo.
    let copyRgba = true;
    const rgba = new Uint8Array(width * height * 4);

    const sink = new VideoSampleSink(track);
    const cache = new LruCache<number, Pixels>(opts.cacheFrames ?? 24, opts.cacheBytes ?? 96 * 2 ** 20);
    const queue = new SerialQueue();
    const counters: DecodeStats = { requests: 0, cacheHits: 0, framesPulled: 0, restarts: 0, retries: 0, decodeMs: 0, convertMs: 0 };
    let lastServed: { ts: number; pixels: Pixels } | null = null;
    let previewTimer: ReturnType<typeof setTimeout> | null = null;
    let closed = false;

    const dropCursor = () => {
      if (!cursor) return;
      counters.framesPulled += cursor.pulled;
      cursor.close();
      cursor = null;
    };

    // The preview shows the last frame read, redrawn at most 4 times a second (a scan reads
    // dozens of frames a second; the preview must not cost as much as the reading).
    const schedulePreview = () => {
      if (previewTimer !== null || !previewCtx) return;
      previewTimer = setTimeout(() => {
        previewTimer = null;
        if (closed || !lastServed) return;
        const img = previewCtx.createImageData(width, height);
        rgbToRgba(lastServed.pixels.data, img.data);
        previewCtx.putImageData(img, 0, 0);
      }, 250);
    };

    const retagged = async (sample: VideoSample): Promise<VideoSample> => {
      const bytes = new Uint8Array(sample.allocationSize());
      const layout = await sample.copyTo(bytes);
      const r = sample.visibleRect;
      return new VideoSample(bytes, {
        format: sample.format!,
        codedWidth: r.width,
        codedHeight: r.height,
        layout,
        displayWidth: sample.squarePixelWidth,
        displayHeight: sample.squarePixelHeight,
        timestamp: sample.timestamp,
        rotation: sample.rotation,
        flip: sample.flip,
        colorSpace: retag!,
      });
    };

    const toPixels = async (decoded: VideoSample): Promise<Pixels> => {
      const sample = retag && decoded.format ? await retagged(decoded) : decoded;
      try {
        return await samplePixels(sample);
      } finally {
        if (sample !== decoded) sample.close();
      }
    };

    const samplePixels = async (sample: VideoSample): Promise<Pixels> => {
      const r = sample.visibleRect;
      if (copyRgba && sample.rotation === 0 && !sample.flip && r.width === width && r.height === height) {
        try {
          await sample.copyTo(rgba, { format: 'RGBA', colorSpace: 'srgb' });
          return rgbaToRgbFast(rgba, width, height);
        } catch {
          copyRgba = false; // not supported here: the canvas from now on
        }
      }
      // draw() applies the track's rotation; the canvas scales to MAX_FRAME_SIDE.
      sample.draw(ctx, 0, 0, width, height);
      return rgbaToRgbFast(ctx.getImageData(0, 0, width, height).data, width, height);
    };

    const decodeAt = async (index: number): Promise<Pixels> => {
      const t = start + frameLookupTime(index, fps);
      let keep = false;
      if (cursor) {
        const pos = cursor.position;
        if (t >= pos) {
          const key = await step(packets.getKeyPacket(t, { metadataOnly: true }), 'the key frame index');
          keep = continueForward(pos, t, key ? key.timestamp : null, fps);
        } else keep = t >= cursor.lastTs; // still on the frame handed out last
      }
      if (!keep) {
        dropCursor();
        cursor = new Cursor(sink.samples(t), frameTimeoutMs);
        counters.restarts++;
      }
      const t0 = performance.now();
      const sample = await cursor!.advanceTo(t);
      const t1 = performance.now();
      counters.decodeMs += t1 - t0;
      if (!sample) {
        if (lastServed && lastServed.ts <= t) return lastServed.pixels;
        throw new VideoDecodeError(`the stream ended before frame ${index}`);
      }
      try {
        const pixels = await toPixels(sample);
        lastServed = { ts: sample.timestamp, pixels };
        schedulePreview();
        return pixels;
      } finally {
        sample.close();
        counters.convertMs += performance.now() - t1;
      }
    };

    // The careful way to one frame: decode from its key frame up to it and flush, with no
    // read-ahead. Used after the cursor failed, because the cursor decodes a few dozen packets
    // ahead and a broken packet there fails the whole pass, frames before it included.
    const decodeAlone = async (index: number): Promise<Pixels> => {
      const iter = sink.samplesAtTimestamps([start + frameLookupTime(index, fps)]);
      try {
        const r = await withTimeout(iter.next(), 2 * frameTimeoutMs, () => new VideoDecodeError(`no frame came out of the decoder within ${(2 * frameTimeoutMs) / 1000} s`));
        const sample = r.done ? null : r.value;
        if (!sample) throw new VideoDecodeError('the decoder gave no frame for that time');
        try {
          const pixels = await toPixels(sample);
          lastServed = null; // the cursor's bookkeeping no longer matches
          return pixels;
        } finally {
          sample.close();
        }
      } finally {
        void iter.return(undefined).catch(() => {});
      }
    };

    // Frame 0 now: proves the stream decodes (a broken file fails here, not in Python) and fills
    // the preview.
    opts.onProgress?.(0.6, 'Decoding the first frame…');
    try {
      cache.set(0, await decodeAt(0), width * height * 3);
    } catch (err) {
      throw new WebCodecsUnavailable(`the first frame did not decode (${describe(err)})`);
    }
    opts.onProgress?.(1, 'Ready');

    const copy = (p: Pixels): Pixels => ({ ...p, data: p.data.slice() });
    const video: WebCodecsVideo = {
      name,
      blob,
      meta,
      duration,
      decoder: 'webcodecs',
      fpsSource,
      codec,
      fallbackReason: null,
      naturalWidth,
      naturalHeight,
      element: preview,
      getFrame(index: number): Promise<Pixels> {
        if (closed) return Promise.reject(new Error('the video was closed'));
        if (!Number.isInteger(index) || index < 0 || index >= frameCount) {
          return Promise.reject(new RangeError(`frame ${index} is out of range (0…${frameCount - 1})`));
        }
        counters.requests++;
        // Callers get copies: the cached frame must not change under a later reader.
        const hit = cache.get(index);
        if (hit) {
          counters.cacheHits++;
          return Promise.resolve(copy(hit));
        }
        return queue.run(async () => {
          if (closed) throw new Error('the video was closed');
          const again = cache.get(index);
          if (again) return copy(again);
          let pixels: Pixels;
          try {
            pixels = await decodeAt(index);
          } catch {
            dropCursor(); // a broken decoder state must not leak into the next request
            counters.retries++;
            try {
              pixels = await decodeAlone(index);
            } catch (err) {
              throw new VideoDecodeError(`frame ${index} could not be decoded: ${describe(err)} (the file is corrupt around ${(index / fps).toFixed(2)} s)`);
            }
          }
          cache.set(index, pixels, pixels.data.byteLength);
          return copy(pixels);
        });
      },
      stats: () => ({ ...counters, framesPulled: counters.framesPulled + (cursor?.pulled ?? 0) }),
      close() {
        if (closed) return;
        closed = true;
        if (previewTimer !== null) clearTimeout(previewTimer);
        dropCursor();
        cache.clear();
        lastServed = null;
        input.dispose();
      },
    };
    return video;
  } catch (err) {
    (cursor as Cursor | null)?.close();
    input.dispose();
    throw err;
  }
}
