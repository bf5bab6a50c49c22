/** Messages between the page (app/offline/) and the service worker (workers/offline/sw.ts). */

export type SwToPage =
  /** Precache progress of the installing version (bytes of the files fetched so far). */
  | { type: 'pv-sw-progress'; version: string; loaded: number; total: number }
  /** The installing version could not cache everything (it will retry on the next visit). */
  | { type: 'pv-sw-failed'; version: string; message: string };

export type PageToSw =
  /** Activate the waiting version now (the page reloads on controllerchange). */
  { type: 'pv-sw-skip-waiting' };

export function isSwToPage(data: unknown): data is SwToPage {
  const t = (data as { type?: unknown } | null)?.type;
  return t === 'pv-sw-progress' || t === 'pv-sw-failed';
}
