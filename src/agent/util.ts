/**
 * Small helpers of the agent loop: task info for the record, cancellable awaits, ids, clocks.
 */
import type { ContentPart, TrajectoryTaskInfo } from './types';
import type { Task } from '../tasks/types';

/** What a trajectory keeps of its task (plain data: no pixels, no frame provider, no truth). */
export function taskInfo(task: Task): TrajectoryTaskInfo {
  const m = task.media;
  const media: TrajectoryTaskInfo['media'] =
    m.kind === 'image'
      ? { kind: 'image', width: m.image.width, height: m.image.height }
      : { kind: 'video', width: m.video.meta.width, height: m.video.meta.height, frameCount: m.video.meta.frameCount, fps: m.video.meta.fps };
  return { id: task.id, family: task.family, question: task.question, answer: task.answer, difficulty: task.difficulty, media };
}

export function textOf(content: ContentPart[]): string {
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

export function abortError(): Error {
  return new DOMException('The run was cancelled.', 'AbortError');
}

/**
 * Rejects with an AbortError as soon as `signal` aborts, whatever `p` does: a policy may ignore
 * its signal (or a call may be stuck), and cancel() must still return at once.
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export function errMsg(err: unknown): string {
  // An error with no message (a DOMException from WebGPU's mapAsync) still says what it was.
  return err instanceof Error ? err.message || err.name : String(err);
}

export function now(): number {
  return performance.now();
}

export function newId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return c.randomUUID();
  return `t-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
