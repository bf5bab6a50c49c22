/**
 * The policy's own TF.js kernels for the CPU-resident backends (WASM, CPU): their names,
 * registration, and whether the active backend has them. The bodies are in hostKernels.ts.
 *
 * Why: decoding one token at batch 1 is bound by op dispatch, not arithmetic (≈ 185 ops per
 * token before these, issue 14). The kernels, inference only (no gradient is registered;
 * training has its own LayerNorm, ops.ts, and never calls them):
 * - PvNormalizeRows: the inference-time LayerNorm normalisation (inference.ts), 1 op instead of
 *   7 (mean, sub, square, mean, add, rsqrt, mul); prefill and the composed decode path use it;
 * - PvDecodeBlock: a whole transformer block for one new position per row, attention over the
 *   JS-side KV cache (hostKvCache.ts) included: 1 op instead of ≈ 35;
 * - PvNormLinear: the final normalisation and the output head's matmul;
 * - PvGatherRowsSum: the decode step's embedding (token, position, token-shift rows summed).
 * A decode step is then 6 dispatches (decodeStep.ts). Other backends (WebGPU, WebGL) keep the
 * composed ops, which are also the reference of the kernels' tests (kernels.test.ts,
 * decodeStep.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { HostKVCache } from './hostKvCache';
import { decodeBlockKernel, gatherRowsSumKernel, hostFor, normalizeKernel, normLinearKernel, type BlockInputs, type Host } from './hostKernels';

export { normalizeRowsInto } from './hostKernels';

export const NORMALIZE_ROWS = 'PvNormalizeRows';
export const DECODE_BLOCK = 'PvDecodeBlock';
export const NORM_LINEAR = 'PvNormLinear';
export const GATHER_ROWS_SUM = 'PvGatherRowsSum';

type TensorInfo = tf.TensorInfo;
type Inputs = Record<string, TensorInfo>;
type Body = (h: Host, inputs: Inputs, attrs: Record<string, unknown>) => TensorInfo;

const BODIES: Record<string, Body> = {
  [NORMALIZE_ROWS]: (h, i, a) => normalizeKernel(h, i.x!, a.eps as number),
  [NORM_LINEAR]: (h, i, a) => normLinearKernel(h, i.x!, i.w!, i.b!, a.eps as number),
  // Attrs carry JS objects the engine never inspects outside gradient recording (none here).
  [GATHER_ROWS_SUM]: (h, i, a) => {
    const indices = a.indices as Int32Array[];
    return gatherRowsSumKernel(h, indices.map((_, k) => i[`t${k}`]!), indices);
  },
  [DECODE_BLOCK]: (h, i, a) => decodeBlockKernel(h, i as unknown as BlockInputs, a.eps as number, a.cache as HostKVCache, a.layer as number),
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

/** Whether the active backend has the fused decode step's kernels (decodeStep.ts). */
export function hasDecodeKernels(): boolean {
  return tf.getKernel(DECODE_BLOCK, tf.getBackend()) !== undefined;
}
