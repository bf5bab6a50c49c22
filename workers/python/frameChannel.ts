/**
 * Video frames cross into Python synchronously: Python's `vr[i]` blocks on a
 * SharedArrayBuffer (Atomics.wait) while the host decodes the frame and writes it in.
 * Both ends live here so the layout is defined once.
 */
import type { Pixels, VideoMeta } from '../../src/runtime/types';
import { FRAME_HEADER_INTS, FRAME_STATE } from './protocol';
import { sliceWait } from './replyChannel';

const HEADER_BYTES = FRAME_HEADER_INTS * 4;

export function createFrameChannel(meta: VideoMeta): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + meta.width * meta.height * 3);
}

/** Host side: deliver a decoded frame (or a failure message) and wake the waiting worker. */
export function writeFrame(channel: SharedArrayBuffer, index: number, frame: Pixels | { error: string }): void {
  const header = new Int32Array(channel, 0, FRAME_HEADER_INTS);
  const body = new Uint8Array(channel, HEADER_BYTES);
  header[1] = index;
  if ('error' in frame) {
    const bytes = new TextEncoder().encode(frame.error).subarray(0, body.length);
    body.set(bytes);
    header[4] = bytes.length;
    Atomics.store(header, 0, FRAME_STATE.failed);
  } else if (frame.channels !== 3 || frame.data.length > body.length) {
    const msg = `frame ${index} has the wrong shape (${frame.width}×${frame.height}×${frame.channels})`;
    return writeFrame(channel, index, { error: msg });
  } else {
    body.set(frame.data);
    header[2] = frame.width;
    header[3] = frame.height;
    header[4] = frame.data.length;
    Atomics.store(header, 0, FRAME_STATE.ready);
  }
  Atomics.notify(header, 0);
}

/**
 * Worker side: announce the request (via `ask`), then block until the host answers.
 * Throws with the host's message on failure or after `timeoutMs`, and WaitInterrupted when
 * `interrupted()` turns true (the per-call timeout or Stop) while it waits.
 */
export function readFrame(channel: SharedArrayBuffer, index: number, ask: () => void, timeoutMs: number, interrupted: () => boolean = () => false): Uint8Array {
  const header = new Int32Array(channel, 0, FRAME_HEADER_INTS);
  Atomics.store(header, 0, FRAME_STATE.pending);
  ask();
  try {
    if (!sliceWait(header, FRAME_STATE.pending, timeoutMs, interrupted)) throw new Error(`timed out after ${timeoutMs} ms waiting for video frame ${index}`);
  } catch (err) {
    Atomics.store(header, 0, FRAME_STATE.idle);
    throw err;
  }
  const state = Atomics.load(header, 0);
  const length = header[4];
  const bytes = new Uint8Array(channel, HEADER_BYTES, length).slice();
  Atomics.store(header, 0, FRAME_STATE.idle);
  if (state === FRAME_STATE.failed) throw new Error(new TextDecoder().decode(bytes));
  if (header[1] !== index) throw new Error(`video frame mix-up: asked for ${index}, got ${header[1]}`);
  return bytes;
}
