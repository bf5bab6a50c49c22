/**
 * WebGPU in Node, for tests, benchmarks and the CLI (never bundled into the app): the npm
 * `webgpu` package is Dawn, Chromium's WebGPU implementation, as a Node addon. TF.js's WebGPU
 * backend runs on it unchanged once `navigator.gpu` exists.
 *
 * Adapters:
 * - a real GPU through its Vulkan driver (NVIDIA's on a GPU machine): not tried yet (a GPU
 *   benchmark, issue 14, is to use it);
 * - software (checked on the dev VM, Debian 12): Debian's lavapipe (mesa-vulkan-drivers 22.3) is rejected by Dawn ("Vulkan
 *   shaderUniform*ArrayDynamicIndexing required"), but the SwiftShader Vulkan driver that the
 *   chromium package ships (/usr/lib/chromium/libvk_swiftshader.so, with its ICD file) works.
 *   `software: true` points the Vulkan loader at it (VK_ICD_FILENAMES) on Linux. Dawn opens the
 *   system's Vulkan loader (libvulkan.so.1, Debian's libvulkan1), not Chromium's private copy;
 *   scripts/test-all.sh installs both packages when missing.
 *
 * The GPU object is kept in a module variable for the life of the process, so Dawn's instance is
 * never garbage-collected while a device lives: "A valid external Instance reference no longer
 * exists" is Dawn's error for a device whose instance is gone, and the mapAsync error of tfjs
 * issue 8571 and of bench:policy's Chromium WebGPU run (not reproduced in Node here).
 */

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Why Dawn cannot run here at all (no binary for this platform in the `webgpu` package), or null.
 * The only reason the WebGPU tests skip by themselves: a missing adapter is a failure instead.
 */
export async function dawnBinaryMissing(): Promise<string | null> {
  const fs = (await import(/* @vite-ignore */ 'node:' + 'fs')) as typeof import('node:fs');
  const { createRequire } = (await import(/* @vite-ignore */ 'node:' + 'module')) as typeof import('node:module');
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('webgpu');
  } catch {
    return 'the npm package `webgpu` is not installed (npm ci)';
  }
  // The package's own layout (its index.js): dist/<platform>-<arch>/dawn.node, 'universal' on macOS.
  const dir = `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
  const binary = entry.replace(/index\.js$/, `dist/${dir}/dawn.node`);
  return fs.existsSync(binary) ? null : `the npm package \`webgpu\` ships no Dawn binary for ${dir}`;
}

export interface NodeWebGpu {
  /** Vendor and architecture of the adapter Dawn picked, e.g. 'google swiftshader'. */
  adapter: string;
  fallback: boolean;
}

let gpuRoot: unknown = null;

/**
 * Installs `navigator.gpu` (and the WebGPU globals TF.js reads, e.g. GPUBufferUsage) from Dawn.
 * Throws with the reason when no adapter is found. Call before selecting the 'webgpu' backend.
 */
export async function installNodeWebGpu(opts: { software?: boolean } = {}): Promise<NodeWebGpu> {
  const fs = (await import(/* @vite-ignore */ 'node:' + 'fs')) as typeof import('node:fs');
  if (opts.software && process.platform === 'linux' && !process.env.VK_ICD_FILENAMES) {
    if (!fs.existsSync(SWIFTSHADER_ICD)) throw new Error(`no software Vulkan driver: ${SWIFTSHADER_ICD} is missing (apt-get install chromium)`);
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // Dawn prints 'error: XDG_RUNTIME_DIR is invalid' on a headless machine: harmless (no display).
  const mod = (await import(/* @vite-ignore */ 'web' + 'gpu')) as { create(flags: string[]): unknown; globals: Record<string, unknown> };
  if (!gpuRoot) {
    Object.assign(globalThis, mod.globals);
    gpuRoot = mod.create([]);
  }
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator!, 'gpu', { value: gpuRoot, configurable: true });
  const adapter = await (gpuRoot as { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; isFallbackAdapter?: boolean } } | null> }).requestAdapter();
  if (!adapter) {
    throw new Error(`Dawn found no WebGPU adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'}; on Linux Dawn needs the Vulkan loader libvulkan.so.1: apt-get install libvulkan1)`);
  }
  const info = adapter.info ?? {};
  return { adapter: [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown', fallback: !!info.isFallbackAdapter || /swiftshader|llvmpipe/i.test(info.architecture ?? '') };
}
