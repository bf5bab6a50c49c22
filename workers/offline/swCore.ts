/**
 * The service worker's decisions, as pure functions (tested in Node: swCore.test.ts); sw.ts
 * wires them to the Cache API and the fetch event.
 *
 * - The precache holds what the first view and a first Python run need, plus the rest of the
 *   build's own code (assets/), so Python, the tiny policy and training all work offline after
 *   one visit. Its entries carry content hashes (the build writes them into sw.js), its cache
 *   name is the manifest's hash: a new build is a new sw.js, hence an update.
 * - Everything else the app fetches from its own origin (the collapse-demo weights, detector
 *   models, OCR data, extra Pyodide wheels: folders that only some features use) is cached on
 *   first use and revalidated in the background, so it works offline once it has been used,
 *   without the service worker knowing those folders.
 * - Every response it serves carries the app's security headers (COOP, COEP, CORP, CSP: the
 *   strict CSP for the Python worker script), whether it came from a cache or the network.
 */

export interface PrecacheEntry {
  /** Absolute path on the origin, e.g. "/pyodide/pyodide.asm.wasm". */
  url: string;
  /** First 16 hex digits of the file's SHA-256. */
  revision: string;
  bytes: number;
}

export interface SwConfig {
  /** Hash of the whole manifest: names this build's precache. */
  version: string;
  precache: PrecacheEntry[];
  headers: { page: Record<string, string>; worker: Record<string, string> };
  /** Source of a RegExp matching the Python worker script's path (strict CSP). */
  pythonWorkerPattern: string;
}

export const PRECACHE_PREFIX = 'pyvision-precache-';
export const RUNTIME_CACHE = 'pyvision-runtime-v1';
/** The navigation shell is stored under this key. */
export const SHELL_URL = '/index.html';

export type Route =
  /** Not ours: let the browser handle it (other origins, non-GET, ranges). */
  | { kind: 'pass' }
  /** A page navigation to the app: the precached shell. */
  | { kind: 'shell' }
  /** A file of this build: cache-first from the precache. */
  | { kind: 'precache'; entry: PrecacheEntry }
  /** Another same-origin file: cached on first use, revalidated in the background. */
  | { kind: 'runtime' };

export interface RequestFacts {
  url: string;
  method: string;
  mode: string;
  /** The Range header, if any. */
  range: string | null;
}

export function precacheIndex(cfg: SwConfig): Map<string, PrecacheEntry> {
  return new Map(cfg.precache.map((e) => [e.url, e]));
}

export function routeOf(req: RequestFacts, origin: string, index: Map<string, PrecacheEntry>): Route {
  if (req.method !== 'GET' || req.range !== null) return { kind: 'pass' };
  const url = new URL(req.url);
  if (url.origin !== origin) return { kind: 'pass' };
  // The service worker script itself is always fetched by the browser's update check.
  if (url.pathname === '/sw.js') return { kind: 'pass' };
  if (req.mode === 'navigate') {
    return url.pathname === '/' || url.pathname === SHELL_URL ? { kind: 'shell' } : { kind: 'runtime' };
  }
  const entry = index.get(url.pathname);
  // Query strings on build files are cache busters or app-level keys: the path names the bytes.
  if (entry) return { kind: 'precache', entry };
  return { kind: 'runtime' };
}

/** Whether a network response may be kept in the runtime cache. */
export function cacheable(status: number, type: string, cacheControl: string | null): boolean {
  return status === 200 && type === 'basic' && !/\bno-store\b/i.test(cacheControl ?? '');
}

/**
 * The headers of a response the service worker serves: the original ones, with the security
 * headers set (never weakened), and the transfer details of the original wire response dropped
 * (a body read from the Cache API is already decoded, and its length may differ).
 */
export function servedHeaders(original: Headers, pathname: string, cfg: SwConfig): Headers {
  const out = new Headers(original);
  out.delete('content-encoding');
  out.delete('content-length');
  out.delete('transfer-encoding');
  const worker = new RegExp(cfg.pythonWorkerPattern).test(pathname);
  for (const [name, value] of Object.entries(worker ? cfg.headers.worker : cfg.headers.page)) out.set(name, value);
  return out;
}

/** Old precaches to delete once `version` is active. */
export function staleCaches(names: string[], version: string): string[] {
  return names.filter((n) => n.startsWith(PRECACHE_PREFIX) && n !== PRECACHE_PREFIX + version);
}

/** Hex of the first 8 bytes of a SHA-256 digest: the revision format of the manifest. */
export function revisionOf(digest: ArrayBuffer): string {
  return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
