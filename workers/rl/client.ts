/**
 * The page's side of the RL worker: start runs, pause, resume, stop, receive typed events.
 * A stop the worker does not finish in time (a stuck step) terminates the worker; the runs then
 * resume from their last checkpoint.
 */
import type { RlEvent, RlRequest } from './protocol';

export interface RlWorkerClient {
  start(msg: Extract<RlRequest, { type: 'start' }>): void;
  pause(): void;
  resume(): void;
  stop(): void;
  terminate(): void;
}

/** How long a stop may take (saving checkpoints included) before the worker is terminated. */
export const STOP_GRACE_MS = 60_000;

export function createRlWorker(onEvent: (e: RlEvent) => void): RlWorkerClient {
  const worker = new Worker(new URL('../training/training.worker.ts', import.meta.url), { type: 'module', name: 'rl' });
  let closed = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let runIds: string[] = [];
  const terminate = () => {
    if (closed) return;
    closed = true;
    clearTimeout(killTimer);
    worker.terminate();
  };
  worker.onmessage = (e: MessageEvent<RlEvent>) => {
    if (closed) return;
    const ev = e.data;
    if (ev.type === 'done' || ev.type === 'error') terminate();
    onEvent(ev);
  };
  worker.onerror = (e) => {
    if (closed) return;
    terminate();
    onEvent({ type: 'error', message: `the training worker failed: ${e.message || 'unknown error'}` });
  };
  const post = (msg: RlRequest) => !closed && worker.postMessage(msg);
  return {
    start(msg) {
      runIds = msg.runs.map((r) => r.runId);
      post(msg);
    },
    pause: () => post({ type: 'pause' }),
    resume: () => post({ type: 'resume' }),
    stop() {
      if (closed) return;
      post({ type: 'stop' });
      killTimer = setTimeout(() => {
        if (closed) return;
        terminate();
        onEvent({ type: 'done', runs: runIds.map((runId) => ({ runId, steps: -1, stoppedBy: 'stopped' })) });
      }, STOP_GRACE_MS);
    },
    terminate,
  };
}
