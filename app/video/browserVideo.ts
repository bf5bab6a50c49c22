/**
 * The fallback FrameProvider over a `<video>` element, used when WebCodecs cannot open a file
 * (see openVideo.ts): the browser decodes the file and only the frames Python asks for are drawn.
 * It is ≈10× slower per frame than WebCodecs on real H.264 clips (every frame is a seek).
 *
 * - Metadata: width and height from the element. The rate and frame count come from the
 *   container when the caller knows them (`timing`); otherwise the rate is measured by playing
 *   the start of the clip (muted) and reading `requestVideoFrameCallback`'s `mediaTime` deltas,
 *   and the frame count is duration × fps. MediaRecorder WebM files report
 *   `duration === Infinity` until the element is asked to seek past the end.
 * - `getFrame(i)` seeks to frameLookupTime(i) (frameTiming.ts: the one definition of frame i)
 *   and waits for `seeked` AND a `requestVideoFrameCallback` (with a timeout; PLATFORM.md:
 *   without it about one seek in 200 returns the previous frame), then draws the frame onto a
 *   canvas and returns RGB pixels. Seeks are serialised: one at a time, in request order.
 */
import type { Pixels, VideoMeta } from '../../src/runtime/types';
import { frameLookupTime, rgbaToRgbFast, scaledFrameSize, SerialQueue } from './frameTiming';
import {
  isVideoFile,
  MAX_FRAME_SIDE,
  MAX_VIDEO_BYTES,
  SUPPORTED_VIDEO_FORMATS,
  VideoDecodeError,
  type BrowserVideo,
  type OpenVideoOptions,
} from './videoCommon';

export {
  ACCEPT_VIDEO_ATTRIBUTE,
  ACCEPTED_VIDEO_TYPES,
  isVideoFile,
  MAX_FRAME_SIDE,
  MAX_VIDEO_BYTES,
  VideoDecodeError,
  type BrowserVideo,
  type OpenVideoOptions,
} from './videoCommon';

export interface SeekVideoOptions extends OpenVideoOptions {
  /** How long to wait for a frame callback after `seeked` before drawing anyway (ms). */
  frameCallbackTimeoutMs?: number;
  /** Rate, frame count and duration from the container, when known: no measuring then. */
  timing?: { fps: number; frameCount: number; duration: number };
  /** Why this (slower) path is used, shown in the UI. */
  fallbackReason?: string | null;
}

const DEFAULT_FPS = 30;
const COMMON_RATES = [24000 / 1001, 24, 25, 30000 / 1001, 30, 48, 50, 60000 / 1001, 60];

function once(target: EventTarget, events: string[], timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      for (const e of events) target.removeEventListener(e, handler);
    };
    const handler = (ev: Event) => {
      cleanup();
      resolve(ev.type);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new VideoDecodeError(`Timed out waiting for ${what}.`));
    }, timeoutMs);
    for (const e of events) target.addEventListener(e, handler);
  });
}

/** A frame callback, or `null` after `timeoutMs` (it may never come, e.g. for an unchanged frame). */
function frameCallback(video: HTMLVideoElement, timeoutMs: number): Promise<VideoFrameCallbackMetadata | null> {
  return new Promise((resolve) => {
    let done = false;
    const id = video.requestVideoFrameCallback((_now, meta) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(meta);
    });
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      video.cancelVideoFrameCallback(id);
      resolve(null);
    }, timeoutMs);
  });
}

/**
 * The frame rate from (mediaTime, presentedFrames) samples taken while playing: each delta is
 * divided by the number of frames it spans (frames can be skipped while playing), the median is
 * taken, and a value within 0.5 % of a common rate snaps to it.
 */
export function estimateFps(samples: ReadonlyArray<{ mediaTime: number; presentedFrames: number }>): number | null {
  const perFrame: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = samples[i]!.mediaTime - samples[i - 1]!.mediaTime;
    if (!(dt > 1e-4)) continue;
    let frames = samples[i]!.presentedFrames - samples[i - 1]!.presentedFrames;
    if (!(frames >= 1)) frames = 1;
    perFrame.push(dt / frames);
  }
  if (perFrame.length === 0) return null;
  // Skipped frames that presentedFrames missed show as multiples of the smallest delta.
  const smallest = Math.min(...perFrame);
  const normalised = perFrame.map((d) => d / Math.max(1, Math.round(d / smallest))).sort((a, b) => a - b);
  const median = normalised[Math.floor(normalised.length / 2)]!;
  const fps = 1 / median;
  const nearest = COMMON_RATES.reduce((a, b) => (Math.abs(fps - b) < Math.abs(fps - a) ? b : a));
  if (Math.abs(fps - nearest) / nearest < 0.005) return nearest;
  if (Math.abs(fps - Math.round(fps)) < 0.02) return Math.round(fps);
  return Math.round(fps * 1000) / 1000;
}

/** Frame count from the duration: a last partial frame (rounding in the container) counts. */
export function frameCountOf(duration: number, fps: number): number {
  return Math.max(1, Math.round(duration * fps - 0.25));
}

async function finiteDuration(video: HTMLVideoElement, timeoutMs: number): Promise<number> {
  if (Number.isFinite(video.duration) && video.duration > 0) return video.duration;
  // MediaRecorder WebM: no duration in the header. Seeking far past the end makes the element
  // find the real end and fire durationchange.
  const changed = once(video, ['durationchange', 'seeked'], timeoutMs, 'the video duration');
  video.currentTime = 1e101;
  await changed;
  for (let i = 0; i < 50 && !Number.isFinite(video.duration); i++) await once(video, ['durationchange', 'seeked', 'timeupdate'], timeoutMs, 'the video duration');
  const d = video.duration;
  const back = once(video, ['seeked'], timeoutMs, 'the seek back to the start');
  video.currentTime = 0;
  await back;
  if (!Number.isFinite(d) || d <= 0) throw new VideoDecodeError('The video reports no usable duration.');
  return d;
}

async function measureFps(video: HTMLVideoElement, duration: number, onProgress?: OpenVideoOptions['onProgress']): Promise<number | null> {
  const samples: Array<{ mediaTime: number; presentedFrames: number }> = [];
  const wanted = 12;
  const budgetMs = Math.min(3000, Math.max(800, duration * 1000));
  const started = performance.now();
  video.playbackRate = 2;
  await new Promise<void>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      video.removeEventListener('ended', finish);
      resolve();
    };
    const timer = setTimeout(finish, budgetMs);
    video.addEventListener('ended', finish);
    const cb: VideoFrameRequestCallback = (_now, meta) => {
      if (finished) return;
      samples.push({ mediaTime: meta.mediaTime, presentedFrames: meta.presentedFrames });
      onProgress?.(0.3 + 0.6 * Math.min(1, samples.length / wanted, (performance.now() - started) / budgetMs), 'Measuring the frame rate…');
      if (samples.length >= wanted) finish();
      else video.requestVideoFrameCallback(cb);
    };
    video.requestVideoFrameCallback(cb);
    video.play().catch(() => finish());
  });
  video.pause();
  video.playbackRate = 1;
  return estimateFps(samples);
}

/** Opens a video file; rejects with VideoDecodeError when it cannot be decoded. */
export async function openBrowserVideo(blob: Blob, name: string, opts: SeekVideoOptions = {}): Promise<BrowserVideo> {
  if (!isVideoFile(blob, name)) throw new VideoDecodeError(`"${name}" is not a video (type: ${blob.type || 'unknown'}); use ${SUPPORTED_VIDEO_FORMATS}.`);
  if (blob.size === 0) throw new VideoDecodeError(`"${name}" is empty.`);
  if (blob.size > MAX_VIDEO_BYTES) throw new VideoDecodeError(`"${name}" is ${(blob.size / 2 ** 20).toFixed(0)} MB; the limit is ${MAX_VIDEO_BYTES / 2 ** 20} MB.`);
  const metadataTimeoutMs = opts.metadataTimeoutMs ?? 15_000;
  const rvfcTimeoutMs = opts.frameCallbackTimeoutMs ?? 500;
  const url = URL.createObjectURL(blob);
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.preload = 'auto';
  const fail = (message: string): never => {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
    throw new VideoDecodeError(message);
  };
  opts.onProgress?.(0.05, 'Reading the video header…');
  video.src = url;
  try {
    const ev = await once(video, ['loadeddata', 'error'], metadataTimeoutMs, 'the video metadata');
    if (ev === 'error') throw new Error(video.error?.message || 'decode error');
  } catch (err) {
    return fail(`Could not decode "${name}": the file is corrupt or its format is not supported (use ${SUPPORTED_VIDEO_FORMATS}). ${err instanceof Error && err.message ? `(${err.message})` : ''}`.trim());
  }
  if (typeof video.requestVideoFrameCallback !== 'function') return fail('This browser lacks requestVideoFrameCallback, needed to read exact video frames.');
  const naturalWidth = video.videoWidth;
  const naturalHeight = video.videoHeight;
  if (!naturalWidth || !naturalHeight) return fail(`"${name}" has no video track.`);

  let duration: number;
  let fps: number;
  let frameCount: number;
  let fpsSource: BrowserVideo['fpsSource'] = 'container';
  if (opts.timing) {
    ({ duration, fps, frameCount } = opts.timing);
  } else {
    try {
      opts.onProgress?.(0.2, 'Finding the duration…');
      duration = await finiteDuration(video, metadataTimeoutMs);
    } catch (err) {
      return fail(`Could not read the duration of "${name}": ${err instanceof Error ? err.message : String(err)}`);
    }
    const measured = await measureFps(video, duration, opts.onProgress);
    fps = measured ?? DEFAULT_FPS;
    fpsSource = measured === null ? 'assumed' : 'measured';
    frameCount = frameCountOf(duration, fps);
    opts.onProgress?.(0.95, 'Rewinding…');
    const rewind = once(video, ['seeked'], metadataTimeoutMs, 'the seek back to the start').catch(() => 'timeout');
    video.currentTime = 0;
    await rewind;
  }

  const { width, height } = scaledFrameSize(naturalWidth, naturalHeight, MAX_FRAME_SIDE);
  const meta: VideoMeta = { width, height, frameCount, fps };
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return fail('This browser cannot create a 2D canvas to read video frames.');

  const queue = new SerialQueue();
  let shownIndex = -1;
  let closed = false;

  const decode = async (index: number): Promise<Pixels> => {
    if (closed) throw new Error('the video was closed');
    if (!Number.isInteger(index) || index < 0 || index >= meta.frameCount) {
      throw new RangeError(`frame ${index} is out of range (0…${meta.frameCount - 1})`);
    }
    if (index !== shownIndex) {
      // The one definition of frame i (frameTiming.ts), never past the end.
      const t = Math.min(frameLookupTime(index, fps), Math.max(0, duration - 0.125 / fps));
      const painted = frameCallback(video, rvfcTimeoutMs + 10_000);
      const seeked = once(video, ['seeked', 'error'], 10_000, `frame ${index}`);
      video.currentTime = t;
      const ev = await seeked;
      if (ev === 'error') throw new Error(video.error?.message || 'decode error');
      // The rVFC for the new frame usually arrives with or right after `seeked`.
      await Promise.race([painted, new Promise((r) => setTimeout(r, rvfcTimeoutMs))]);
      shownIndex = index;
    }
    ctx.drawImage(video, 0, 0, width, height);
    return rgbaToRgbFast(ctx.getImageData(0, 0, width, height).data, width, height);
  };

  opts.onProgress?.(1, 'Ready');
  return {
    name,
    meta,
    blob,
    duration,
    decoder: 'seek',
    fpsSource,
    codec: null,
    fallbackReason: opts.fallbackReason ?? null,
    naturalWidth,
    naturalHeight,
    element: video,
    getFrame(index: number): Promise<Pixels> {
      return queue.run(() => decode(index));
    },
    close() {
      if (closed) return;
      closed = true;
      video.pause();
      video.removeAttribute('src');
      video.load();
      URL.revokeObjectURL(url);
    },
  };
}
