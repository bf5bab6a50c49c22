/**
 * The page's side of the SFT worker: start a run, receive typed events, cancel. A cancel that
 * the worker does not acknowledge quickly (a long step) terminates the worker instead.
 */
import type { SftEvent, SftRequest } from './protocol';

export interface SftWorkerClient {
  start(msg: Extract<SftRequest, { type: 'start' }>): void;
  cancel(): void;
  terminate(): void;
}

export function createSftWorker(onEvent: (e: SftEvent) => void): SftWorkerClient {
  const worker = new Worker(new URL('../training/training.worker.ts', import.meta.url), { type: 'module', name: 'sft' });
  let closed = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const terminate = () => {
    if (closed) return;
    closed = true;
    clearTimeout(killTimer);
    worker.terminate();
  };
  worker.onmessage = (e: MessageEvent<SftEvent>) => {
    if (closed) return;
    const ev = e.data;
    if (ev.type === 'done' || ev.type === 'cancelled' || ev.type === 'error') terminate();
    onEvent(ev);
  };
  worker.onerror = (e) => {
    if (closed) return;
    terminate();
    onEvent({ type: 'error', message: `the training worker failed: ${e.message || 'unknown error'}` });
  };
  return {
    start: (msg) => worker.postMessage(msg),
    cancel() {
      if (closed) return;
      worker.postMessage({ type: 'cancel' } satisfies SftRequest);
      killTimer = setTimeout(() => {
        if (closed) return;
        terminate();
        onEvent({ type: 'cancelled', step: -1 });
      }, 3000);
    },
    terminate,
  };
}
