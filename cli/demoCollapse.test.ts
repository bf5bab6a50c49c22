/** `npm run demo:collapse`'s pure parts: arm configs, the start/end summary and its bars, the SVG. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RL_PRESETS, rlConfig } from '../src/rl/config';
import { M, type StepMetrics } from '../src/rl/metrics';
import { ARMS, armConfigs, collapseSvg, movingAverage, parseSeeds, pathStats, pathThirds, readMetrics, seedRow, summarize, sweepSummary, toolPressure } from './collapseReport';
import { parseMix } from '../src/tasks/suites';
import { COLLAPSE_DEMO, collapseArms, collapseDemoBase } from '../src/rl/collapseDemo';
import { DEFAULT_INIT, demoArmConfigs, parseDemoArgs } from './demoCollapse';

/** Synthetic metrics: tool calls go from `from` to `to` linearly over n steps. */
function arm(n: number, from: number, to: number, acc = 0.5): StepMetrics[] {
  return Array.from({ length: n }, (_, i) => ({
    step: i + 1,
    [M.toolCallsMean]: from + ((to - from) * i) / Math.max(1, n - 1),
    [M.zeroToolShare]: 1 - (from + ((to - from) * i) / Math.max(1, n - 1)),
    [M.accuracy]: acc,
    [M.turnsMean]: 1 + from,
    [M.rewardMean]: acc,
    [M.trajectories]: 24,
  }));
}

describe('demo:collapse', () => {
  it('builds two arms that differ only in the tool-reward coefficient', () => {
    const base = rlConfig({ preset: 'collapse' });
    const c = armConfigs(base, 0.1);
    expect(c['with-tool-reward'].toolRewardCoef).toBe(0.1);
    expect(c['without-tool-reward'].toolRewardCoef).toBe(0);
    expect({ ...c['with-tool-reward'], toolRewardCoef: 0 }).toEqual(c['without-tool-reward']);
    expect(RL_PRESETS.collapse.seed).toBe(RL_PRESETS.demo.seed);
  });

  it("the page's one-click demo runs exactly the headless default (no options)", () => {
    // CollapseDemo.tsx launches collapseArms(collapseDemoBase()) from COLLAPSE_DEMO.startWeights.
    const headless = demoArmConfigs(parseDemoArgs([]));
    const page = collapseArms(collapseDemoBase());
    expect(headless['with-tool-reward']).toEqual(page.A);
    expect(headless['without-tool-reward']).toEqual(page.B);
    expect(page.A.toolRewardCoef).toBeGreaterThan(0);
    expect(DEFAULT_INIT).toBe(`public/models/${COLLAPSE_DEMO.startWeights}`);
    expect(fs.existsSync(path.join(DEFAULT_INIT, 'model.json'))).toBe(true);
    // An option moves the headless run away from the page's, so the check above can fail.
    expect(demoArmConfigs(parseDemoArgs(['--steps', '3']))['with-tool-reward']).not.toEqual(page.A);
  });

  it('parses --mix and rejects unknown suites or empty mixes', () => {
    expect(parseMix('visual-search-large=2,counting=1')).toEqual({ 'visual-search-large': 2, counting: 1 });
    expect(() => parseMix('nope=1')).toThrow(/unknown suite 'nope'/);
    expect(() => parseMix('counting=0')).toThrow(/no suite/);
    expect(() => parseMix('counting=x')).toThrow(/must be a number/);
  });

  it('passes when the no-reward arm halves its tool calls, the reward arm keeps 90 % and is at least as accurate', () => {
    const s = summarize({ 'with-tool-reward': arm(10, 1, 0.9), 'without-tool-reward': arm(10, 1, 0.2) }, 1);
    expect(s.comparedSteps).toBe(10);
    expect(s.sameStart).toBe(true);
    expect(s.arms['without-tool-reward'].metrics[M.toolCallsMean]).toEqual({ start: 1, end: 0.2, ratio: 0.2 });
    expect(s.arms['with-tool-reward'].metrics[M.toolCallsMean].ratio).toBeCloseTo(0.9);
    expect(s.arms['with-tool-reward'].firstStepToolCalls).toBe(1);
    expect(s.bars.withoutToolReward.pass && s.bars.withToolReward.pass && s.bars.accuracy.pass && s.pass).toBe(true);
    // The same tool curves, but the no-reward arm ends more accurate: the accuracy bar fails.
    const less = summarize({ 'with-tool-reward': arm(10, 1, 0.9, 0.6), 'without-tool-reward': arm(10, 1, 0.2, 0.7) }, 1);
    expect(less.bars.withToolReward.pass && less.bars.withoutToolReward.pass).toBe(true);
    expect(less.bars.accuracy).toEqual({ withEnd: 0.6, withoutEnd: 0.7, pass: false });
    expect(less.pass).toBe(false);
  });

  it('the sweep: parses seed lists and ranges, and prints one row per seed with the counts', () => {
    expect(parseSeeds('1-3,7,2')).toEqual([1, 2, 3, 7]);
    expect(parseSeeds('5')).toEqual([5]);
    expect(() => parseSeeds('3-1')).toThrow(/increasing range/);
    expect(() => parseSeeds('a')).toThrow(/not a seed/);
    const good = summarize({ 'with-tool-reward': arm(10, 1, 0.95), 'without-tool-reward': arm(10, 1, 0.1) }, 5);
    const bad = summarize({ 'with-tool-reward': arm(10, 1, 0.5), 'without-tool-reward': arm(10, 1, 0.1) }, 5);
    const rows = [seedRow(1, good, 100, '/o/seed-1'), seedRow(2, bad, 120, '/o/seed-2')];
    expect(rows[0]).toMatchObject({ seed: 1, pass: true, steps: 10, accuracyPass: true, withoutToolReward: { pass: true }, withToolReward: { pass: true } });
    expect(rows[1]).toMatchObject({ seed: 2, pass: false, withToolReward: { pass: false } });
    expect(rows[0]!.withoutToolReward.toolCallsStart).toBeCloseTo(1 - (0.9 / 9) * 2);
    expect(rows[0]!.withoutToolReward.ratio).toBeCloseTo(rows[0]!.withoutToolReward.toolCallsEnd! / rows[0]!.withoutToolReward.toolCallsStart!, 3);
    const sweep = sweepSummary(rows);
    expect(sweep).toMatchObject({ seeds: 2, passed: 1, wallSeconds: 220, bars: { withoutMaxRatio: 0.5, withMinRatio: 0.9 } });
    expect(JSON.parse(JSON.stringify(sweep))).toEqual(sweep);
  });

  it('fails each bar on its own side, averages the end windows and compares only common steps', () => {
    // Without reward falls only to 60 %: that bar fails; with reward falls to 70 %: that one fails too.
    const s = summarize({ 'with-tool-reward': arm(9, 1, 0.7), 'without-tool-reward': arm(9, 1, 0.6) }, 1);
    expect(s.bars.withoutToolReward.pass).toBe(false);
    expect(s.bars.withToolReward.pass).toBe(false);
    expect(s.pass).toBe(false);
    // A window of 3 averages steps 1–3 and 7–9 (linear: the means are the values at steps 2 and 8).
    const w = summarize({ 'with-tool-reward': arm(9, 1, 0.2), 'without-tool-reward': arm(9, 1, 0.2) }, 3);
    expect(w.window).toBe(3);
    expect(w.arms['with-tool-reward'].metrics[M.toolCallsMean].start).toBeCloseTo(0.9);
    expect(w.arms['with-tool-reward'].metrics[M.toolCallsMean].end).toBeCloseTo(0.3);
    // Arms of different lengths: only the first min(n) steps count.
    const u = summarize({ 'with-tool-reward': arm(12, 1, 1), 'without-tool-reward': arm(6, 1, 0) }, 1);
    expect(u.comparedSteps).toBe(6);
    expect(u.arms['with-tool-reward'].steps).toBe(6);
    // A different first step (another checkpoint or seed) is flagged.
    const d = summarize({ 'with-tool-reward': arm(4, 1, 1), 'without-tool-reward': arm(4, 0.8, 0) }, 1);
    expect(d.sameStart).toBe(false);
    // Nothing to compare: no pass, no crash.
    const e = summarize({ 'with-tool-reward': [], 'without-tool-reward': [] });
    expect(e.comparedSteps).toBe(0);
    expect(e.pass).toBe(false);
    expect(e.arms['with-tool-reward'].metrics[M.toolCallsMean].ratio).toBeNull();
  });

  it('smooths with a trailing moving average that skips missing values', () => {
    expect(movingAverage([1, 3, null, 5], 2)).toEqual([1, 2, 3, 5]);
    expect(movingAverage([null, null], 3)).toEqual([null, null]);
  });

  it('draws a well-formed SVG with both arms in all four panels and the bars', () => {
    const arms = { 'with-tool-reward': arm(8, 1, 0.95), 'without-tool-reward': arm(8, 1, 0.3) };
    arms['without-tool-reward'][3]![M.accuracy] = NaN;
    const svg = collapseSvg(arms, { subtitle: 'a < b & c', smooth: 3, summary: summarize(arms, 2) });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('a &lt; b &amp; c');
    expect((svg.match(/<polyline /g) ?? []).length).toBe(8);
    expect(svg).toContain('bar: 0.5 × start');
    expect(svg).toContain('bar: 0.9 × start');
    expect(svg).not.toMatch(/NaN|undefined/);
    // Balanced tags (every opened g is closed).
    expect((svg.match(/<g>/g) ?? []).length).toBe((svg.match(/<\/g>/g) ?? []).length);
    for (const a of ARMS) expect(svg).toContain(a === 'with-tool-reward' ? 'with tool reward' : 'without tool reward');
  });

  it('reads metrics.jsonl with nulls (NaN) back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-'));
    const file = path.join(dir, 'metrics.jsonl');
    fs.writeFileSync(file, `{"step":1,"tools/calls_mean":1,"video/accuracy":null}\n{"step":2,"tools/calls_mean":0.5}\n`);
    const m = readMetrics(file);
    expect(m).toHaveLength(2);
    expect(m[0]![M.videoAccuracy]).toBeNaN();
    expect(m[1]![M.toolCallsMean]).toBe(0.5);
    expect(readMetrics(path.join(dir, 'missing.jsonl'))).toEqual([]);
  });
});

describe('demo:collapse tool pressure', () => {
  it('sums the trained tool users’ advantages per step (dropped groups and members do not count)', () => {
    const p = toolPressure([
      {
        step: 1,
        groups: [
          { fate: 'kept', members: [{ fate: 'kept', toolCalls: 1, trainAdvantage: -0.5 }, { fate: 'kept', toolCalls: 0, trainAdvantage: 0.5 }, { fate: 'dropped', toolCalls: 2, trainAdvantage: 9 }] },
          { fate: 'all-correct', members: [{ fate: 'dropped', toolCalls: 1, trainAdvantage: 0 }] },
        ],
      },
      { step: 2, groups: [] },
    ]);
    expect(p[0]).toEqual({ step: 1, trained: 2, trainedWithTools: 1, toolAdvantageSum: -0.5, toolAdvantageMean: -0.5, directAdvantageMean: 0.5 });
    expect(p[1]).toEqual({ step: 2, trained: 0, trainedWithTools: 0, toolAdvantageSum: 0, toolAdvantageMean: null, directAdvantageMean: null });
  });

  it('splits every rollout (kept or not) into tool and direct paths with their accuracy and error types', () => {
    const member = (toolCalls: number, accuracy: number, errorType: string | null = null) => ({ fate: 'group-dropped', toolCalls, trainAdvantage: 0, accuracy, errorType });
    const lines = [
      { step: 1, groups: [{ fate: 'kept', members: [member(1, 1), member(1, 0, 'ToolFailure'), member(0, 1), member(0, 1)] }] },
      { step: 2, groups: [{ fate: 'all-correct', members: [member(0, 1), member(2, 1)] }] },
      { step: 3, groups: [{ fate: 'kept', members: [member(1, 0, 'NameError'), member(0, 0)] }] },
    ];
    const s = pathStats(lines, 1, 2);
    expect(s).toEqual({ steps: [1, 2], tool: { n: 3, accuracy: 0.667 }, direct: { n: 3, accuracy: 1 }, errors: { ToolFailure: 1 } });
    const t = pathThirds(lines, 3);
    expect(t.first.steps).toEqual([1, 1]);
    expect(t.last).toEqual({ steps: [3, 3], tool: { n: 1, accuracy: 0 }, direct: { n: 1, accuracy: 0 }, errors: { NameError: 1 } });
    expect(t.all.tool.n + t.all.direct.n).toBe(8);
    expect(pathStats(lines, 9, 9).tool.accuracy).toBeNull();
  });
});
