/**
 * What both video frame providers share: the accepted files, the limits, the error type and the
 * interface the store and the preview see. The WebCodecs provider (webcodecsVideo.ts) is the
 * normal path; the `<video>`-seeking one (browserVideo.ts) is the fallback; openVideo.ts picks.
 */
import type { FrameProvider } from '../../src/runtime/types';

export const ACCEPTED_VIDEO_TYPES = ['video/mp4', 'video/webm', 'video/quicktime', 'video/x-m4v', 'video/x-matroska'] as const;
export const ACCEPT_VIDEO_ATTRIBUTE = '.mp4,.m4v,.webm,.mov,.mkv,video/mp4,video/webm,video/quicktime,video/x-matroska';
export const MAX_VIDEO_BYTES = 512 * 1024 * 1024;
/** Largest frame side handed to Python (bigger videos are scaled down when drawn). */
export const MAX_FRAME_SIDE = 1920;
/** Said in every "cannot decode" message, so the user knows what to convert to. */
export const SUPPORTED_VIDEO_FORMATS = 'MP4, MOV, WebM or MKV with H.264, VP8, VP9 or AV1 video';

export class VideoDecodeError extends Error {
  override name = 'VideoDecodeError';
}

/** Files routed to the video path (AVI too: it gets a clear "convert it" message there). */
export function isVideoFile(blob: Blob, name: string): boolean {
  if (blob.type.startsWith('video/')) return true;
  return (blob.type === '' || blob.type === 'application/octet-stream') && /\.(mp4|m4v|webm|mov|mkv|avi)$/i.test(name);
}

export interface OpenVideoOptions {
  /** Opening progress 0..1 with a short description (for a progress bar). */
  onProgress?: (fraction: number, detail: string) => void;
  /** Give up reading the header / metadata after this long (ms). */
  metadataTimeoutMs?: number;
}

export type VideoDecoderKind = 'webcodecs' | 'seek';

/** A decodable video: Python's FrameProvider plus what the UI shows about it. */
export interface BrowserVideo extends FrameProvider {
  readonly name: string;
  /** The file itself (kept for persistence and for opening it again). */
  readonly blob: Blob;
  /** Seconds, finite. */
  readonly duration: number;
  /** Which path decodes the frames. */
  readonly decoder: VideoDecoderKind;
  /** Where the rate comes from: the container's timestamps, playing the clip, or a default. */
  readonly fpsSource: 'container' | 'measured' | 'assumed';
  /** Codec name when known ('avc', 'vp9', …). */
  readonly codec: string | null;
  /** Why WebCodecs was not used (seek provider opened as the fallback), else null. */
  readonly fallbackReason: string | null;
  /** The size the browser decodes at, when frames are scaled down to MAX_FRAME_SIDE. */
  readonly naturalWidth: number;
  readonly naturalHeight: number;
  /** A preview element that shows the last frame read. */
  readonly element: HTMLElement;
  close(): void;
}
