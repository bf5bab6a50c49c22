/**
 * A lost GPU device, forced for real: TF.js's WebGPU backend in Node through Dawn on a software
 * adapter (webgpuNode.ts), then `device.destroy()`. Generation on the lost device fails; the
 * resilient policy moves to WASM, rebuilds the model from its weights and answers the same turn
 * as a run that never saw a GPU. The classification of errors is tested without a GPU.
 * Skips as webgpu.test.ts does (PV_SKIP_WEBGPU=reason, or no Dawn binary for the platform).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPrompt } from '../agent/protocol';
import type { PolicyContext } from '../agent/types';
import { suiteTask } from '../tasks/suites';
import { selectBackend, type BackendName } from './backend';
import { destroyDevice, deviceLossReason, deviceLostDuring, watchDevice } from './deviceLoss';
import { loadShipped } from './parityFixture';
import { DeviceResilientPolicy } from './resilientPolicy';
import { TinyPolicy } from './tinyPolicy';
import { dawnBinaryMissing, installNodeWebGpu } from './webgpuNode';

const skipReason = process.env.PV_SKIP_WEBGPU ? `PV_SKIP_WEBGPU=${process.env.PV_SKIP_WEBGPU}` : await dawnBinaryMissing();
if (skipReason) console.warn(`deviceLoss.test.ts: GPU part skipped: ${skipReason}`);

describe('deviceLossReason', () => {
  const gpu = { backend: 'webgpu', lost: null };
  it('names a lost device from the errors WebGPU gives', () => {
    expect(deviceLossReason(Object.assign(new Error(''), { name: 'AbortError' }), gpu)).toMatch(/device was lost.*AbortError/);
    const chromium = new Error("Failed to execute 'mapAsync' on 'GPUBuffer': A valid external Instance reference no longer exists.");
    expect(deviceLossReason(chromium, gpu)).toMatch(/device was lost.*mapAsync/);
    expect(deviceLossReason(new Error('whatever'), { backend: 'webgpu', lost: 'the GPU device was lost (destroyed)' })).toBe('the GPU device was lost (destroyed)');
  });
  it('leaves ordinary errors and other backends alone', () => {
    expect(deviceLossReason(new Error('Shapes 3 and 4 must match'), gpu)).toBeNull();
    expect(deviceLossReason(Object.assign(new Error('the turn was cancelled'), { name: 'AbortError' }), { backend: 'wasm', lost: null })).toBeNull();
    expect(deviceLossReason(new Error('mapAsync failed'), { backend: 'wasm', lost: null })).toBeNull();
  });
});

describe('deviceLostDuring', () => {
  it('finds a loss in the failed episodes of an RL step, only on WebGPU', () => {
    const gpu = { backend: 'webgpu', lost: null };
    expect(deviceLostDuring([undefined, 'The policy "tiny" failed: AbortError'], gpu)).toMatch(/GPU device was lost/);
    expect(deviceLostDuring(['The policy "tiny" failed: the model returned NaN'], gpu)).toBeNull();
    expect(deviceLostDuring([undefined, undefined], { backend: 'webgpu', lost: 'the GPU device was lost (destroyed)' })).toBe('the GPU device was lost (destroyed)');
    expect(deviceLostDuring(['The policy "tiny" failed: AbortError'], { backend: 'wasm', lost: null })).toBeNull();
  });
});

describe.skipIf(!!skipReason)('a lost WebGPU device during generation (Dawn, software adapter)', () => {
  afterAll(async () => {
    await selectBackend({ force: 'wasm' });
  });

  it('moves to WASM and generates the same turn as WASM alone', async () => {
    const task = suiteTask('visual-search', 0, 101);
    const ctx = {
      messages: buildPrompt(task, { maxTurns: 5 }),
      images: task.media.kind === 'image' ? [task.media.image] : [],
      turn: 0,
      maxTurns: 5,
      task,
      signal: new AbortController().signal,
    } as PolicyContext;
    const opts = { temperature: 0, maxNewTokens: 24 };

    await selectBackend({ force: 'wasm' });
    const reference = await loadShipped();
    const plain = new TinyPolicy(reference.model, reference.tokenizer, opts);
    const expected = (await plain.next(ctx)).text;
    plain.dispose();
    reference.model.dispose();

    await installNodeWebGpu({ software: true });
    expect((await selectBackend({ force: 'webgpu', timeoutMs: 60_000 })).name).toBe('webgpu');
    let shipped = await loadShipped();
    const recoveries: string[] = [];
    const lost: BackendName[] = [];
    const policy = new DeviceResilientPolicy(
      () => new TinyPolicy(shipped.model, shipped.tokenizer, opts),
      async (reason) => {
        recoveries.push(reason);
        lost.push(tf.getBackend() as BackendName);
        const choice = await selectBackend({ exclude: lost });
        expect(choice.name).toBe('wasm');
        shipped = await loadShipped();
      },
    );
    // Works on the GPU first (the same greedy turn), then the device goes.
    expect((await policy.next(ctx)).text).toBe(expected);
    const watch = watchDevice();
    expect(destroyDevice()).toBe(true);
    // What a page shows while it streams: a restart voids the text streamed on the lost device.
    let streamed = '';
    let restarts = 0;
    const onText = (delta: string, restart?: boolean) => {
      if (restart) restarts++;
      streamed = (restart ? '' : streamed) + delta;
    };
    const again = await policy.next({ ...ctx, turn: 0, onText });
    expect(restarts).toBe(1);
    expect(streamed).toBe(again.text);
    expect(recoveries).toHaveLength(1);
    expect(recoveries[0]).toMatch(/GPU device was lost/);
    expect(tf.getBackend()).toBe('wasm');
    expect(again.text).toBe(expected);
    expect(watch.lost).toMatch(/lost/);
    policy.dispose();
    shipped.model.dispose();
  }, 600_000);
});
