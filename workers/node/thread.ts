/**
 * The thread inside the confined Node child that owns the Pyodide interpreter.
 * The child's main thread relays messages and owns the interrupt and frame buffers.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { createPythonHandler } from '../python/handler';
import type { HostToWorker } from '../python/protocol';
import { lockdownNodeThread } from './lockdown';

const { pyodideDir } = workerData as { pyodideDir: string };
const port = parentPort!;

// Pyodide's Node file-system layer asks for process.binding('constants'), which the
// permission model refuses; hand it the public equivalent until Python is loaded.
const proc = process as unknown as { binding: (name: string) => unknown };
const originalBinding = proc.binding;
proc.binding = (name: string) => (name === 'constants' ? { fs: fs.constants, os: {} } : originalBinding.call(process, name));

const handler = createPythonHandler({
  loadPyodide: async (options) => {
    const mod = (await import(pathToFileURL(`${pyodideDir}/pyodide.mjs`).href)) as {
      loadPyodide: Parameters<typeof createPythonHandler>[0]['loadPyodide'];
    };
    return mod.loadPyodide(options);
  },
  post: (msg, transfer) => port.postMessage(msg, (transfer ?? []) as ArrayBuffer[]),
  exists: async (url) => {
    if (/^https?:/.test(url)) return true; // a configured index: let Pyodide try it
    return fs.existsSync(url.startsWith('file:') ? new URL(url) : url);
  },
  lockdown: () => {
    proc.binding = originalBinding;
    lockdownNodeThread();
  },
});

port.on('message', (msg: HostToWorker) => void handler.handle(msg));
