/**
 * The typed message protocol between a perception host (the page, the RL worker, a Node
 * process: whoever owns Python workers) and its perception worker, which holds the models.
 * Every request carries `id`; the worker answers each with exactly one `reply`.
 */
import type { DetectOptions, Detection } from '../../src/perception/detector';
import type { OcrResult, PerceptionStatus } from '../../src/perception/types';
import type { Pixels } from '../../src/runtime/types';

export type PerceptionRequest =
  | { kind: 'detect'; id: number; image: Pixels; options: DetectOptions }
  | { kind: 'ocr'; id: number; image: Pixels }
  /** Load the named models now (a progress bar instead of a slow first tool call). */
  | { kind: 'warm'; id: number; models: Array<'detector' | 'ocr'> };

export interface PerceptionReplyValues {
  detect: Detection[];
  ocr: OcrResult;
  warm: PerceptionStatus;
}

export type PerceptionReply = {
  [K in keyof PerceptionReplyValues]:
    | { kind: 'reply'; id: number; request: K; ok: true; value: PerceptionReplyValues[K] }
    | { kind: 'reply'; id: number; request: K; ok: false; error: string };
}[keyof PerceptionReplyValues];

export type PerceptionEvent = PerceptionReply | { kind: 'status'; status: PerceptionStatus };

/** The image's pixel buffer, when it can be transferred instead of copied. */
export function imageTransfer(msg: PerceptionRequest): ArrayBuffer[] {
  if (msg.kind === 'warm') return [];
  const d = msg.image.data;
  return d.buffer instanceof ArrayBuffer && d.byteOffset === 0 && d.byteLength === d.buffer.byteLength ? [d.buffer] : [];
}
