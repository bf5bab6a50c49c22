/**
 * Browser worker lockdown: once Pyodide and its packages are loaded, remove every global
 * that reaches the network or spawns code, from the global object and from every prototype
 * on its chain. This alone is not enough (`js.eval` + dynamic `import()` still gets out):
 * the Content-Security-Policy served with the worker script closes the rest.
 */
const ESCAPES = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'WebTransport',
  'EventSource',
  'importScripts',
  'Worker',
  'SharedWorker',
  'BroadcastChannel',
  'RTCPeerConnection',
  'indexedDB',
  'caches',
  'Request',
];

export function lockdownWorkerGlobals(scope: object = globalThis): string[] {
  const removed: string[] = [];
  for (const name of ESCAPES) {
    for (let obj: object | null = scope; obj; obj = Object.getPrototypeOf(obj)) {
      const desc = Object.getOwnPropertyDescriptor(obj, name);
      if (!desc) continue;
      if (desc.configurable) delete (obj as Record<string, unknown>)[name];
      else if (desc.writable) (obj as Record<string, unknown>)[name] = undefined;
      removed.push(name);
    }
  }
  // navigator.sendBeacon does not exist in workers, but a future engine might add it.
  const nav = (scope as { navigator?: Record<string, unknown> }).navigator;
  if (nav && 'sendBeacon' in nav) Object.defineProperty(nav, 'sendBeacon', { value: undefined });
  return removed;
}
