/**
 * The policy's own TF.js kernels for the CPU-resident backends (WASM, CPU): their names,
 * registration, and whether the active backend has them. The bodies are in hostKernels.ts.
 *
 * Why: decoding one token at batch 1 is bound by op dispatch, not arithmetic (≈ 185 ops per
 * token before these, issue 14). The kernels, inference only (no gradient is registered;
 * training has its own LayerNorm, ops.ts, and never calls them):
 * - PvNormalizeRows: the inference-time LayerNorm normalisation (inference.ts), 1 op instead of
 *   7 (mean, sub, square, mean, add, rsqrt, mul); prefill and the composed decode path use it;
 * - PvDecodeStep: a whole decode step for one new position per row: the embedding rows
 *   summed, every transformer block (attention over the JS-side KV cache of hostKvCache.ts
 *   included) and the normalised output head: 1 dispatch instead of ≈ 185.
 * (decodeStep.ts). Other backends (WebGPU, WebGL) keep the
 * composed ops, which are also the reference of the kernels' tests (kernels.test.ts,
 * decodeStep.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { HostKVCache } from './hostKvCache';
import { decodeStepKernel, hostFor, normalizeKernel, type Host } from './hostKernels';

export { normalizeRowsInto } from './hostKernels';

export const NORMALIZE_ROWS = 'PvNormalizeRows';
export const DECODE_STEP = 'PvDecodeStep';

type TensorInfo = tf.TensorInfo;
type Inputs = Record<string, TensorInfo>;
type Body = (h: Host, inputs: Inputs, attrs: Record<string, unknown>) => TensorInfo;

const BODIES: Record<string, Body> = {
  [NORMALIZE_ROWS]: (h, i, a) => normalizeKernel(h, i.x!, a.eps as number),
  // Attrs carry JS objects (the cache, index arrays): the engine reads attrs only to record
  // gradients, which never happens here.
  [DECODE_STEP]: (h, i, a) => decodeStepKernel(h, i, a.indices as Int32Array[], a.nLayers as number, a.eps as number, a.cache as HostKVCache),
};

const BACKENDS = ['wasm', 'cpu'] as const;
let registered = false;

/** Removes the kernels (tests and benchmarks compare with the composed ops); register again after. */
export function unregisterPolicyKernels(): void {
  if (!registered) return;
  registered = false;
  for (const backend of BACKENDS) for (const name of Object.keys(BODIES)) tf.unregisterKernel(name, backend);
}

/** Registers the kernels once (idempotent; the backends need not exist yet). */
export function registerPolicyKernels(): void {
  if (registered) return;
  registered = true;
  // One Host per backend instance (a backend can be re-created, e.g. after tf.removeBackend).
  const hosts = new WeakMap<object, Host>();
  for (const backendName of BACKENDS) {
    for (const [kernelName, body] of Object.entries(BODIES)) {
      tf.registerKernel({
        kernelName,
        backendName,
        kernelFunc: ({ inputs, backend, attrs }) => {
          let h = hosts.get(backend);
          if (!h) hosts.set(backend, (h = hostFor(backendName, backend)));
          return body(h, inputs as Inputs, (attrs ?? {}) as Record<string, unknown>);
        },
      });
    }
  }
}

/** Whether the active backend runs NORMALIZE_ROWS as one kernel. */
export function hasNormalizeKernel(): boolean {
  return tf.getKernel(NORMALIZE_ROWS, tf.getBackend()) !== undefined;
}

/** Whether the active backend has the fused decode step's kernel (decodeStep.ts). */
export function hasDecodeKernels(): boolean {
  return tf.getKernel(DECODE_STEP, tf.getBackend()) !== undefined;
}
