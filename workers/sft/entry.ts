/// <reference lib="webworker" />
/**
 * The SFT side of the training worker (workers/training/training.worker.ts starts it when the
 * page names the worker 'sft'): wires postMessage to the handler. Training runs here so the
 * page stays responsive; the WASM binaries are the app's own (Vite `?url` imports).
 */
import { WASM_PATHS } from './wasmPaths';
import { createSftHandler } from './handler';
import type { SftEvent, SftRequest } from './protocol';

export function startSftWorker(scope: DedicatedWorkerGlobalScope): (msg: SftRequest) => void {
  const handle = createSftHandler({
    post: (event: SftEvent, transfer?: Transferable[]) => scope.postMessage(event, transfer ?? []),
    wasmPaths: WASM_PATHS,
  });
  return (msg) => void handle(msg);
}
