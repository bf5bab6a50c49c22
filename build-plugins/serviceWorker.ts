/**
 * The last step of `vite build`, in this order: Pyodide's standard library archive is rewritten
 * with stored members (storedZip.ts), the files the service worker precaches are hashed and
 * workers/offline/sw.ts is compiled with that manifest into dist/sw.js, then dist/ is
 * precompressed (precompress.ts; sw.js and the rewritten archive included).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { Plugin } from 'vite';
import type { PrecacheEntry, SwConfig } from '../workers/offline/swCore';
import { precompressDir, type PrecompressReport } from './precompress';
import { isStored, storeZip } from './storedZip';

/** Pyodide's core files (scripts/copy-pyodide.mjs), and the listing the worker reads. */
const PYODIDE_CORE = ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json', 'pv-files.json'];

/**
 * What the first visit caches: the shell, the build's own code (assets/: every view, the
 * training worker, TF.js's WASM binaries), Pyodide's core, the default policy's weights and the
 * sample photos and the collapse demo's recorded run (drawn as soon as the RL view opens, so it is
 * there offline too). Anything else under dist/ (the collapse-demo weights, detector models, OCR
 * data, further Pyodide wheels) is cached by the service worker the first time it is used.
 */
export function isPrecached(urlPath: string): boolean {
  if (urlPath === '/index.html' || urlPath === '/favicon.svg') return true;
  // Never loaded: the page turns TF.js's multithreaded WASM off (PLATFORM.md), so only the
  // single-threaded binaries are fetched; the threaded one would be 142 kB for nothing.
  if (/^\/assets\/tfjs-backend-wasm-threaded-simd-[\w-]+\.wasm$/.test(urlPath)) return false;
  if (urlPath.startsWith('/assets/')) return true;
  if (urlPath.startsWith('/samples/')) return !urlPath.endsWith('.md');
  if (urlPath.startsWith('/models/tiny/')) return true;
  if (urlPath === '/demo/collapse-recording.json') return true;
  return PYODIDE_CORE.some((f) => urlPath === `/pyodide/${f}`);
}

function walk(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, root));
    else if (e.isFile()) out.push('/' + path.relative(root, p).split(path.sep).join('/'));
  }
  return out;
}

export function precacheManifest(outDir: string): PrecacheEntry[] {
  return walk(outDir)
    .filter((url) => !/\.(br|gz)$/.test(url) && url !== '/sw.js' && isPrecached(url))
    .sort()
    .map((url) => {
      const data = fs.readFileSync(path.join(outDir, url));
      return { url, revision: createHash('sha256').update(data).digest('hex').slice(0, 16), bytes: data.length };
    });
}

export interface ServiceWorkerOptions {
  headers: SwConfig['headers'];
  pythonWorkerPattern: string;
}

export async function writeServiceWorker(outDir: string, opts: ServiceWorkerOptions): Promise<SwConfig> {
  const precache = precacheManifest(outDir);
  const version = createHash('sha256').update(JSON.stringify({ precache, opts })).digest('hex').slice(0, 16);
  const config: SwConfig = { version, precache, headers: opts.headers, pythonWorkerPattern: opts.pythonWorkerPattern };
  await build({
    entryPoints: [path.resolve('workers/offline/sw.ts')],
    outfile: path.join(outDir, 'sw.js'),
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    define: { __PV_SW_CONFIG__: JSON.stringify(config) },
    logLevel: 'warning',
  });
  return config;
}

/** Rewrites the stdlib archive, writes sw.js, precompresses: what a build leaves in `outDir`. */
export async function finishDist(outDir: string, opts: ServiceWorkerOptions): Promise<{ sw: SwConfig; compression: PrecompressReport }> {
  // Stored members compress far better as one brotli stream (storedZip.ts explains).
  const stdlib = path.join(outDir, 'pyodide', 'python_stdlib.zip');
  if (fs.existsSync(stdlib) && !isStored(fs.readFileSync(stdlib))) fs.writeFileSync(stdlib, storeZip(fs.readFileSync(stdlib)));
  const sw = await writeServiceWorker(outDir, opts);
  return { sw, compression: await precompressDir(outDir) };
}

/** The last step of `vite build` (finishDist). */
export function offlineAndCompression(opts: ServiceWorkerOptions): Plugin {
  let outDir = path.resolve('dist');
  let log: (msg: string) => void = console.log;
  return {
    name: 'pyvision:offline-and-compression',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
      log = (msg) => config.logger.info(msg);
    },
    async closeBundle() {
      if (!fs.existsSync(path.join(outDir, 'index.html'))) return; // the build failed
      const { sw, compression: c } = await finishDist(outDir, opts);
      const mb = (n: number) => (n / 1e6).toFixed(1);
      const precacheBytes = sw.precache.reduce((n, e) => n + e.bytes, 0);
      log(`sw.js ${sw.version}: ${sw.precache.length} files (${mb(precacheBytes)} MB) precached; precompressed ${mb(c.bytes)} MB → ${mb(c.brotliBytes)} MB with brotli (${c.compressed} compressed, ${c.fromCache} from cache)`);
    },
  };
}
