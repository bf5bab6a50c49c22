/**
 * Test helper: one real Node Python runtime for a test file (started in beforeAll, disposed in
 * afterAll). Returns a stand-in that forwards to it, so tests can hold it as a plain const.
 */
import { afterAll, beforeAll } from 'vitest';
import type { PythonRuntime } from '../../src/runtime/types';
import { createNodeRuntime } from './nodeRuntime';

export function useNodeRuntime(opts: { workers?: number } = {}): PythonRuntime {
  let runtime: PythonRuntime | null = null;
  beforeAll(async () => {
    const n = opts.workers ?? 2;
    runtime = await createNodeRuntime({ poolSize: n, maxWorkers: n, packages: 'compat' });
    await runtime.start();
  }, 120_000);
  afterAll(async () => {
    await runtime?.dispose();
  });
  return new Proxy({} as PythonRuntime, {
    get(_, key) {
      if (!runtime) throw new Error('the test runtime is used before beforeAll started it');
      const v = (runtime as unknown as Record<PropertyKey, unknown>)[key];
      return typeof v === 'function' ? v.bind(runtime) : v;
    },
  });
}
