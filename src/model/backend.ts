/**
 * Picks the TF.js backend at run time and says why (the UI shows `reason`).
 *
 * Order: WebGPU when a real (hardware) adapter exists → WebGL → WASM → CPU. A fallback WebGPU
 * adapter (SwiftShader on this VM, `isFallbackAdapter`) is the slowest backend here, so it is
 * skipped for WASM unless forced. In Node: WASM (binaries from node_modules) → CPU.
 * Pitfalls handled (PLATFORM.md): threaded WASM hangs in production builds, so multithreading is
 * off unless asked for; every setBackend is raced against a timeout.
 */
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendRequest = BackendName | 'auto';

export interface BackendChoice {
  name: BackendName;
  reason: string;
}

export interface SelectBackendOptions {
  force?: BackendRequest;
  /** Per-attempt limit for setBackend (ms). */
  timeoutMs?: number;
  /** Where the .wasm binaries are served (directory URL or per-file map); Node finds node_modules itself. */
  wasmPaths?: string | Record<string, string>;
  /** Threaded WASM: off by default (it hangs in minified production builds). */
  wasmThreads?: boolean;
  /** Backends not to use (one whose GPU device was lost, see deviceLoss.ts). */
  exclude?: BackendName[];
}

export const isNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Directory of the WASM binaries in node_modules (Node only). */
async function nodeWasmDir(): Promise<string> {
  // Variable specifiers keep browser bundlers from trying to resolve Node built-ins.
  const modName = 'node:module';
  const pathName = 'node:path';
  const { createRequire } = (await import(/* @vite-ignore */ modName)) as typeof import('node:module');
  const path = (await import(/* @vite-ignore */ pathName)) as typeof import('node:path');
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}

type Gpu = { requestAdapter(): Promise<{ isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string } } | null> };

/** 'real' | 'fallback' | 'none' and a description of the WebGPU adapter. */
export async function probeWebGpu(): Promise<{ kind: 'real' | 'fallback' | 'none'; detail: string }> {
  const gpu = (globalThis as { navigator?: { gpu?: Gpu } }).navigator?.gpu;
  if (!gpu) return { kind: 'none', detail: 'navigator.gpu is unavailable' };
  try {
    const adapter = await withTimeout(gpu.requestAdapter(), 3000, 'requestAdapter');
    if (!adapter) return { kind: 'none', detail: 'no WebGPU adapter' };
    const fallback = adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
    const name = [adapter.info?.vendor, adapter.info?.architecture].filter(Boolean).join(' ') || 'unknown adapter';
    return { kind: fallback ? 'fallback' : 'real', detail: `${fallback ? 'software fallback' : 'hardware'} adapter (${name})` };
  } catch (err) {
    return { kind: 'none', detail: `requestAdapter failed: ${String(err)}` };
  }
}

async function register(name: BackendName, opts: SelectBackendOptions): Promise<void> {
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm'); // registers the backend and its flags
    if (!opts.wasmThreads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const paths = opts.wasmPaths ?? (isNode() ? await nodeWasmDir() : undefined);
    if (paths) wasm.setWasmPaths(paths as string);
  } else if (name === 'webgpu') {
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  // webgl and cpu come with @tensorflow/tfjs.
}

/** The unmasked WebGL renderer string, or null when WebGL or the debug extension is missing. */
export function probeWebGlRenderer(): string | null {
  try {
    const doc = (globalThis as { document?: { createElement(t: string): { getContext(k: string): unknown } } }).document;
    const canvas = doc ? doc.createElement('canvas') : typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : null;
    const gl = canvas?.getContext('webgl2') as WebGL2RenderingContext | null | undefined;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return typeof renderer === 'string' ? renderer : null;
  } catch {
    return null;
  }
}

/** Tries one backend; true when it is active afterwards. */
async function tryBackend(name: BackendName, opts: SelectBackendOptions): Promise<string | null> {
  try {
    await register(name, opts);
    const ok = await withTimeout(tf.setBackend(name), opts.timeoutMs ?? 15_000, `setBackend('${name}')`);
    if (!ok || tf.getBackend() !== name) return `setBackend('${name}') failed`;
    await tf.ready();
    return null;
  } catch (err) {
    return String(err instanceof Error ? err.message : err);
  }
}

/** Selects and activates a backend; throws only when none at all works. */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<BackendChoice> {
  const exclude = new Set(opts.exclude ?? []);
  const force = opts.force && exclude.has(opts.force as BackendName) ? 'auto' : (opts.force ?? 'auto');
  const failures: string[] = [];
  if (force !== 'auto') {
    const err = await tryBackend(force, opts);
    if (!err) return { name: force, reason: `forced by the user` };
    failures.push(`${force} (forced): ${err}`);
  }
  let order: Array<[BackendName, string]>;
  if (isNode()) {
    order = [['wasm', 'Node: WASM (XNNPACK) is the fastest backend without tfjs-node'], ['cpu', 'Node: plain JS fallback']];
  } else {
    const gpu = await probeWebGpu();
    const gl = probeWebGlRenderer();
    const softwareGl = gl !== null && /swiftshader|llvmpipe|software/i.test(gl);
    if (gpu.kind === 'real') {
      order = [['webgpu', `WebGPU with a ${gpu.detail}`], ['webgl', 'WebGL: WebGPU failed to start'], ['wasm', 'WASM: no GPU backend started'], ['cpu', 'CPU: nothing faster works']];
    } else if (gpu.kind === 'fallback' || softwareGl) {
      // Software WebGPU and software WebGL are both slower than WASM on the CPU (PLATFORM.md).
      const why = gpu.kind === 'fallback' ? `WebGPU has only a ${gpu.detail}` : `WebGL renders in software (${gl})`;
      order = [['wasm', `${why}: WASM is faster on the CPU`], ['webgl', 'WebGL: WASM failed to start'], ['cpu', 'CPU: nothing faster works']];
    } else {
      order = [['webgl', `WebGL (${gl ?? 'renderer unknown'}); WebGPU: ${gpu.detail}`], ['wasm', 'WASM: WebGL failed to start'], ['cpu', 'CPU: nothing faster works']];
    }
  }
  for (const [name, why] of order) {
    if (name === force || exclude.has(name)) continue;
    const err = await tryBackend(name, opts);
    if (!err) return { name, reason: failures.length ? `${why} (${failures.join('; ')})` : why };
    failures.push(`${name}: ${err}`);
  }
  throw new Error(`no TF.js backend could be started: ${failures.join('; ')}`);
}
