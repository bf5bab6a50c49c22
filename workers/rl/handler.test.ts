/**
 * The RL worker's handler in Node (same code as in the worker), with real Pyodide and TF.js
 * (WASM) and an in-memory run store: a run streams steps and writes its files; pause saves a
 * checkpoint and waits; resume from the store (a fresh handler, as after a page reload)
 * continues the step count and drops log lines past the checkpoint; twin runs step together.
 *
 * A random model: its groups are all-wrong, so no update runs, but every step still goes
 * through rollouts, scoring, logging and checkpoints, which is what the handler adds.
 */
import { describe, expect, it } from 'vitest';
import { TEST_CONFIG } from '../../src/model/config';
import { testTokenizer } from '../../src/model/testHelpers';
import { TinyVLM } from '../../src/model/transformer';
import { modelToArtifacts } from '../../src/model/weights';
import { rlConfig } from '../../src/rl/config';
import { M } from '../../src/rl/metrics';
import { memoryRunStore } from '../../src/rl/runStore';
import { createNodeRuntime } from '../node/nodeRuntime';
import { createRlHandler, type RlHandlerOptions } from './handler';
import type { RlEvent, StartWeights } from './protocol';

const tok = testTokenizer();
const stores = new Map<string, ReturnType<typeof memoryRunStore>>();

function storeFor(runId: string): ReturnType<RlHandlerOptions['storeFor']> {
  let s = stores.get(runId);
  if (!s) stores.set(runId, (s = memoryRunStore()));
  const files = s.files;
  return {
    ...s,
    list: async (prefix = '') => [...files.keys()].filter((k) => k.startsWith(prefix)).sort(),
    remove: async (paths) => paths.forEach((p) => files.delete(p)),
  };
}

async function weights(): Promise<StartWeights> {
  const model = TinyVLM.create({ ...TEST_CONFIG, maxSeq: 512 }, 3);
  const artifacts = await modelToArtifacts(model, { name: 'unit', tokenizer: tok.toJSON() });
  model.dispose();
  return { artifacts, tokenizer: null };
}

const config = (steps: number, over = {}) =>
  rlConfig({ preset: 'test', steps, promptsPerStep: 1, oversample: 1, groupSize: 2, maxNewTokens: 6, maxTurns: 2, concurrency: 2, seed: 5, ...over });

function handler(onEvent?: (e: RlEvent, handle: (m: Parameters<ReturnType<typeof createRlHandler>>[0]) => Promise<void>) => void) {
  const events: RlEvent[] = [];
  const handle: ReturnType<typeof createRlHandler> = createRlHandler({
    post: (e) => {
      events.push(e);
      onEvent?.(e, handle);
    },
    storeFor,
    createRuntime: () => createNodeRuntime({ poolSize: 1, maxWorkers: 1, packages: 'compat' }),
  });
  return { events, handle };
}

const text = (runId: string, path: string) => new TextDecoder().decode(stores.get(runId)!.files.get(path) ?? new Uint8Array());
const loggedSteps = (runId: string) => text(runId, 'metrics.jsonl').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { step: number }).step);

describe('RL worker handler', () => {
  it('streams steps, pauses with a checkpoint, resumes, and a fresh handler resumes from the store', async () => {
    let resumed = false;
    const a = handler((e, handle) => {
      if (e.type === 'step' && e.step === 1) void handle({ type: 'pause' });
      if (e.type === 'paused' && !resumed) {
        resumed = true;
        // The checkpoint is in the store before 'paused' is posted: a reload now loses nothing.
        expect(text('r1', 'checkpoints/latest.json')).toContain('"step": 1');
        void handle({ type: 'resume' });
      }
    });
    await a.handle({ type: 'start', runs: [{ runId: 'r1', config: config(2), resume: false }], weights: await weights(), backend: 'wasm' });
    const types = a.events.map((e) => e.type);
    expect(types).not.toContain('error');
    expect(types[0]).toBe('phase');
    expect(types).toContain('backend');
    expect(a.events.find((e) => e.type === 'started')).toMatchObject({ runId: 'r1', step: 0, steps: 2 });
    const steps = a.events.filter((e) => e.type === 'step');
    expect(steps.map((e) => e.step)).toEqual([1, 2]);
    const first = steps[0]!;
    if (first.type !== 'step') throw new Error('unreachable');
    expect(first.metrics[M.trajectories]).toBe(2);
    expect(first.groups).toHaveLength(1);
    expect(first.groups[0]!.members).toHaveLength(2);
    expect(a.events.some((e) => e.type === 'rollout' && e.step === 1 && e.done === 2 && e.total === 2)).toBe(true);
    expect(a.events.find((e) => e.type === 'paused')).toEqual({ type: 'paused', steps: { r1: 1 } });
    expect(a.events[a.events.length - 1]).toEqual({ type: 'done', runs: [{ runId: 'r1', steps: 2, stoppedBy: 'steps' }] });
    // The per-step token view covers every trajectory of the step.
    const tokens = JSON.parse(text('r1', 'tokens/step-000001.json')) as Record<string, unknown[]>;
    expect(Object.keys(tokens).sort()).toEqual(first.groups[0]!.members.map((m) => m.id).sort());
    expect(loggedSteps('r1')).toEqual([1, 2]);

    // A step logged after the last checkpoint (a reload mid-run) is dropped and re-run.
    stores.get('r1')!.files.set('metrics.jsonl', new TextEncoder().encode(text('r1', 'metrics.jsonl') + '{"step":3}\n'));
    const b = handler();
    await b.handle({ type: 'start', runs: [{ runId: 'r1', config: config(3), resume: true }], weights: null, backend: 'wasm' });
    expect(b.events.filter((e) => e.type === 'error')).toEqual([]);
    expect(b.events.find((e) => e.type === 'started')).toMatchObject({ step: 2, steps: 3 });
    expect(loggedSteps('r1')).toEqual([1, 2, 3]);
    // Only the newest checkpoints are kept.
    const dirs = new Set([...stores.get('r1')!.files.keys()].filter((k) => k.startsWith('checkpoints/step-')).map((k) => k.split('/')[1]));
    expect([...dirs].sort()).toEqual(['step-000002', 'step-000003']);
  }, 120_000);

  it('twin runs step together (one arm rolls out while the other does); stop abandons the step in progress and checkpoints the finished ones', async () => {
    const order: string[] = [];
    const t = handler((e, handle) => {
      if (e.type === 'step') order.push(`${e.runId}:${e.step}`);
      if (e.type === 'rollout') order.push(`${e.runId}:rollout ${e.step}`);
      // Stop in the middle of the second step's rollouts.
      if (e.type === 'rollout' && e.step === 2) void handle({ type: 'stop' });
    });
    const w = await weights();
    await t.handle({
      type: 'start',
      runs: [
        { runId: 'A', config: config(5, { toolRewardCoef: 0.1 }), resume: false },
        { runId: 'B', config: config(5, { toolRewardCoef: 0 }), resume: false },
      ],
      weights: w,
      backend: 'wasm',
    });
    const steps = order.filter((x) => !x.includes('rollout'));
    expect(steps).toEqual(['A:1', 'B:1']);
    // Concurrent: both arms rolled out step 1 before either reported it.
    const firstStep = order.indexOf('A:1');
    expect(order.slice(0, firstStep)).toContain('A:rollout 1');
    expect(order.slice(0, firstStep)).toContain('B:rollout 1');
    expect(t.events[t.events.length - 1]).toEqual({
      type: 'done',
      runs: [
        { runId: 'A', steps: 1, stoppedBy: 'stopped' },
        { runId: 'B', steps: 1, stoppedBy: 'stopped' },
      ],
    });
    expect(text('A', 'checkpoints/latest.json')).toContain('"step": 1');
    expect(text('B', 'checkpoints/latest.json')).toContain('"step": 1');
    expect(JSON.parse(text('B', 'config.json')).config.toolRewardCoef).toBe(0);
  }, 120_000);
});
