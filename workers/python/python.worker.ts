/// <reference lib="webworker" />
/**
 * Browser entry of a Python worker: wires the shared handler to postMessage.
 * Pyodide's files are served by the app itself under /pyodide/ (no CDN).
 */
import { loadPyodide } from 'pyodide';
import { createPythonHandler } from './handler';
import { lockdownWorkerGlobals } from './lockdown';
import type { HostToWorker } from './protocol';

declare const self: DedicatedWorkerGlobalScope;
const post = self.postMessage.bind(self);
const originalFetch = self.fetch.bind(self);

const handler = createPythonHandler({
  loadPyodide: loadPyodide as Parameters<typeof createPythonHandler>[0]['loadPyodide'],
  post: (msg, transfer) => post(msg, { transfer: transfer ?? [] }),
  exists: async (url) => {
    try {
      return (await originalFetch(url, { method: 'HEAD' })).ok;
    } catch {
      return false;
    }
  },
  lockdown: () => void lockdownWorkerGlobals(self),
});

self.onmessage = (event: MessageEvent<HostToWorker>) => void handler.handle(event.data);
