/// <reference lib="webworker" />
/**
 * The service worker: makes the whole app work offline after one visit (swCore.ts says what is
 * cached how). Built by build-plugins/serviceWorker.ts into dist/sw.js with this build's
 * manifest compiled in (`__PV_SW_CONFIG__`), so every build is a new service worker version.
 *
 * Lifecycle:
 * - First visit: install fetches the precache (progress posted to the page), checking every
 *   file against its content hash, then activates at once and claims the page, which waits for
 *   this before starting Python and loading weights, so nothing is downloaded twice.
 * - New build: the new version installs beside the old one, reusing unchanged files from the
 *   old precache (same hash) instead of downloading them; it waits until the page asks it to
 *   take over (the "new version" button), then deletes the old precache.
 */
import type { PageToSw, SwToPage } from './protocol';
import {
  cacheable,
  precacheIndex,
  PRECACHE_PREFIX,
  revisionOf,
  routeOf,
  RUNTIME_CACHE,
  servedHeaders,
  SHELL_URL,
  staleCaches,
  type PrecacheEntry,
  type SwConfig,
} from './swCore';

declare const self: ServiceWorkerGlobalScope;
declare const __PV_SW_CONFIG__: SwConfig;

const CFG = __PV_SW_CONFIG__;
const INDEX = precacheIndex(CFG);
const PRECACHE = PRECACHE_PREFIX + CFG.version;
/** Stored with each precached response: which file version it is. */
const REVISION_HEADER = 'x-pv-revision';

async function broadcast(msg: SwToPage): Promise<void> {
  for (const c of await self.clients.matchAll({ includeUncontrolled: true, type: 'window' })) c.postMessage(msg);
}

/** A response of an older precache with the same content, if any (unchanged across builds). */
async function reusable(entry: PrecacheEntry): Promise<Response | null> {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PRECACHE_PREFIX) || name === PRECACHE) continue;
    const hit = await (await caches.open(name)).match(entry.url);
    if (hit?.headers.get(REVISION_HEADER) === entry.revision) return hit;
  }
  return null;
}

async function fetchChecked(entry: PrecacheEntry): Promise<Response> {
  // Hashed assets may come from the HTTP cache; other files are revalidated (a 304 is cheap).
  const res = await fetch(entry.url, { cache: entry.url.startsWith('/assets/') ? 'default' : 'no-cache' });
  if (!res.ok) throw new Error(`${entry.url}: HTTP ${res.status}`);
  const body = await res.arrayBuffer();
  const revision = revisionOf(await crypto.subtle.digest('SHA-256', body));
  // A server that changed between the build of this sw.js and now: do not mix versions.
  if (revision !== entry.revision) throw new Error(`${entry.url}: content hash ${revision}, expected ${entry.revision}`);
  const headers = servedHeaders(res.headers, entry.url, CFG);
  headers.set(REVISION_HEADER, entry.revision);
  return new Response(body, { status: 200, headers });
}

async function precacheAll(): Promise<void> {
  const cache = await caches.open(PRECACHE);
  const total = CFG.precache.reduce((n, e) => n + e.bytes, 0);
  let loaded = 0;
  const queue = CFG.precache.slice();
  const worker = async () => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      const cached = await cache.match(e.url);
      if (!cached || cached.headers.get(REVISION_HEADER) !== e.revision) await cache.put(e.url, (await reusable(e)) ?? (await fetchChecked(e)));
      loaded += e.bytes;
      void broadcast({ type: 'pv-sw-progress', version: CFG.version, loaded, total });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      try {
        await precacheAll();
      } catch (err) {
        void broadcast({ type: 'pv-sw-failed', version: CFG.version, message: err instanceof Error ? err.message : String(err) });
        throw err;
      }
      // First install: nothing to replace, take over at once. Updates wait for the page.
      if (!self.registration.active) await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of staleCaches(await caches.keys(), CFG.version)) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const msg = event.data as PageToSw | null;
  if (msg?.type === 'pv-sw-skip-waiting') void self.skipWaiting();
});

function served(res: Response, pathname: string): Response {
  if (res.type === 'opaque' || res.type === 'error' || res.status === 0) return res;
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: servedHeaders(res.headers, pathname, CFG) });
}

async function fromPrecache(url: string, request: Request): Promise<Response> {
  const hit = await (await caches.open(PRECACHE)).match(url);
  return served(hit ?? (await fetch(request)), new URL(request.url).pathname);
}

/** Cached on first use; a cached copy is served at once and refreshed in the background. */
async function fromRuntime(event: FetchEvent): Promise<Response> {
  const request = event.request;
  const pathname = new URL(request.url).pathname;
  const cache = await caches.open(RUNTIME_CACHE);
  const hit = await cache.match(request);
  const network = fetch(request).then(async (res) => {
    if (cacheable(res.status, res.type, res.headers.get('cache-control'))) await cache.put(request, res.clone());
    return res;
  });
  if (hit) {
    event.waitUntil(network.catch(() => undefined));
    return served(hit, pathname);
  }
  return served(await network, pathname);
}

self.addEventListener('fetch', (event) => {
  const r = event.request;
  const route = routeOf({ url: r.url, method: r.method, mode: r.mode, range: r.headers.get('range') }, self.location.origin, INDEX);
  if (route.kind === 'pass') return;
  if (route.kind === 'shell') event.respondWith(fromPrecache(SHELL_URL, r));
  else if (route.kind === 'precache') event.respondWith(fromPrecache(route.entry.url, r));
  else event.respondWith(fromRuntime(event));
});
