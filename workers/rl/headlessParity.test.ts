/**
 * The browser's collapse demo and `npm run demo:collapse` compute the same thing (issue 13): the
 * page trains both arms in the RL worker (handler.ts: one worker, the arms stepping together,
 * one Python pool), the headless demo runs each arm alone as cli/train.ts does (trainGrpo in its
 * own process with its own pool). Here both paths run in Node with the shipped demo start, real
 * Pyodide and TF.js (WASM, the backend both use on this machine), the demo's own config cut to
 * two small steps, and the same seeds: the steps must draw the same tasks, sample the same
 * trajectories and log the same rewards and losses.
 *
 * "The same" allows float noise: decode batches form as Python calls return, and XNNPACK's sums
 * can differ in the last bit between batch shapes, which may flip a sampled token that sat on a
 * boundary. So tasks must match exactly, and nearly all trajectories (their reward, tool calls
 * and turns) and the step means; a wrong seed, task order, config or arm mix-up fails by far.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../src/model/tokenizer';
import { loadModel, nodeFileHandler } from '../../src/model/weights';
import { COLLAPSE_DEMO, collapseArms, collapseDemoBase } from '../../src/rl/collapseDemo';
import { M } from '../../src/rl/metrics';
import { memoryRunStore } from '../../src/rl/runStore';
import { trainGrpo } from '../../src/rl/trainer';
import { createNodeRuntime } from '../node/nodeRuntime';
import { createRlHandler } from './handler';
import type { RlEvent } from './protocol';

const START = path.resolve(__dirname, '../../public/models', COLLAPSE_DEMO.startWeights);
const STEPS = 2;

interface MemberLine {
  step: number;
  id: string;
  taskId: string;
  reward: number | null;
  toolCalls: number;
  turns: number;
}
interface Logged {
  metrics: Array<Record<string, number>>;
  members: MemberLine[];
}

const decode = (b: Uint8Array | undefined) => new TextDecoder().decode(b ?? new Uint8Array());
const lines = (s: string) => s.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);

function logged(store: ReturnType<typeof memoryRunStore>): Logged {
  const metrics = lines(decode(store.files.get('metrics.jsonl'))) as Array<Record<string, number>>;
  const members = lines(decode(store.files.get('groups.jsonl'))).flatMap((line) =>
    (line.groups as Array<{ members: MemberLine[] }>).flatMap((g) => g.members.map((m) => ({ step: line.step as number, id: m.id, taskId: m.taskId, reward: m.reward, toolCalls: m.toolCalls, turns: m.turns }))),
  );
  return { metrics, members };
}

describe('collapse demo: the browser worker and the headless demo compute the same', () => {
  it('same tasks, same trajectories, same curves for both arms', async () => {
    const arms = collapseArms(collapseDemoBase({ steps: STEPS, promptsPerStep: 2, groupSize: 2 }));
    const artifacts = await nodeFileHandler(START).load!();

    // The page's path: both arms in one RL worker.
    const browserStores = { A: memoryRunStore(), B: memoryRunStore() };
    const events: RlEvent[] = [];
    const handle = createRlHandler({
      post: (e) => events.push(e),
      storeFor: (id) => browserStores[id as 'A' | 'B'],
      createRuntime: () => createNodeRuntime({ poolSize: 2, maxWorkers: 2, packages: 'compat' }),
    });
    await handle({
      type: 'start',
      runs: [
        { runId: 'A', config: arms.A, resume: false },
        { runId: 'B', config: arms.B, resume: false },
      ],
      weights: { artifacts, tokenizer: null },
      backend: 'wasm',
    });
    expect(events.filter((e) => e.type === 'error')).toEqual([]);

    // The headless path: each arm alone, as cli/train.ts runs it.
    const headless: Record<'A' | 'B', Logged> = {} as Record<'A' | 'B', Logged>;
    for (const arm of ['A', 'B'] as const) {
      const { model, meta } = await loadModel(nodeFileHandler(START));
      const runtime = await createNodeRuntime({ poolSize: 1, maxWorkers: 1, packages: 'compat' });
      const store = memoryRunStore();
      try {
        await runtime.start();
        await trainGrpo(arms[arm], { model, tokenizer: Tokenizer.fromJSON(meta.tokenizer!), runtime, store });
      } finally {
        await runtime.dispose();
        model.dispose();
      }
      headless[arm] = logged(store);
    }

    for (const arm of ['A', 'B'] as const) {
      const page = logged(browserStores[arm]);
      const cli = headless[arm];
      expect(page.metrics.map((m) => m.step)).toEqual([1, 2]);
      expect(cli.metrics.map((m) => m.step)).toEqual([1, 2]);
      // The same tasks in the same order (seeded by step and prompt, not by timing).
      expect(page.members.map((m) => m.taskId)).toEqual(cli.members.map((m) => m.taskId));
      // Nearly every trajectory the same: reward, tool calls and turns.
      const key = (m: MemberLine) => `${m.taskId}|${m.reward}|${m.toolCalls}|${m.turns}`;
      const same = page.members.filter((m, i) => key(m) === key(cli.members[i]!)).length;
      expect(same / page.members.length).toBeGreaterThanOrEqual(0.8);
      for (let s = 0; s < STEPS; s++) {
        for (const name of [M.rewardMean, M.toolCallsMean, M.accuracy]) expect(Math.abs(page.metrics[s]![name]! - cli.metrics[s]![name]!)).toBeLessThanOrEqual(0.2);
      }
    }
    // The arms differ only in the tool reward: step 1's rollouts come from the same start.
    const a1 = logged(browserStores.A).members.filter((m) => m.step === 1);
    const b1 = logged(browserStores.B).members.filter((m) => m.step === 1);
    expect(a1.length).toBeGreaterThan(0);
    expect(a1.map((m) => `${m.taskId}|${m.toolCalls}`)).toEqual(b1.map((m) => `${m.taskId}|${m.toolCalls}`));
    // …and the reward: a right answer with tool calls earns 0.1 per call in arm A only.
    a1.forEach((m, i) => {
      const b = b1[i]!.reward ?? 0;
      expect(m.reward).toBeCloseTo(b >= 1 ? b + COLLAPSE_DEMO.toolRewardCoef * m.toolCalls : b, 6);
    });
  }, 600_000);
});
