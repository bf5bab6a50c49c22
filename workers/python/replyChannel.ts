/**
 * Synchronous calls from Python to its host: Python blocks on a SharedArrayBuffer
 * (Atomics.wait) while the host works, then reads the answer. Used for the perception service
 * (object detection, OCR), whose models live once per host, not once per Python worker. The
 * video frame channel (frameChannel.ts) follows the same pattern with pixel payloads.
 *
 * Layout: Int32 header [state, seq, byteLength, 0] then UTF-8 bytes of the answer (JSON text).
 * One channel per worker: a worker runs one Python call at a time, so one request is in flight.
 *
 * The wait is sliced (WAIT_SLICE_MS) so an interrupt (the per-call timeout, the Stop button)
 * ends it within a slice: Pyodide only sees its interrupt buffer between bytecodes, never while
 * JavaScript blocks.
 */
export const REPLY_HEADER_INTS = 4;
const HEADER_BYTES = REPLY_HEADER_INTS * 4;
const STATE = { idle: 0, pending: 1, ready: 2 } as const;
const WAIT_SLICE_MS = 50;
export const REPLY_CHANNEL_BYTES = 4 * 1024 * 1024;

/** Thrown when the wait was interrupted; Python turns it into KeyboardInterrupt. */
export class WaitInterrupted extends Error {
  override name = 'KeyboardInterrupt';
}

export function createReplyChannel(bytes = REPLY_CHANNEL_BYTES): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + bytes);
}

/** Host side: deliver the answer to request `seq` and wake the waiting worker. */
export function writeReply(channel: SharedArrayBuffer, seq: number, text: string): void {
  const header = new Int32Array(channel, 0, REPLY_HEADER_INTS);
  const body = new Uint8Array(channel, HEADER_BYTES);
  let bytes = new TextEncoder().encode(text);
  if (bytes.length > body.length) bytes = new TextEncoder().encode(JSON.stringify({ error: `the answer was too large (${bytes.length} bytes)` }));
  body.set(bytes);
  header[1] = seq;
  header[2] = bytes.length;
  Atomics.store(header, 0, STATE.ready);
  Atomics.notify(header, 0);
}

/**
 * Blocks until `done()` or the deadline, in slices, checking `interrupted()` between slices.
 * Returns false on timeout; throws WaitInterrupted on an interrupt.
 */
export function sliceWait(header: Int32Array, pendingState: number, timeoutMs: number, interrupted: () => boolean): boolean {
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(header, 0) === pendingState) {
    if (interrupted()) throw new WaitInterrupted('interrupted while waiting for the host');
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(header, 0, pendingState, Math.min(left, WAIT_SLICE_MS));
  }
  return true;
}

/** Worker side: send the request (via `ask`), block until the answer to `seq` is written. */
export function waitReply(channel: SharedArrayBuffer, seq: number, ask: () => void, timeoutMs: number, interrupted: () => boolean): string {
  const header = new Int32Array(channel, 0, REPLY_HEADER_INTS);
  const deadline = Date.now() + timeoutMs;
  Atomics.store(header, 0, STATE.pending);
  ask();
  try {
    for (;;) {
      if (!sliceWait(header, STATE.pending, deadline - Date.now(), interrupted)) {
        return JSON.stringify({ error: `no answer from the perception service within ${Math.round(timeoutMs / 1000)} s` });
      }
      if (header[1] === seq) return new TextDecoder().decode(new Uint8Array(channel, HEADER_BYTES, header[2]).slice());
      // A late answer to an earlier, interrupted request: drop it and keep waiting for ours.
      Atomics.store(header, 0, STATE.pending);
    }
  } finally {
    Atomics.store(header, 0, STATE.idle);
  }
}
