/**
 * The typed message protocol between a Python runtime host (browser page or Node parent)
 * and one Python worker (a web worker, or the thread inside the Node child process).
 * Every request carries `reqId`; the worker answers each with exactly one `reply`.
 */
import type { PackageMode, Pixels, RunResult, RuntimeLimits, VideoMeta } from '../../src/runtime/types';

/** Pyodide packages that replace the compatibility layer when they can be loaded. */
export const REAL_PACKAGE_NAMES = ['numpy', 'pillow', 'matplotlib'] as const;

/** Layout of the frame channel: a SharedArrayBuffer with an Int32 header then pixel bytes. */
export const FRAME_HEADER_INTS = 8;
export const FRAME_STATE = { idle: 0, pending: 1, ready: 2, failed: 3 } as const;
/** header[0] state, [1] frame index, [2] width, [3] height, [4] byte length of data */

export interface InitRequest {
  kind: 'init';
  reqId: number;
  indexURL: string;
  /** Python sources by relative path ("harness.py", "compat/PIL/Image.py", …). */
  pySources: Record<string, string>;
  packages: PackageMode;
  packageBaseUrl: string | null;
  /** Set by a host that already knows the real packages cannot be had, and why. */
  packageProblem: string | null;
  limits: RuntimeLimits;
  /** Int8 interrupt buffer shared with whoever may interrupt (Pyodide's setInterruptBuffer). */
  interruptBuffer: SharedArrayBuffer;
  /** Where the host writes answers to this worker's perception requests (replyChannel.ts). */
  replyChannel: SharedArrayBuffer;
}

export interface OpenRequest {
  kind: 'open';
  reqId: number;
  sessionId: string;
  images: Pixels[];
  video: VideoMeta | null;
  /** Frame channel for this session's video (header + width × height × 3 bytes). */
  frameChannel: SharedArrayBuffer | null;
}

export interface RunRequest {
  kind: 'run';
  reqId: number;
  sessionId: string;
  code: string;
}

export interface ResetRequest {
  kind: 'reset';
  reqId: number;
  sessionId: string;
}

export interface CloseRequest {
  kind: 'close';
  reqId: number;
  sessionId: string;
}

export type HostToWorker = InitRequest | OpenRequest | RunRequest | ResetRequest | CloseRequest;

export interface ReplyPayloads {
  init: { packages: 'compat' | 'real'; packageNote: string; heapBytes: number };
  open: { heapBytes: number };
  run: { result: RunResult; heapBytes: number };
  reset: { heapBytes: number };
  close: { heapBytes: number };
}

export type Reply = {
  [K in keyof ReplyPayloads]:
    | { kind: 'reply'; reqId: number; request: K; ok: true; value: ReplyPayloads[K] }
    | { kind: 'reply'; reqId: number; request: K; ok: false; error: string };
}[keyof ReplyPayloads];

export interface ProgressMessage {
  kind: 'progress';
  fraction: number;
  detail: string;
}

/** Python asked for a video frame; the host writes it into the session's frame channel. */
export interface FrameRequestMessage {
  kind: 'frame-request';
  sessionId: string;
  index: number;
}

/**
 * Python called a perception tool (detect, OCR): the host runs it on its perception service and
 * writes the JSON answer into the worker's reply channel under `seq`.
 */
export interface PerceptionRequestMessage {
  kind: 'perception-request';
  seq: number;
  op: string;
  image: Pixels;
  options: unknown;
}

/** The worker hit an unrecoverable state (Pyodide fatal error); it must be replaced. */
export interface FatalMessage {
  kind: 'fatal';
  message: string;
}

export type WorkerToHost = Reply | ProgressMessage | FrameRequestMessage | PerceptionRequestMessage | FatalMessage;

/** Buffers to transfer with a message (pixel data is copied once, never cloned twice). */
export function transferablesOf(msg: HostToWorker | WorkerToHost): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (p: Pixels) => {
    if (p.data.buffer instanceof ArrayBuffer && p.data.byteOffset === 0 && p.data.byteLength === p.data.buffer.byteLength) {
      out.push(p.data.buffer);
    }
  };
  if (msg.kind === 'open') msg.images.forEach(add);
  if (msg.kind === 'reply' && msg.ok && msg.request === 'run') msg.value.result.figures.forEach((f) => add(f.pixels));
  if (msg.kind === 'perception-request') add(msg.image);
  return out;
}
