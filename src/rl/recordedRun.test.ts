/**
 * The collapse demo's recorded run: the shipped file is a real recording that validates against
 * the run schema (metrics.jsonl lines, the run config); malformed files fail with one clear
 * error; a recording is made from a demo:collapse output's files.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCodeBlock } from '../agent/protocol';
import { toRecordJson } from '../agent/exportFormats';
import { INTERACTIVE_LOOP, type Trajectory } from '../agent/types';
import { collapseArms, collapseDemoBase } from './collapseDemo';
import { validateRlConfig } from './config';
import { M } from './metrics';
import {
  metricsLineSchema,
  parseRecording,
  RECORDED_METRICS,
  recordingFromRunFolders,
  recordingJson,
  RECORDING_FORMAT,
  samplesToRead,
  type DemoFolderFiles,
} from './recordedRun';
import { jsonLine } from './runStore';

const SHIPPED = 'public/demo/collapse-recording.json';

describe('the shipped recording', () => {
  const text = readFileSync(SHIPPED, 'utf8');

  it('is a real recording of both arms that validates against the run schema', () => {
    const rec = parseRecording(text);
    expect(rec.format).toBe(RECORDING_FORMAT);
    expect(rec.settings.steps).toBeGreaterThanOrEqual(10);
    expect(rec.settings.toolRewardCoef.A).toBeGreaterThan(0);
    expect(rec.settings.toolRewardCoef.B).toBe(0);
    expect(validateRlConfig(rec.settings.config)).toEqual(rec.settings.config);
    expect(rec.settings.startWeights?.contentHash).toMatch(/^[0-9a-f]{16,}$/);
    expect(Number.isNaN(Date.parse(rec.recordedAt))).toBe(false);
    const raw = JSON.parse(text) as { arms: Record<'A' | 'B', { metrics: unknown[] }> };
    for (const arm of ['A', 'B'] as const) {
      const metrics = rec.arms[arm].metrics;
      expect(metrics).toHaveLength(rec.settings.steps);
      expect(metrics.map((m) => m.step)).toEqual(Array.from({ length: metrics.length }, (_, i) => metrics[0]!.step + i));
      for (const m of metrics) for (const k of RECORDED_METRICS) expect(Number.isFinite(m[k]), `${arm} step ${m.step} ${k}`).toBe(true);
      // Literally the run folder's metrics.jsonl line schema.
      for (const line of raw.arms[arm].metrics) expect(metricsLineSchema.safeParse(line).success).toBe(true);
      expect(rec.arms[arm].samples.length).toBeLessThanOrEqual(2);
    }
    expect(rec.summary.comparedSteps).toBe(rec.settings.steps);
    // Small: the page fetches it on first use.
    expect(Buffer.byteLength(text)).toBeLessThan(100_000);
  });
});

describe('parseRecording refuses malformed files with one clear error', () => {
  const good = () => JSON.parse(readFileSync(SHIPPED, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('not JSON, the wrong format', () => {
    expect(() => parseRecording('{oops')).toThrow(/not valid JSON/);
    expect(() => parseRecording({ ...good(), format: 'pyvision-rl-run' })).toThrow(/^not a collapse recording: format: /);
  });

  it('a metrics line with a non-number, an unknown metric, a missing metric', () => {
    const doc = good();
    doc.arms.B.metrics[1][M.toolCallsMean] = '0.5';
    expect(() => parseRecording(doc)).toThrow(`not a collapse recording: arms.B.metrics[1].${M.toolCallsMean}`);
    const unknown = good();
    unknown.arms.A.metrics[0]['tools/calls'] = 1;
    expect(() => parseRecording(unknown)).toThrow(/arms\.A\.metrics\[0\]\.tools\/calls: not a metric name/);
    const missing = good();
    delete missing.arms.A.metrics[2][M.accuracy];
    expect(() => parseRecording(missing)).toThrow(`arms.A.metrics[2].${M.accuracy}: missing`);
  });

  it('a missing arm, steps out of order, a config the run validator refuses, a summary that does not match', () => {
    const doc = good();
    delete doc.arms.B;
    expect(() => parseRecording(doc)).toThrow('not a collapse recording: arms.B: missing');
    const order = good();
    order.arms.A.metrics.reverse();
    expect(() => parseRecording(order)).toThrow(/steps are not increasing/);
    const config = good();
    config.settings.config.groupSize = 1;
    expect(() => parseRecording(config)).toThrow(/^not a collapse recording: settings\.config: .*groupSize/);
    const summary = good();
    summary.summary.comparedSteps += 1;
    expect(() => parseRecording(summary)).toThrow(/summary does not match/);
  });
});

// ---- from a demo:collapse output's files ----

function trajectory(id: string, tools: boolean): Trajectory {
  const px = { width: 2, height: 2, channels: 3 as const, data: new Uint8Array(12).fill(90) };
  const turn = (index: number, text: string, code: string | null, answer: string | null) => ({
    index,
    text,
    code,
    answer,
    parseError: null,
    observation: code ? { output: 'found red at (3, 4)\n'.repeat(40), images: [], error: null } : null,
    tokens: { count: 5, visual: 0 },
    timings: { generateMs: 1, executeMs: 1 },
  });
  return {
    version: 1,
    id,
    task: { id: 'vs-1', family: 'visual-search', question: 'What colour is the small square?', answer: 'red', difficulty: 'small', media: { kind: 'image', width: 2, height: 2 } },
    policy: { name: 'tiny', kind: 'tiny' },
    config: { ...INTERACTIVE_LOOP },
    images: [px],
    prompt: [],
    turns: tools
      ? [turn(0, `Let me look.\n${formatCodeBlock('print(find("red"))')}`, 'print(find("red"))', null), turn(1, 'It is red. <answer>red</answer>', null, 'red')]
      : [turn(0, 'Red. <answer>red</answer>', null, 'red')],
    endReason: 'DONE',
    reward: { accuracy: 1, toolCalls: tools ? 1 : 0, toolBonus: 0, total: 1 },
    visualTokens: 4,
    textTokens: 10,
    startedAt: '2026-01-01T00:00:00.000Z',
    wallMs: 5,
  } as unknown as Trajectory;
}

function folders(steps: { A: number; B: number }): DemoFolderFiles {
  const { A, B } = collapseArms(collapseDemoBase({ steps: 8 }));
  const meta = { init: '/x/public/models/collapse-start', initName: 'tiny-sft', initHash: 'ab'.repeat(32), backend: 'wasm' };
  const metrics = (n: number, to: number) =>
    Array.from({ length: n }, (_, i) =>
      jsonLine({
        step: i + 1,
        [M.accuracy]: 0.9,
        [M.rewardMean]: 0.123456789,
        [M.toolCallsMean]: 1 + ((to - 1) * i) / Math.max(1, n - 1),
        [M.zeroToolShare]: 0.1,
        [M.turnsMean]: 2,
        [M.videoAccuracy]: NaN,
        [M.trajectories]: 24,
      }),
    ).join('');
  const arm = (config: typeof A, n: number, to: number) => ({
    config: JSON.stringify({ config, meta, startedAt: '2026-02-03T04:05:06.000Z' }),
    metrics: metrics(n, to),
    samples: [1, 2, 6, 7, n + 5].map((s, i) => ({ path: `samples/step-${String(s).padStart(6, '0')}-t${i}.json`, text: toRecordJson(trajectory(`t${i}`, s === 1)) })),
  });
  return {
    arms: { 'with-tool-reward': arm(A, steps.A, 1.2), 'without-tool-reward': arm(B, steps.B, 0.2) },
    results: JSON.stringify({ settings: { window: 2, command: 'npm run demo:collapse -- --steps 8' } }),
  };
}

describe('recordingFromRunFolders', () => {
  it('keeps the steps both arms finished, the chart metrics rounded, a start and an end sample; the file parses back to it', () => {
    const rec = recordingFromRunFolders(folders({ A: 8, B: 6 }));
    expect(rec.settings).toMatchObject({ seed: 1, steps: 6, plannedSteps: 8, window: 2, toolRewardCoef: { A: 0.1, B: 0 }, command: 'npm run demo:collapse -- --steps 8' });
    expect(rec.settings.startWeights).toEqual({ name: 'collapse-start', model: 'tiny-sft', contentHash: 'ab'.repeat(32) });
    expect(rec.recordedAt).toBe('2026-02-03T04:05:06.000Z');
    expect(rec.arms.A.metrics).toHaveLength(6);
    expect(Object.keys(rec.arms.A.metrics[0]!).sort()).toEqual(['step', ...RECORDED_METRICS].sort());
    expect(rec.arms.A.metrics[0]![M.rewardMean]).toBe(0.1235);
    // Start (step 1, with a tool call) and end (the latest sample up to the last step both finished: 6, not 7 or 13).
    expect(rec.arms.A.samples.map((s) => s.step)).toEqual([1, 6]);
    const start = rec.arms.A.samples[0]!;
    expect(start).toMatchObject({ toolCalls: 1, correct: true, rightAnswer: 'red', question: 'What colour is the small square?' });
    expect(start.turns[0]!.reasoning).toBe('Let me look.');
    expect(start.turns[0]!.code).toBe('print(find("red"))');
    expect(start.turns[0]!.output!.length).toBeLessThanOrEqual(240);
    expect(start.turns[1]!.answer).toBe('red');
    expect(rec.summary.arms['without-tool-reward'].metrics[M.toolCallsMean].end).toBeLessThan(1);

    const json = recordingJson(rec);
    expect(json).not.toContain('data:image');
    expect(parseRecording(json)).toEqual(rec);
  });

  it('refuses arms that differ in more than the tool reward, and a bad metrics line', () => {
    const f = folders({ A: 4, B: 4 });
    const b = JSON.parse(f.arms['without-tool-reward'].config) as { config: Record<string, unknown> };
    b.config.seed = 2;
    f.arms['without-tool-reward'].config = JSON.stringify(b);
    expect(() => recordingFromRunFolders(f)).toThrow(/differ in more than the tool reward/);
    const g = folders({ A: 4, B: 4 });
    g.arms['with-tool-reward'].metrics += '{"step":5,"tools/calls_mean":"x"}\n';
    expect(() => recordingFromRunFolders(g)).toThrow('with-tool-reward/metrics.jsonl, line 5: tools/calls_mean');
  });

  it('samplesToRead: every sample of the earliest and the latest step up to the last step both arms finished', () => {
    const paths = ['samples/step-000003-b.json', 'samples/step-000001-a.json', 'samples/step-000001-c.json', 'samples/step-000009-d.json', 'other.json'];
    expect(samplesToRead(paths)).toEqual(['samples/step-000001-a.json', 'samples/step-000001-c.json', 'samples/step-000009-d.json']);
    expect(samplesToRead(paths, 5)).toEqual(['samples/step-000001-a.json', 'samples/step-000001-c.json', 'samples/step-000003-b.json']);
    expect(samplesToRead([])).toEqual([]);
  });
});
