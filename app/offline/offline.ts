/**
 * The page's side of offline use: registers the service worker (workers/offline/sw.ts, built
 * into /sw.js; production builds only), reports its state for the header, and lets the app
 * hold back its big downloads on the first visit until the service worker controls the page,
 * so Pyodide and the weights are fetched once, into the offline cache, not twice.
 *
 * States: 'unavailable' (dev server, or no service workers), 'installing' (first visit: files
 * being cached, with progress), 'ready' (served offline-capable), 'update' (a new build is
 * cached and waits; applyUpdate() switches and reloads), 'error' (caching failed; the app works
 * online and tries again next visit).
 */
import { create } from 'zustand';
import { isSwToPage, type PageToSw } from '../../workers/offline/protocol';

export type OfflineState = 'unavailable' | 'installing' | 'ready' | 'update' | 'error';

export interface OfflineStatus {
  state: OfflineState;
  loaded: number;
  total: number;
  message: string | null;
}

export const useOffline = create<OfflineStatus>(() => ({ state: 'unavailable', loaded: 0, total: 0, message: null }));

/** How long a first visit waits for the precache before starting anyway (slow links). */
const FIRST_VISIT_WAIT_MS = 180_000;

let settled: Promise<void> = Promise.resolve();
let registration: ServiceWorkerRegistration | null = null;
let updateRequested = false;

/** Resolves once the app may start its downloads (at once, except during a first install). */
export function offlineSettled(): Promise<void> {
  return settled;
}

export function startOffline(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  const set = (s: Partial<OfflineStatus>) => useOffline.setState(s);
  container.addEventListener('message', (e: MessageEvent) => {
    const msg: unknown = e.data;
    if (!isSwToPage(msg)) return;
    if (msg.type === 'pv-sw-progress' && useOffline.getState().state === 'installing') set({ loaded: msg.loaded, total: msg.total });
    if (msg.type === 'pv-sw-failed') set({ message: msg.message });
  });
  container.addEventListener('controllerchange', () => {
    if (updateRequested) location.reload(); // the new build took over: load it
  });

  const firstVisit = !container.controller;
  set({ state: firstVisit ? 'installing' : 'ready' });
  let release: () => void = () => {};
  settled = firstVisit ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
  if (firstVisit) {
    container.addEventListener('controllerchange', () => {
      set({ state: 'ready' });
      release();
    });
    setTimeout(release, FIRST_VISIT_WAIT_MS);
  }
  const fail = (message: string) => {
    set({ state: 'error', message: useOffline.getState().message ?? message });
    release();
  };

  const watch = (worker: ServiceWorker) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed' && container.controller) set({ state: 'update' });
      if (worker.state === 'redundant' && useOffline.getState().state === 'installing') fail('the offline cache could not be filled');
    });
  };
  container
    .register('/sw.js', { scope: '/', updateViaCache: 'none' })
    .then((reg) => {
      registration = reg;
      // Installed already, yet this page is not controlled (a hard reload bypasses the service
      // worker): nothing to wait for.
      if (reg.active && !container.controller) {
        set({ state: 'ready' });
        release();
      }
      if (reg.installing) watch(reg.installing);
      if (reg.waiting && container.controller) set({ state: 'update' });
      reg.addEventListener('updatefound', () => reg.installing && watch(reg.installing));
      // A new build is a new sw.js: look for one on every start (offline this simply fails).
      if (container.controller) reg.update().catch(() => undefined);
    })
    .catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
}

/** Switches to the waiting build; the page reloads when it has taken over. */
export function applyUpdate(): void {
  const waiting = registration?.waiting;
  if (!waiting) return;
  updateRequested = true;
  waiting.postMessage({ type: 'pv-sw-skip-waiting' } satisfies PageToSw);
}
