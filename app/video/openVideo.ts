/**
 * Opens an uploaded (or restored) video: WebCodecs behind mediabunny's demuxer first
 * (webcodecsVideo.ts, loaded on demand so pages without video never download the demuxer), and
 * the `<video>`-seeking provider (browserVideo.ts) when that path cannot open the file (no
 * VideoDecoder, an unknown container, a codec WebCodecs lacks here). AVI gets its own message:
 * Chromium decodes neither its container nor, usually, its codecs.
 */
import { openBrowserVideo } from './browserVideo';
import { looksLikeAvi } from './frameTiming';
import { isVideoFile, MAX_VIDEO_BYTES, SUPPORTED_VIDEO_FORMATS, VideoDecodeError, type BrowserVideo, type OpenVideoOptions } from './videoCommon';

export interface OpenOptions extends OpenVideoOptions {
  /** 'auto' (default): WebCodecs, else seeking. The others force one path (tests, benchmark). */
  decoder?: 'auto' | 'webcodecs' | 'seek';
  /** For a forced 'seek': the container's timing, so both paths index the same frames. */
  timing?: { fps: number; frameCount: number; duration: number };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Rejects with VideoDecodeError (a message for the UI) when neither path can decode the file. */
export async function openVideo(blob: Blob, name: string, opts: OpenOptions = {}): Promise<BrowserVideo> {
  if (!isVideoFile(blob, name)) throw new VideoDecodeError(`"${name}" is not a video (type: ${blob.type || 'unknown'}); use ${SUPPORTED_VIDEO_FORMATS}.`);
  if (blob.size === 0) throw new VideoDecodeError(`"${name}" is empty.`);
  if (blob.size > MAX_VIDEO_BYTES) throw new VideoDecodeError(`"${name}" is ${(blob.size / 2 ** 20).toFixed(0)} MB; the limit is ${MAX_VIDEO_BYTES / 2 ** 20} MB.`);
  const head = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  if (looksLikeAvi(head, name, blob.type)) {
    throw new VideoDecodeError(
      `"${name}" is an AVI file, which browsers cannot decode. Convert it to ${SUPPORTED_VIDEO_FORMATS} (for example: ffmpeg -i "${name}" -c:v libx264 -pix_fmt yuv420p out.mp4) and upload that.`,
    );
  }
  const decoder = opts.decoder ?? 'auto';
  let reason: string | null = null;
  if (decoder !== 'seek') {
    try {
      const { openWebCodecsVideo } = await import('./webcodecsVideo');
      return await openWebCodecsVideo(blob, name, opts);
    } catch (err) {
      // A VideoDecodeError says the file itself is broken (truncated, no video track): seeking
      // would not do better. Anything else means this path cannot handle the file.
      if (err instanceof VideoDecodeError) throw err;
      reason = describe(err);
      if (decoder === 'webcodecs') throw new VideoDecodeError(`WebCodecs could not open "${name}": ${reason}`);
    }
  }
  try {
    return await openBrowserVideo(blob, name, {
      ...opts,
      timing: decoder === 'seek' ? opts.timing : undefined,
      fallbackReason: reason === null ? null : `WebCodecs: ${reason}`,
    });
  } catch (err) {
    const message = describe(err);
    throw new VideoDecodeError(reason === null ? message : `${message} [WebCodecs: ${reason}]`);
  }
}
