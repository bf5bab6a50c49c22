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

/**
 * Whether `url` is a file the app serves, from the folder's listing (`pv-files.json`, written by
 * scripts/copy-pyodide.mjs) instead of a request for the file itself: asking for a wheel that
 * is not there would log a failed request every time a worker starts. A folder without a listing
 * (a package index set up by hand) is asked with a HEAD request.
 */
const listings = new Map<string, Promise<Set<string> | null>>();
async function isServed(url: string): Promise<boolean> {
  const dir = url.slice(0, url.lastIndexOf('/') + 1);
  let listing = listings.get(dir);
  if (!listing) {
    listing = originalFetch(dir + 'pv-files.json')
      .then(async (r) => (r.ok ? new Set<string>(((await r.json()) as { files: string[] }).files) : null))
      .catch(() => null);
    listings.set(dir, listing);
  }
  const files = await listing;
  if (files) return files.has(decodeURIComponent(url.slice(dir.length)));
  try {
    return (await originalFetch(url, { method: 'HEAD' })).ok;
  } catch {
    return false;
  }
}

const handler = createPythonHandler({
  loadPyodide: loadPyodide as Parameters<typeof createPythonHandler>[0]['loadPyodide'],
  post: (msg, transfer) => post(msg, { transfer: transfer ?? [] }),
  exists: (url) => isServed(url),
  lockdown: () => void lockdownWorkerGlobals(self),
});

self.onmessage = (event: MessageEvent<HostToWorker>) => void handler.handle(event.data);
