import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Connect, type Plugin } from 'vite';
import { pyodideNodeBuiltins } from './build-plugins/pyodideNodeBuiltins';
import { cacheControlOf, sendPrecompressed } from './build-plugins/serveCompressed';
import { offlineAndCompression } from './build-plugins/serviceWorker';

/**
 * Security headers for every response, in development, in `vite preview` and in production.
 *
 * - COOP + COEP make the page cross-origin isolated: SharedArrayBuffer (Pyodide's interrupt
 *   buffer, the video frame channel) exists only then.
 * - The CSP is what actually keeps Python in the worker off the network: deleting `fetch`,
 *   `WebSocket`, … in the worker is not enough (`js.eval` + dynamic `import()` still gets out),
 *   while `connect-src 'self'` / `script-src 'self'` / `worker-src 'self' blob:` close every path.
 *   Pyodide itself needs only `'wasm-unsafe-eval'`.
 *
 * Two CSPs: the page (and every asset but one) may `connect-src` any http(s) origin, so a
 * user-configured model endpoint (remote policy) can be reached from the page. The Python worker
 * script keeps the strict `connect-src 'self'`: Chromium applies a dedicated worker's own
 * response CSP to everything running in that worker, so Python stays off the network
 * (e2e/escape.spec.ts proves it; e2e/isolation.spec.ts checks both headers).
 *
 * Production hosting must send the same headers (see README.md, "Deploying"); the values are
 * exported so a deployment script can reuse them.
 */
export const CSP_DIRECTIVES_PRODUCTION = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  // Uploaded videos play from blob: URLs (decoded by a <video> element in the page).
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
];

/** The dev server injects an inline React-refresh preamble, so it also needs 'unsafe-inline'. */
export const CSP_DIRECTIVES_DEV = CSP_DIRECTIVES_PRODUCTION.map((d) =>
  d.startsWith('script-src ') ? "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'" : d,
);

/** The page may reach any http(s) endpoint the user configures (no WebSockets). */
export const PAGE_CONNECT_SRC = "connect-src 'self' http: https:";

/** The strict directives (Python worker) with connect-src widened for the page. */
function pageDirectives(directives: string[]): string[] {
  return directives.map((d) => (d.startsWith('connect-src ') ? PAGE_CONNECT_SRC : d));
}

/**
 * Whether a request is for the Python worker's script: in dev Vite serves it at its source path
 * (`/workers/python/python.worker.ts?worker_file&type=module`), in production it is
 * `/assets/python.worker-<hash>.js`.
 */
const PYTHON_WORKER_SCRIPT = /^\/assets\/python\.worker-[\w-]+\.js$/;

export function isPythonWorkerScript(urlPath: string, mode: 'dev' | 'production'): boolean {
  if (mode === 'production') return PYTHON_WORKER_SCRIPT.test(urlPath);
  return urlPath.includes('python.worker');
}

/**
 * Headers for one response. `target` 'worker' is the Python worker script (strict connect-src);
 * 'page' is everything else.
 */
export function securityHeaders(mode: 'dev' | 'production', target: 'page' | 'worker' = 'page'): Record<string, string> {
  const strict = mode === 'dev' ? CSP_DIRECTIVES_DEV : CSP_DIRECTIVES_PRODUCTION;
  return {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': (target === 'worker' ? strict : pageDirectives(strict)).join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/**
 * Static asset folders that must never fall back to the SPA's index.html: a missing Pyodide file
 * has to be a plain 404, otherwise Pyodide reads the HTML page as a corrupt package
 * (an "integrity" error) instead of "not found".
 */
const STRICT_STATIC_PREFIXES = ['/pyodide/', '/samples/', '/perception/', '/tesseract/'];

function staticFileExists(root: string, urlPath: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  const file = resolve(root, '.' + decoded);
  if (file !== root && !file.startsWith(root + sep)) return false; // path traversal
  try {
    return existsSync(file) && statSync(file).isFile();
  } catch {
    return false;
  }
}

function headersMiddleware(mode: 'dev' | 'production', staticRoot: () => string): Connect.NextHandleFunction {
  const pageHeaders = securityHeaders(mode, 'page');
  const workerHeaders = securityHeaders(mode, 'worker');
  return (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    const urlPath = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
    // The service worker script gets the strict CSP too: it only ever fetches its own origin.
    const worker = isPythonWorkerScript(urlPath, mode) || urlPath === '/sw.js';
    for (const [name, value] of Object.entries(worker ? workerHeaders : pageHeaders)) res.setHeader(name, value);
    if (urlPath.endsWith('.wasm')) res.setHeader('Content-Type', 'application/wasm');
    if (STRICT_STATIC_PREFIXES.some((p) => urlPath.startsWith(p)) && !staticFileExists(staticRoot(), urlPath)) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`404 Not Found: ${urlPath}\n`);
      return;
    }
    if (mode === 'production') {
      res.setHeader('Cache-Control', cacheControlOf(urlPath));
      // dist/'s .br / .gz files (build-plugins/precompress.ts), with the headers set above.
      if (sendPrecompressed(staticRoot(), urlPath, req, res)) return;
    }
    next();
  };
}

function securityHeadersPlugin(): Plugin {
  let publicDir = resolve('public');
  let outDir = resolve('dist');
  return {
    name: 'pyvision:security-headers',
    configResolved(config) {
      publicDir = config.publicDir ? resolve(config.publicDir) : resolve(config.root, 'public');
      outDir = resolve(config.root, config.build.outDir);
    },
    // Registered directly (not in a returned post hook), so they run before Vite's own
    // middlewares and every response (modules, workers, /pyodide/*, the HTML) gets the headers.
    configureServer(server) {
      server.middlewares.use(headersMiddleware('dev', () => publicDir));
    },
    configurePreviewServer(server) {
      server.middlewares.use(headersMiddleware('production', () => outDir));
    },
  };
}

/** What the service worker needs to serve cached responses with the same headers. */
export const SERVICE_WORKER_OPTIONS = {
  headers: { page: securityHeaders('production', 'page'), worker: securityHeaders('production', 'worker') },
  pythonWorkerPattern: PYTHON_WORKER_SCRIPT.source,
};

export default defineConfig({
  plugins: [
    react(),
    securityHeadersPlugin(),
    pyodideNodeBuiltins(),
    // dist/sw.js (offline use) and dist/**/*.br|gz; the service worker re-applies these headers
    // to every response it serves from its caches.
    offlineAndCompression(SERVICE_WORKER_OPTIONS),
  ],
  resolve: {
    // Browser bundles get TF.js without tfjs-layers / tfjs-data (unused): see tfjsBrowser.ts.
    alias: [{ find: /^@tensorflow\/tfjs$/, replacement: fileURLToPath(new URL('./build-plugins/tfjsBrowser.ts', import.meta.url)) }],
  },
  // Pre-bundling pyodide makes the dev server reload the page the first time the worker loads it.
  // The worker's CommonJS deps are pre-bundled up front, or the first worker load in dev
  // discovers them late and Vite reloads the page.
  optimizeDeps: { exclude: ['pyodide'], include: ['fast-png', 'jpeg-js'] },
  worker: {
    format: 'es',
    plugins: () => [pyodideNodeBuiltins()],
    // Each worker is one file: a worker build cannot share chunks with the page's, so split
    // chunks there (TF.js's WASM and WebGPU backends) were near-duplicates of the page's.
    rollupOptions: { output: { inlineDynamicImports: true } },
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  build: {
    target: 'es2022',
    // Pyodide's core (≈10 MB) is served from public/pyodide/, not bundled; TF.js chunks are big.
    chunkSizeWarningLimit: 4096,
  },
});
