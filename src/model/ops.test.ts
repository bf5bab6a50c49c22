/**
 * The JS fast paths of ops.ts on WASM keep the gradient tape intact. TEST_CONFIG's matrices are
 * below the fast paths' size threshold, so the model tests never reach them; these shapes do
 * (the shipped policy's tied head: tok_emb [863, 128]).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { mm, transpose2d } from './ops';

beforeAll(async () => {
  expect((await selectBackend({ force: 'wasm' })).name).toBe('wasm');
});

/** Deterministic values in [-0.5, 0.5). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = x / 2147483648 - 0.5;
  }
  return out;
}

describe('transpose2d on WASM', () => {
  const [V, d, N] = [863, 128, 40];
  const E = () => tf.tensor2d(values(V * d, 1), [V, d]);
  const H = () => tf.tensor2d(values(N * d, 2), [N, d]);
  const R = () => tf.tensor2d(values(N * V, 3), [N, V]);

  it('takes the JS path for a tied head of this size and transposes exactly', () => {
    tf.tidy(() => {
      const e = E();
      expect(e.size).toBeGreaterThanOrEqual(16_384);
      expect(Array.from(transpose2d(e).dataSync())).toEqual(Array.from(tf.transpose(e).dataSync()));
    });
  });

  it('passes the gradient of h·Eᵀ back to E: Rᵀ·h, as tf.transpose does', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const [e, h, r] = [E(), H(), R()];
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(mm(h, transpose2d(x)), r)))(e);
      const ref = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.matMul(h, x, false, true), r)))(e);
      const want = tf.matMul(r, h, true, false);
      expect(g.shape).toEqual([V, d]);
      expect(tf.max(tf.abs(want)).dataSync()[0]!).toBeGreaterThan(1);
      expect(tf.max(tf.abs(tf.sub(g, want))).dataSync()[0]!).toBeLessThan(1e-4);
      expect(tf.max(tf.abs(tf.sub(g, ref))).dataSync()[0]!).toBeLessThan(1e-4);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
