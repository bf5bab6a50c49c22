/**
 * The perception service in the browser: a PerceptionClient over a dedicated web worker
 * (perception.worker.ts), started on the first tool call. One per host: the page creates one for
 * its Python runtime, the RL worker one for its own.
 */
import { PerceptionClient, type PerceptionPort } from './client';
import type { PerceptionEvent } from './protocol';

function workerPort(): PerceptionPort {
  const worker = new Worker(new URL('./perception.worker.ts', import.meta.url), { type: 'module', name: 'perception' });
  const exitListeners: Array<(reason: string) => void> = [];
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    for (const l of exitListeners) l(e.message || 'the perception worker script failed');
  });
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer),
    onEvent: (l) => worker.addEventListener('message', (e: MessageEvent<PerceptionEvent>) => l(e.data)),
    onExit: (l) => exitListeners.push(l),
    terminate: () => worker.terminate(),
  };
}

export function createBrowserPerception(): PerceptionClient {
  return new PerceptionClient(workerPort);
}
