/// <reference lib="webworker" />
/**
 * The SFT web worker's entry: wires postMessage to the handler. Training runs here so the page
 * stays responsive; the WASM binaries are the app's own (Vite `?url` imports).
 */
import { WASM_PATHS } from './wasmPaths';
import { createSftHandler } from './handler';
import type { SftEvent, SftRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = createSftHandler({
  post: (event: SftEvent, transfer?: Transferable[]) => scope.postMessage(event, transfer ?? []),
  wasmPaths: WASM_PATHS,
});
scope.onmessage = (e: MessageEvent<SftRequest>) => void handle(e.data);
