/**
 * The service worker's routing and header rules (swCore.ts), and what the build precaches
 * (build-plugins/serviceWorker.ts): both decide what works offline and under which headers.
 */
import { describe, expect, it } from 'vitest';
import { isPrecached } from '../../build-plugins/serviceWorker';
import { securityHeaders } from '../../vite.config';
import { cacheable, precacheIndex, revisionOf, routeOf, servedHeaders, staleCaches, type SwConfig } from './swCore';

const ORIGIN = 'http://127.0.0.1:4173';
const cfg: SwConfig = {
  version: 'v2',
  precache: [
    { url: '/index.html', revision: 'aaaa', bytes: 10 },
    { url: '/assets/index-abc.js', revision: 'bbbb', bytes: 10 },
    { url: '/pyodide/pyodide.asm.wasm', revision: 'cccc', bytes: 10 },
  ],
  headers: { page: securityHeaders('production', 'page'), worker: securityHeaders('production', 'worker') },
  pythonWorkerPattern: /^\/assets\/python\.worker-[\w-]+\.js$/.source,
};
const index = precacheIndex(cfg);
const req = (path: string, over: Partial<{ method: string; mode: string; range: string | null; origin: string }> = {}) =>
  routeOf({ url: (over.origin ?? ORIGIN) + path, method: over.method ?? 'GET', mode: over.mode ?? 'cors', range: over.range ?? null }, ORIGIN, index);

describe('routeOf', () => {
  it('serves navigations to the app from the precached shell, whatever the query', () => {
    expect(req('/', { mode: 'navigate' })).toEqual({ kind: 'shell' });
    expect(req('/?backend=wasm', { mode: 'navigate' })).toEqual({ kind: 'shell' });
    expect(req('/blank.html', { mode: 'navigate' })).toEqual({ kind: 'runtime' });
  });
  it('serves build files from the precache, by path', () => {
    expect(req('/pyodide/pyodide.asm.wasm')).toMatchObject({ kind: 'precache', entry: { revision: 'cccc' } });
    expect(req('/assets/index-abc.js?v=1')).toMatchObject({ kind: 'precache' });
  });
  it('caches other same-origin GETs on first use: folders the service worker does not know', () => {
    expect(req('/perception/centernet.json')).toEqual({ kind: 'runtime' });
    expect(req('/tesseract/eng.traineddata.gz')).toEqual({ kind: 'runtime' });
    expect(req('/models/collapse-start/weights.bin')).toEqual({ kind: 'runtime' });
  });
  it('leaves other origins, non-GET requests, ranges and its own script to the browser', () => {
    expect(req('/v1/chat/completions', { origin: 'http://127.0.0.1:8000', method: 'POST' })).toEqual({ kind: 'pass' });
    expect(req('/x', { origin: 'https://cdn.example' })).toEqual({ kind: 'pass' });
    expect(req('/assets/index-abc.js', { method: 'HEAD' })).toEqual({ kind: 'pass' });
    expect(req('/pyodide/pyodide.asm.wasm', { range: 'bytes=0-9' })).toEqual({ kind: 'pass' });
    expect(req('/sw.js')).toEqual({ kind: 'pass' });
  });
});

describe('servedHeaders', () => {
  it('sets the security headers on every served response, the strict CSP for the Python worker', () => {
    const weak = new Headers({ 'content-type': 'text/javascript', 'content-security-policy': "default-src *", 'content-encoding': 'br', 'content-length': '5' });
    const page = servedHeaders(weak, '/assets/index-abc.js', cfg);
    expect(page.get('content-security-policy')).toBe(cfg.headers.page['Content-Security-Policy']);
    expect(page.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(page.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(page.get('content-type')).toBe('text/javascript');
    expect(page.has('content-encoding')).toBe(false); // the cached body is already decoded
    expect(page.has('content-length')).toBe(false);
    const worker = servedHeaders(new Headers(), '/assets/python.worker-AbC_1.js', cfg);
    expect(worker.get('content-security-policy')).toContain("connect-src 'self';");
    expect(page.get('content-security-policy')).toContain("connect-src 'self' http: https:");
  });
});

describe('caches', () => {
  it('keeps only complete same-origin responses that may be stored', () => {
    expect(cacheable(200, 'basic', null)).toBe(true);
    expect(cacheable(200, 'basic', 'no-cache')).toBe(true);
    expect(cacheable(200, 'basic', 'private, no-store')).toBe(false);
    expect(cacheable(206, 'basic', null)).toBe(false);
    expect(cacheable(404, 'basic', null)).toBe(false);
    expect(cacheable(200, 'opaque', null)).toBe(false);
  });
  it('deletes older precaches only, never the runtime cache or other caches', () => {
    expect(staleCaches(['pyvision-precache-v1', 'pyvision-precache-v2', 'pyvision-runtime-v1', 'pyvision-models-v1'], 'v2')).toEqual(['pyvision-precache-v1']);
  });
  it('formats revisions as the build does (first 16 hex digits of the SHA-256)', async () => {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc'));
    expect(revisionOf(digest)).toBe('ba7816bf8f01cfea');
  });
});

describe('isPrecached', () => {
  it('precaches the shell, the build, Pyodide core, the default weights, the samples and the recorded collapse run', () => {
    for (const p of ['/index.html', '/assets/index-abc.js', '/assets/training.worker-x.js', '/assets/tfjs-backend-wasm-simd-x.wasm', '/pyodide/pyodide.asm.wasm', '/pyodide/python_stdlib.zip', '/pyodide/pv-files.json', '/models/tiny/weights.bin', '/samples/astronaut.png', '/demo/collapse-recording.json']) {
      expect(isPrecached(p), p).toBe(true);
    }
  });
  it('leaves optional folders and unused files to cache-on-first-use', () => {
    for (const p of ['/models/collapse-start/weights.bin', '/perception/centernet.bin', '/tesseract/eng.traineddata', '/pyodide/numpy-2.4.6-cp314.whl', '/pyodide/pyodide.js', '/samples/README.md', '/demo/other.json', '/assets/tfjs-backend-wasm-threaded-simd-x.wasm', '/blank.html']) {
      expect(isPrecached(p), p).toBe(false);
    }
  });
});
