/** Parsing a run's logs for the dashboard, progress/ETA and the config form's clamping. */
import { describe, expect, it } from 'vitest';
import { M } from '../../src/rl/metrics';
import { rlConfig } from '../../src/rl/config';
import { clampField, FIELD_GROUPS, setMix, type NumField } from './configForm';
import { formatEta, progressOf } from './eta';
import { emptyRunData, parseGroups, parseMetrics, sampleId, samplesByStep, series, upToStep, withStep } from './runData';

describe('run data', () => {
  it('metrics: one entry per step (the last line of a step wins), torn lines skipped, NaN as gaps', () => {
    const text = '{"step":2,"rollout/accuracy":0.5}\n{"step":1,"rollout/accuracy":0.25}\n{"step":2,"rollout/accuracy":0.75}\n{"step":3,"rollout/accuracy":null}\n{"step":4,"rol';
    const m = parseMetrics(text);
    expect(m.map((x) => x.step)).toEqual([1, 2, 3]);
    expect(series(m, M.accuracy)).toEqual([
      [1, 0.25],
      [2, 0.75],
      [3, null],
    ]);
  });

  it('groups, samples, live steps and truncation to a resume point', () => {
    expect(Object.keys(parseGroups('{"step":1,"groups":[]}\n{"step":2,"groups":[]}\n'))).toEqual(['1', '2']);
    const samples = samplesByStep(['samples/step-000002-s1-p2-g0.json', 'samples/step-000010-s9-p0-g1.json']);
    expect(samples).toEqual({ 2: ['samples/step-000002-s1-p2-g0.json'], 10: ['samples/step-000010-s9-p0-g1.json'] });
    expect(sampleId('samples/step-000002-s1-p2-g0.json')).toBe('s1-p2-g0');
    let d = emptyRunData();
    d = withStep(d, 2, { step: 2 }, [], []);
    d = withStep(d, 1, { step: 1 }, [], ['a']);
    d = withStep(d, 2, { step: 2, [M.accuracy]: 1 }, [], []);
    expect(d.metrics).toEqual([{ step: 1 }, { step: 2, [M.accuracy]: 1 }]);
    const cut = upToStep(d, 1);
    expect(cut.metrics).toEqual([{ step: 1 }]);
    expect(Object.keys(cut.groups)).toEqual(['1']);
  });

  it('progress and ETA', () => {
    expect(progressOf({ done: 0, total: 4, rollout: null, stepMs: [] })).toEqual({ fraction: 0, etaMs: null });
    const p = progressOf({ done: 2, total: 4, rollout: { done: 1, total: 2 }, stepMs: [1000, 3000] });
    expect(p.fraction).toBeCloseTo((2 + 0.4) / 4);
    expect(p.etaMs).toBeCloseTo((4 - 2 - 0.4) * 2000);
    expect(formatEta(95_000)).toBe('1 min 35 s');
  });

  it('config form: every field reads and writes its config key; numbers are clamped', () => {
    const c = rlConfig({ preset: 'demo' });
    for (const g of FIELD_GROUPS)
      for (const f of g.fields) {
        if (f.kind === 'bool') expect(f.get(f.set(c, !f.get(c)))).toBe(!f.get(c));
        else expect(f.get(f.set(c, f.min))).toBe(f.min);
      }
    const G = FIELD_GROUPS.flatMap((g) => g.fields).find((f) => f.id === 'groupSize') as NumField;
    expect(clampField(G, 1)).toBe(2);
    expect(clampField(G, 3.6)).toBe(4);
    expect(Number.isNaN(clampField(G, NaN))).toBe(true);
    expect(setMix(c, 'counting', 0).mix.counting).toBeUndefined();
  });
});
