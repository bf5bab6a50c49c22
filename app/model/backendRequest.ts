/**
 * Which TF.js backend the user asked for: `?backend=wasm` in the URL wins (tests force WASM that
 * way, since WebGPU is CPU-emulated on the test machine), then the Settings choice.
 */
import type { BackendRequest } from '../../src/model/backend';

export const BACKEND_REQUESTS: ReadonlyArray<{ id: BackendRequest; label: string }> = [
  { id: 'auto', label: 'Automatic (fastest available)' },
  { id: 'webgpu', label: 'WebGPU' },
  { id: 'webgl', label: 'WebGL' },
  { id: 'wasm', label: 'WASM (CPU, SIMD)' },
  { id: 'cpu', label: 'CPU (plain JavaScript)' },
];

export function isBackendRequest(v: unknown): v is BackendRequest {
  return BACKEND_REQUESTS.some((b) => b.id === v);
}

/** The URL's `?backend=` override, or null. */
export function urlBackend(search = typeof location !== 'undefined' ? location.search : ''): BackendRequest | null {
  const v = new URLSearchParams(search).get('backend');
  return isBackendRequest(v) ? v : null;
}
