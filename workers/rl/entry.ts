/// <reference lib="webworker" />
/**
 * The RL side of the training worker (workers/training/training.worker.ts starts it when the
 * page names the worker 'rl'): training (TF.js and the trainer) runs here so the page stays
 * responsive. Python runs in nested dedicated workers (Chromium supports workers started from
 * a worker): the same Pyodide pool the page uses, created from here, so rollouts never
 * round-trip through the page. Runs are written straight to IndexedDB.
 */
import { createBrowserPerception } from '../perception/browserService';
import type { PerceptionClient } from '../perception/client';
import { createBrowserRuntime } from '../python/browserRuntime';
import { WASM_PATHS } from '../sft/wasmPaths';
import { createRlHandler } from './handler';
import { idbRunStore } from './idbRunStore';
import type { RlEvent, RlRequest } from './protocol';

export function startRlWorker(scope: DedicatedWorkerGlobalScope): (msg: RlRequest) => void {
  // One perception worker (detector, OCR) for every Python worker of this training worker.
  let perception: PerceptionClient | null = null;
  const handle = createRlHandler({
    post: (event: RlEvent) => scope.postMessage(event),
    storeFor: idbRunStore,
    // Sessions share interpreters (one namespace each): a step opens many short sessions, and a
    // Pyodide per session would cost seconds and hundreds of MB on a small machine.
    createRuntime: () =>
      createBrowserRuntime({ poolSize: 1, maxWorkers: 2, sessionsPerWorker: 8, recycleAfterSessions: 200, packages: 'compat' }, (perception ??= createBrowserPerception())),
    wasmPaths: WASM_PATHS,
  });
  return (msg) => void handle(msg);
}
