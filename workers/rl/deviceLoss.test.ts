/**
 * RL training survives a lost GPU device, forced for real: the handler trains on TF.js's WebGPU
 * backend (Dawn in Node on a software adapter, src/model/webgpuNode.ts), the device is
 * destroyed after step 2, and the run goes on on WASM from the checkpoint of step 2 (on
 * WebGPU every step is checkpointed) with a 'backend-lost' notice, to its last step, with one
 * log line per step. Skips as src/model/webgpu.test.ts does.
 */
import { describe, expect, it } from 'vitest';
import { TEST_CONFIG } from '../../src/model/config';
import { destroyDevice } from '../../src/model/deviceLoss';
import { testTokenizer } from '../../src/model/testHelpers';
import { TinyVLM } from '../../src/model/transformer';
import { dawnBinaryMissing, installNodeWebGpu } from '../../src/model/webgpuNode';
import { modelToArtifacts } from '../../src/model/weights';
import { selectBackend } from '../../src/model/backend';
import { rlConfig } from '../../src/rl/config';
import { memoryRunStore } from '../../src/rl/runStore';
import { createNodeRuntime } from '../node/nodeRuntime';
import { createRlHandler } from './handler';
import type { RlEvent } from './protocol';

const skipReason = process.env.PV_SKIP_WEBGPU ? `PV_SKIP_WEBGPU=${process.env.PV_SKIP_WEBGPU}` : await dawnBinaryMissing();
if (skipReason) console.warn(`workers/rl/deviceLoss.test.ts: skipped: ${skipReason}`);

describe.skipIf(!!skipReason)('RL on WebGPU when the device is lost', () => {
  it('goes on on WASM from the last checkpoint and finishes every step', async () => {
    const tok = testTokenizer();
    await selectBackend({ force: 'wasm' });
    const start = TinyVLM.create({ ...TEST_CONFIG, maxSeq: 512 }, 3);
    const artifacts = await modelToArtifacts(start, { name: 'unit', tokenizer: tok.toJSON() });
    start.dispose();
    await installNodeWebGpu({ software: true });

    const mem = memoryRunStore();
    const store = {
      ...mem,
      list: async (prefix = '') => [...mem.files.keys()].filter((k) => k.startsWith(prefix)).sort(),
      remove: async (paths: string[]) => paths.forEach((p) => mem.files.delete(p)),
    };
    const events: RlEvent[] = [];
    const handle = createRlHandler({
      post: (e) => events.push(e),
      storeFor: () => store,
      createRuntime: () => createNodeRuntime({ poolSize: 1, maxWorkers: 1, packages: 'compat' }),
      afterStep: (_id, step) => {
        if (step === 2) expect(destroyDevice()).toBe(true);
      },
    });
    const config = rlConfig({ preset: 'test', steps: 4, promptsPerStep: 1, oversample: 1, groupSize: 2, maxNewTokens: 6, maxTurns: 2, concurrency: 2, seed: 5 });
    await handle({ type: 'start', runs: [{ runId: 'g1', config, resume: false }], weights: { artifacts, tokenizer: null }, backend: 'webgpu' });

    const errors = events.filter((e) => e.type === 'error');
    expect(errors).toEqual([]);
    const backends = events.flatMap((e) => (e.type === 'backend' ? [e.backend.name] : []));
    expect(backends).toEqual(['webgpu', 'wasm']);
    const lost = events.find((e) => e.type === 'backend-lost');
    expect(lost).toMatchObject({ from: 'webgpu', to: 'wasm', steps: { g1: 2 } });
    if (lost?.type === 'backend-lost') expect(lost.reason).toMatch(/GPU device was lost/);
    // Steps 1–2 on the GPU, 3–4 on WASM after the resume; the resume re-announced step 2.
    expect(events.flatMap((e) => (e.type === 'step' ? [e.step] : []))).toEqual([1, 2, 3, 4]);
    expect(events.filter((e) => e.type === 'started').map((e) => (e.type === 'started' ? e.step : -1))).toEqual([0, 2]);
    const logged = new TextDecoder()
      .decode(mem.files.get('metrics.jsonl'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { step: number }).step);
    expect(logged).toEqual([1, 2, 3, 4]);
    expect(events[events.length - 1]).toEqual({ type: 'done', runs: [{ runId: 'g1', steps: 4, stoppedBy: 'steps' }] });
    await selectBackend({ force: 'wasm' });
  }, 600_000);
});
