/**
 * The interaction-collapse demo's report (cli/demoCollapse.ts runs it): the run folders' JSONL
 * files and the tool "pressure" of each update (from groups.jsonl); the summary, the bars and the
 * SVG plot are src/rl/collapseSummary.ts (shared with the page's classroom report). Tested in
 * demoCollapse.test.ts.
 */
import fs from 'node:fs';
import { BARS, finite, type ArmName, type DemoSummary } from '../src/rl/collapseSummary';
import { M, type StepMetrics } from '../src/rl/metrics';
export { ARMS, BARS, TRACKED, armConfigs, collapseSvg, finite, movingAverage, summarize } from '../src/rl/collapseSummary';
export type { ArmName, ArmSummary, DemoSummary, StartEnd } from '../src/rl/collapseSummary';

/** The records of a JSONL file (none when it does not exist yet). */
function readJsonl<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export function readMetrics(file: string): StepMetrics[] {
  return readJsonl<StepMetrics>(file).map((m) => {
    // jsonLine wrote NaN as null.
    const out: StepMetrics = { step: m.step };
    for (const [k, v] of Object.entries(m)) (out as Record<string, number>)[k] = v === null ? NaN : (v as number);
    return out;
  });
}

/** One step's push on tool use, from its group records (groups.jsonl). */
export interface StepPressure {
  step: number;
  /** Trajectories trained on, and how many of them called a tool. */
  trained: number;
  trainedWithTools: number;
  /**
   * Sum of the trained tool-using trajectories' advantages. Within a full group advantages sum
   * to 0, so this is also minus the direct answers' sum: > 0 pushes the policy towards tool
   * calls, < 0 away from them (PyVision-RL's collapse is a run of negative steps).
   */
  toolAdvantageSum: number;
  toolAdvantageMean: number | null;
  directAdvantageMean: number | null;
}

interface GroupsLine {
  step: number;
  groups: Array<{
    fate: string;
    members: Array<{ fate: string; toolCalls?: number; trainAdvantage: number; accuracy?: number; errorType?: string | null }>;
  }>;
}

/** How often each path was taken and right over some steps: the numbers collapse depends on. */
export interface PathStats {
  steps: [number, number];
  tool: { n: number; accuracy: number | null };
  direct: { n: number; accuracy: number | null };
  /** Episodes that ended in an error, by error type (ToolFailure: a simulated failure). */
  errors: Record<string, number>;
}

/**
 * Accuracy of the tool-using and the direct rollouts over steps [from, to] (every rollout of the
 * step, kept or not). GRPO moves tool use towards the path that is right more often, the tool
 * reward adding 0.1 per call to right answers: collapse needs direct > tool, its cure
 * 1.1 × tool > direct (for one call per episode).
 */
export function pathStats(lines: GroupsLine[], from: number, to: number): PathStats {
  const tool = { n: 0, right: 0 };
  const direct = { n: 0, right: 0 };
  const errors: Record<string, number> = {};
  for (const { step, groups } of lines) {
    if (step < from || step > to) continue;
    for (const m of groups.flatMap((g) => g.members)) {
      const path = (m.toolCalls ?? 0) > 0 ? tool : direct;
      path.n++;
      path.right += m.accuracy ?? 0;
      if (m.errorType) errors[m.errorType] = (errors[m.errorType] ?? 0) + 1;
    }
  }
  const acc = (p: { n: number; right: number }) => (p.n ? Number((p.right / p.n).toFixed(3)) : null);
  return { steps: [from, to], tool: { n: tool.n, accuracy: acc(tool) }, direct: { n: direct.n, accuracy: acc(direct) }, errors };
}

/** pathStats over the first and the last third of `steps` steps, and over all of them. */
export function pathThirds(lines: GroupsLine[], steps: number): { first: PathStats; last: PathStats; all: PathStats } {
  const third = Math.max(1, Math.floor(steps / 3));
  return { first: pathStats(lines, 1, third), last: pathStats(lines, steps - third + 1, steps), all: pathStats(lines, 1, steps) };
}

/** Per step: which trajectories were trained on and how their advantages split between tool users and direct answers. */
export function toolPressure(lines: GroupsLine[]): StepPressure[] {
  return lines.map(({ step, groups }) => {
    const trained = groups.filter((g) => g.fate === 'kept').flatMap((g) => g.members.filter((m) => m.fate === 'kept'));
    const tool = trained.filter((m) => (m.toolCalls ?? 0) > 0);
    const direct = trained.filter((m) => (m.toolCalls ?? 0) === 0);
    const sum = (xs: typeof trained) => xs.reduce((s, m) => s + m.trainAdvantage, 0);
    return {
      step,
      trained: trained.length,
      trainedWithTools: tool.length,
      toolAdvantageSum: Number(sum(tool).toFixed(4)),
      toolAdvantageMean: tool.length ? Number((sum(tool) / tool.length).toFixed(4)) : null,
      directAdvantageMean: direct.length ? Number((sum(direct) / direct.length).toFixed(4)) : null,
    };
  });
}

export function readGroups(file: string): GroupsLine[] {
  return readJsonl<GroupsLine>(file);
}

/** `--seeds 1-10` or `--seeds 1,3,5` (or a mix: `1-3,7`) → the seeds in order, each once. */
export function parseSeeds(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(-?\d+)(?:-(-?\d+))?$/.exec(part);
    if (!m) throw new Error(`--seeds: '${part}' is not a seed or a range like 1-10`);
    const [lo, hi] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (hi < lo || hi - lo > 1000) throw new Error(`--seeds: '${part}' is not an increasing range of at most 1000 seeds`);
    for (let s = lo; s <= hi; s++) if (!out.includes(s)) out.push(s);
  }
  if (!out.length) throw new Error('--seeds: no seed given');
  return out;
}

export interface ArmRow {
  toolCallsStart: number | null;
  toolCallsEnd: number | null;
  ratio: number | null;
  accuracyStart: number | null;
  accuracyEnd: number | null;
}

/** One seed's line of the sweep (and `--seed`'s output): the bars' inputs and verdicts. */
export interface SeedRow {
  seed: number;
  pass: boolean;
  steps: number;
  withToolReward: ArmRow & { pass: boolean };
  withoutToolReward: ArmRow & { pass: boolean };
  accuracyPass: boolean;
  wallSeconds: number;
  out: string;
}

export function seedRow(seed: number, summary: DemoSummary, wallSeconds: number, out: string): SeedRow {
  const arm = (a: ArmName): ArmRow => {
    const m = summary.arms[a].metrics;
    return { toolCallsStart: m[M.toolCallsMean].start, toolCallsEnd: m[M.toolCallsMean].end, ratio: m[M.toolCallsMean].ratio, accuracyStart: m[M.accuracy].start, accuracyEnd: m[M.accuracy].end };
  };
  return {
    seed,
    pass: summary.pass,
    steps: summary.comparedSteps,
    withToolReward: { ...arm('with-tool-reward'), pass: summary.bars.withToolReward.pass },
    withoutToolReward: { ...arm('without-tool-reward'), pass: summary.bars.withoutToolReward.pass },
    accuracyPass: summary.bars.accuracy.pass,
    wallSeconds,
    out,
  };
}

/** The sweep's one JSON object: every seed's row, and how many passed. */
export function sweepSummary(rows: SeedRow[]): { seeds: number; passed: number; bars: typeof BARS; rows: SeedRow[]; wallSeconds: number } {
  return { seeds: rows.length, passed: rows.filter((r) => r.pass).length, bars: BARS, rows, wallSeconds: Number(rows.reduce((s, r) => s + r.wallSeconds, 0).toFixed(1)) };
}
