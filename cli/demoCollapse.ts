/**
 * `npm run demo:collapse -- [--init dir] [--make-init] [--out dir] [--steps N] [--minutes M] [--seed s]
 *     [--tool-reward c] [--tool-failure p] [--lr x] [--group G] [--prompts P] [--oversample f] [--max-turns T]
 *     [--temperature t] [--mix suite=w,…] [--std-norm] [--no-std-rank] [--window k]
 *     [--python-workers k] [--backend wasm|cpu] [--strict]`
 *
 * Interaction collapse (DESIGN.md §2), headless: two GRPO runs from the same SFT checkpoint with
 * the same seeds (so the same tasks and the same first rollouts), differing only in the
 * accumulative tool reward's coefficient: `--tool-reward` (default 0.1) in the arm
 * "with-tool-reward", 0 in "without-tool-reward". The arms run in parallel, one `npm run train`
 * child process each (cli/train.ts, the trainer the browser worker runs), one per core. Both are
 * stopped after --steps or --minutes, whichever comes first; the comparison uses the steps both
 * finished.
 *
 * Writes into --out (default runs/collapse-<time>): with-tool-reward/ and without-tool-reward/
 * (each a normal run folder: config.json, metrics.jsonl, groups.jsonl, samples/, checkpoints/),
 * results.json (settings, both arms' per-step metrics, start vs end, ratios, the bars
 * and whether they were met, wall time, machine load) and collapse.svg (tool calls per
 * trajectory, zero-tool share, accuracy and turns per step, both arms). Prints the summary as
 * JSON on stdout; progress on stderr. --strict exits 1 when a bar is missed.
 *
 * The bars (issue 5 §4): in the arm without tool reward the mean tool calls per trajectory
 * fall to half the start or less; the arm with it keeps at least 80 % of its start. Start and
 * end are means over the first and the last --window steps (default 3): one step's rollouts
 * (24 trajectories in the collapse preset) are too few for a single-step reading. Step 1's
 * rollouts come from the SFT checkpoint itself, identically in both arms.
 *
 * Ablations (DESIGN.md §2), one command each: `--std-norm` (divide advantages by the group
 * std) and `--no-std-rank` (keep groups in rollout order instead of by reward std).
 *
 * results.json also holds, per arm and step, the tool "pressure" of the update (toolPressure):
 * the summed advantage of the trained tool-using trajectories; > 0 pushes towards tool calls.
 *
 * `--tool-failure p` makes a share p of tool calls fail as a flaky sandbox's would (a timeout
 * the policy cannot prevent; the episode ends with reward 0): how much risk a tool call adds.
 *
 * Why the bars are not met yet (2026-11-21). GRPO moves tool use towards whichever path is
 * right more often; the tool reward adds 0.1 per call to correct answers. So the arm without it
 * collapses only if a direct answer is more often right than a tool call (a_direct > a_tool),
 * and the arm with it holds only if 1.1 · a_tool > a_direct: a narrow window. Measured:
 * - Old starts: the direct path was at chance on every task (its visual reading had never been
 *   trained enough: fine-tuning on direct glance answers alone lifts held-out colour reading
 *   from chance to 0.8 in 300 steps of 8, so it is data and steps, not the pathway).
 * - The current start (DEFAULT_INIT): in the demo's own rollouts (runs/…/groups.jsonl), steps
 *   1–5: direct 0.65–0.71, tools 0.95 (no failures) or 0.73–0.76 (--tool-failure 0.2).
 *   Plain: both arms went from 0.68 to 1.00 tool calls per trajectory in 60 steps (accuracy
 *   0.82 → 1.00): tools win. With --tool-failure 0.2, over the whole run tools were right 0.62–
 *   0.64 and direct answers 0.70; the arm with the tool reward went from 0.64 to 0.85 calls, the
 *   arm without it stayed (0.61 → 0.63): the tool reward's effect shows, collapse does not (the
 *   first steps, where tools were still ahead, moved both arms towards tools).
 * Next: a start whose direct answers are right ≳ 0.9 at T = 1 (more direct-answer SFT), then the
 * failure rate that puts a_tool inside the window, then the ablations. Measured last, not yet
 * run through the demo: INIT_ARGS with --tasks 800 --skip 0.7 --steps 900 (from the shipped
 * 05e7e354…, 31 min) gives direct 1.00 (87 % of episodes) and tools 0.92 at T = 1.
 * (Earlier, from a start whose tool path was itself at chance, both arms collapsed: 0.57 → 0
 * and 0.58 → 0 tool calls in 60 steps.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rlConfig, validateRlConfig, type RlConfig } from '../src/rl/config';
import { M, type StepMetrics } from '../src/rl/metrics';
import { isSuiteName, parseMix, type SuiteName } from '../src/tasks/suites';

export { parseMix };
import { runIfMain } from './runMain';

const USAGE =
  'usage: npm run demo:collapse -- [--init dir] [--make-init] [--out dir] [--steps N] [--minutes M] [--seed s] [--tool-reward c] [--tool-failure p] [--lr x] [--group G] [--prompts P] [--oversample f] [--max-turns T] [--temperature t] [--mix suite=w,…] [--std-norm] [--no-std-rank] [--window k] [--python-workers k] [--backend wasm|cpu] [--strict]';

/**
 * The checkpoint the demo starts from unless --init says otherwise: the shipped policy
 * fine-tuned (train:sft --init) on glance tasks only, half of them answered directly (skip 0.5,
 * no counterfactual copies) and 15 % of the tool-using ones with a coding slip the expert then
 * fixes. Sampling at T = 1 then produces both behaviours with about equal accuracy (measured with
 * `npm run eval -- --weights .cache/models/collapse-sft --suite visual-search-glance --n 100
 * --seed 101 --temperature 1 --items f`: direct 0.82 in 56 % of episodes, tools 0.84 in 44 %,
 * 7 % of episodes ending in a slip, which training-time error semantics score 0). The shipped
 * checkpoint itself almost never answers directly: too rarely for GRPO to find the alternative
 * in minutes. `--make-init` builds it first with INIT_COMMAND (≈ 12 min alone on a 2-core
 * machine: 2 min of expert data, 10 min of training), deterministic in its seed.
 */
export const DEFAULT_INIT = '.cache/models/collapse-sft';
export const INIT_ARGS = [
  ...['--init', 'public/models/tiny', '--mix', 'visual-search-glance=1', '--tasks', '400', '--skip', '0.5', '--slip', '0.15'],
  ...['--augment', '0', '--upfront', '0', '--steps', '600', '--batch', '8', '--seq-len', '384', '--lr', '1e-3', '--seed', '1'],
];
export const INIT_COMMAND = `npm run train:sft -- ${INIT_ARGS.join(' ')} --out ${DEFAULT_INIT}`;
export const ARMS = ['with-tool-reward', 'without-tool-reward'] as const;
export type ArmName = (typeof ARMS)[number];

/** The bars on tool calls per trajectory (end / start). */
export const BARS = { withoutMaxRatio: 0.5, withMinRatio: 0.8 } as const;

/** The metrics the demo reads, plots and summarises. */
export const TRACKED = [M.toolCallsMean, M.zeroToolShare, M.accuracy, M.turnsMean, M.rewardMean] as const;
type Tracked = (typeof TRACKED)[number];

// ---------------------------------------------------------------------------------------------
// Pure parts (tested in demoCollapse.test.ts)
// ---------------------------------------------------------------------------------------------

/** The two arms' configs: identical but for the tool reward. */
export function armConfigs(base: RlConfig, toolRewardCoef: number): Record<ArmName, RlConfig> {
  return {
    'with-tool-reward': { ...base, toolRewardCoef },
    'without-tool-reward': { ...base, toolRewardCoef: 0 },
  };
}


const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

function meanOf(rows: StepMetrics[], name: Tracked): number | null {
  const xs = rows.map((r) => r[name]).filter(finite);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export interface StartEnd {
  start: number | null;
  end: number | null;
  /** end / start (null when start is 0 or unknown). */
  ratio: number | null;
}

export interface ArmSummary {
  steps: number;
  /** Tool calls per trajectory at step 1 (the SFT checkpoint's own rollouts). */
  firstStepToolCalls: number | null;
  metrics: Record<Tracked, StartEnd>;
}

export interface DemoSummary {
  /** Steps both arms finished (the comparison uses these). */
  comparedSteps: number;
  /** Steps per mean at each end. */
  window: number;
  /** Both arms' step-1 rollouts are the same SFT policy on the same tasks with the same seeds. */
  sameStart: boolean;
  arms: Record<ArmName, ArmSummary>;
  bars: {
    withoutToolReward: { maxRatio: number; ratio: number | null; pass: boolean };
    withToolReward: { minRatio: number; ratio: number | null; pass: boolean };
  };
  pass: boolean;
}

const round = (x: number | null, d = 4): number | null => (x === null ? null : Number(x.toFixed(d)));

/** Start vs end of each tracked metric per arm, and the bars. */
export function summarize(arms: Record<ArmName, StepMetrics[]>, window = 3): DemoSummary {
  const n = Math.min(arms['with-tool-reward'].length, arms['without-tool-reward'].length);
  const w = Math.max(1, Math.min(window, Math.floor(n / 2) || 1));
  const out = {} as Record<ArmName, ArmSummary>;
  for (const arm of ARMS) {
    const rows = [...arms[arm]].sort((a, b) => a.step - b.step).slice(0, n);
    const head = rows.slice(0, w);
    const tail = rows.slice(Math.max(0, n - w));
    const metrics = {} as Record<Tracked, StartEnd>;
    for (const name of TRACKED) {
      const start = n ? meanOf(head, name) : null;
      const end = n ? meanOf(tail, name) : null;
      metrics[name] = { start: round(start), end: round(end), ratio: start && end !== null ? round(end / start) : null };
    }
    const first = rows[0]?.[M.toolCallsMean];
    out[arm] = { steps: n, firstStepToolCalls: finite(first) ? first : null, metrics };
  }
  const withRatio = out['with-tool-reward'].metrics[M.toolCallsMean].ratio;
  const withoutRatio = out['without-tool-reward'].metrics[M.toolCallsMean].ratio;
  const firstA = arms['with-tool-reward'].find((r) => r.step === 1);
  const firstB = arms['without-tool-reward'].find((r) => r.step === 1);
  const sameStart =
    !!firstA && !!firstB && [M.toolCallsMean, M.accuracy, M.turnsMean, M.trajectories].every((k) => firstA[k] === firstB[k] || (!finite(firstA[k]) && !finite(firstB[k])));
  const bars = {
    withoutToolReward: { maxRatio: BARS.withoutMaxRatio, ratio: withoutRatio, pass: n > 1 && withoutRatio !== null && withoutRatio <= BARS.withoutMaxRatio },
    withToolReward: { minRatio: BARS.withMinRatio, ratio: withRatio, pass: n > 1 && withRatio !== null && withRatio >= BARS.withMinRatio },
  };
  return { comparedSteps: n, window: w, sameStart, arms: out, bars, pass: bars.withoutToolReward.pass && bars.withToolReward.pass };
}

/** Trailing moving average (the first points average what there is). */
export function movingAverage(xs: Array<number | null>, k: number): Array<number | null> {
  return xs.map((_, i) => {
    const win = xs.slice(Math.max(0, i - k + 1), i + 1).filter(finite);
    return win.length ? win.reduce((a, b) => a + b, 0) / win.length : null;
  });
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (x: number) => (Math.abs(x) >= 10 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(1) : x.toFixed(2));

const ARM_STYLE: Record<ArmName, { colour: string; label: string }> = {
  'with-tool-reward': { colour: '#1f6fb4', label: 'with tool reward' },
  'without-tool-reward': { colour: '#d1452b', label: 'without tool reward (coef 0)' },
};

const PANELS: Array<{ metric: Tracked; title: string; min?: number; max?: number }> = [
  { metric: M.toolCallsMean, title: 'tool calls per trajectory (tools/calls_mean)', min: 0 },
  { metric: M.zeroToolShare, title: 'share with no tool call (tools/zero_share)', min: 0, max: 1 },
  { metric: M.accuracy, title: 'accuracy (rollout/accuracy)', min: 0, max: 1 },
  { metric: M.turnsMean, title: 'turns per trajectory (rollout/turns_mean)', min: 0 },
];

/**
 * A static 2×2 plot of both arms (hand-written SVG, no dependencies): faint dots per step, a
 * moving average over `smooth` steps as the line; the tool-call panel also draws the two bars
 * (half of the no-reward arm's start, 80 % of the reward arm's start) as dashed lines.
 */
export function collapseSvg(arms: Record<ArmName, StepMetrics[]>, opts: { title?: string; subtitle?: string; smooth?: number; summary?: DemoSummary } = {}): string {
  const W = 920;
  const PW = 430;
  const PH = 250;
  const top = 64;
  const H = top + 2 * (PH + 30) + 40;
  const smooth = opts.smooth ?? 3;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="20" y="22" font-size="15" font-weight="bold">${esc(opts.title ?? 'Interaction collapse: GRPO with and without the accumulative tool reward')}</text>`);
  if (opts.subtitle) parts.push(`<text x="20" y="40" fill="#444">${esc(opts.subtitle)}</text>`);
  // Legend.
  ARMS.forEach((arm, i) => {
    const x = 20 + i * 260;
    parts.push(`<line x1="${x}" y1="54" x2="${x + 24}" y2="54" stroke="${ARM_STYLE[arm].colour}" stroke-width="2.5"/>`);
    parts.push(`<text x="${x + 30}" y="58">${esc(ARM_STYLE[arm].label)}</text>`);
  });
  parts.push(`<text x="560" y="58" fill="#666">dots: one step; line: mean of the last ${smooth} steps</text>`);
  const maxStep = Math.max(1, ...ARMS.flatMap((a) => arms[a].map((r) => r.step)));
  PANELS.forEach((panel, pi) => {
    const ox = 20 + (pi % 2) * (PW + 30);
    const oy = top + Math.floor(pi / 2) * (PH + 30);
    const L = 40;
    const R = 10;
    const T = 22;
    const B = 28;
    const vals = ARMS.flatMap((a) => arms[a].map((r) => r[panel.metric]).filter(finite));
    let lo = panel.min ?? Math.min(0, ...vals);
    let hi = panel.max ?? Math.max(...vals, lo + 1e-9);
    if (panel.max === undefined) hi = hi <= 0 ? 1 : hi * 1.1;
    if (hi - lo < 1e-9) hi = lo + 1;
    const sx = (s: number) => ox + L + ((s - 1) / Math.max(1, maxStep - 1)) * (PW - L - R);
    const sy = (v: number) => oy + T + (1 - (v - lo) / (hi - lo)) * (PH - T - B);
    parts.push(`<g>`);
    parts.push(`<rect x="${ox + L}" y="${oy + T}" width="${PW - L - R}" height="${PH - T - B}" fill="#fafafa" stroke="#ccc"/>`);
    parts.push(`<text x="${ox + L}" y="${oy + 14}" font-weight="bold">${esc(panel.title)}</text>`);
    for (let k = 0; k <= 4; k++) {
      const v = lo + ((hi - lo) * k) / 4;
      const y = sy(v);
      parts.push(`<line x1="${ox + L}" y1="${y.toFixed(1)}" x2="${ox + PW - R}" y2="${y.toFixed(1)}" stroke="#e6e6e6"/>`);
      parts.push(`<text x="${ox + L - 4}" y="${(y + 3).toFixed(1)}" text-anchor="end" fill="#555">${fmt(v)}</text>`);
    }
    const ticks = Math.min(maxStep, 8);
    for (let k = 0; k < ticks; k++) {
      const s = Math.round(1 + ((maxStep - 1) * k) / Math.max(1, ticks - 1));
      parts.push(`<text x="${sx(s).toFixed(1)}" y="${oy + PH - B + 14}" text-anchor="middle" fill="#555">${s}</text>`);
    }
    parts.push(`<text x="${ox + L + (PW - L - R) / 2}" y="${oy + PH - 2}" text-anchor="middle" fill="#555">RL step</text>`);
    if (panel.metric === M.toolCallsMean && opts.summary) {
      const barLines: Array<[ArmName, number | null, string]> = [
        ['without-tool-reward', opts.summary.arms['without-tool-reward'].metrics[M.toolCallsMean].start, `${BARS.withoutMaxRatio} × start`],
        ['with-tool-reward', opts.summary.arms['with-tool-reward'].metrics[M.toolCallsMean].start, `${BARS.withMinRatio} × start`],
      ];
      for (const [arm, start, label] of barLines) {
        if (start === null) continue;
        const v = arm === 'without-tool-reward' ? start * BARS.withoutMaxRatio : start * BARS.withMinRatio;
        if (v < lo || v > hi) continue;
        const y = sy(v).toFixed(1);
        parts.push(`<line x1="${ox + L}" y1="${y}" x2="${ox + PW - R}" y2="${y}" stroke="${ARM_STYLE[arm].colour}" stroke-dasharray="5 4" stroke-opacity="0.7"/>`);
        parts.push(`<text x="${ox + PW - R - 2}" y="${Number(y) - 3}" text-anchor="end" fill="${ARM_STYLE[arm].colour}">bar: ${esc(label)}</text>`);
      }
    }
    for (const arm of ARMS) {
      const rows = [...arms[arm]].sort((a, b) => a.step - b.step);
      const colour = ARM_STYLE[arm].colour;
      for (const r of rows) {
        const v = r[panel.metric];
        if (finite(v)) parts.push(`<circle cx="${sx(r.step).toFixed(1)}" cy="${sy(v).toFixed(1)}" r="2.2" fill="${colour}" fill-opacity="0.35"/>`);
      }
      const avg = movingAverage(rows.map((r) => r[panel.metric] ?? null), smooth);
      const pts = rows.map((r, i) => (avg[i] === null ? null : `${sx(r.step).toFixed(1)},${sy(avg[i]!).toFixed(1)}`)).filter((p): p is string => p !== null);
      if (pts.length > 1) parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${colour}" stroke-width="2.2"/>`);
      else if (pts.length === 1) parts.push(`<circle cx="${pts[0]!.split(',')[0]}" cy="${pts[0]!.split(',')[1]}" r="3" fill="${colour}"/>`);
    }
    parts.push(`</g>`);
  });
  parts.push(`</svg>`);
  return parts.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

function num(name: string, v: string | undefined, { int = false, min = 0 } = {}): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || (int && !Number.isInteger(x)) || x < min) throw new Error(`--${name} must be ${int ? 'an integer' : 'a number'} ≥ ${min}, got '${v}'`);
  return x;
}

export function readMetrics(file: string): StepMetrics[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as StepMetrics)
    .map((m) => {
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
  groups: Array<{ fate: string; members: Array<{ fate: string; toolCalls?: number; trainAdvantage: number }> }>;
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
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as GroupsLine);
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      init: { type: 'string', default: DEFAULT_INIT },
      out: { type: 'string' },
      steps: { type: 'string' },
      minutes: { type: 'string', default: '18' },
      seed: { type: 'string' },
      'tool-reward': { type: 'string', default: '0.1' },
      'tool-failure': { type: 'string' },
      lr: { type: 'string' },
      group: { type: 'string' },
      prompts: { type: 'string' },
      oversample: { type: 'string' },
      'max-turns': { type: 'string' },
      temperature: { type: 'string' },
      mix: { type: 'string' },
      'std-norm': { type: 'boolean' },
      'no-std-rank': { type: 'boolean' },
      window: { type: 'string', default: '3' },
      'python-workers': { type: 'string', default: '3' },
      backend: { type: 'string', default: 'wasm' },
      strict: { type: 'boolean' },
      'make-init': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const over: Partial<RlConfig> = {};
  const set = <K extends keyof RlConfig>(k: K, v: RlConfig[K] | undefined) => v !== undefined && (over[k] = v);
  set('steps', num('steps', values.steps, { int: true, min: 1 }));
  set('seed', num('seed', values.seed, { int: true }));
  set('groupSize', num('group', values.group, { int: true, min: 2 }));
  set('promptsPerStep', num('prompts', values.prompts, { int: true, min: 1 }));
  set('oversample', num('oversample', values.oversample, { min: 1 }));
  set('maxTurns', num('max-turns', values['max-turns'], { int: true, min: 1 }));
  set('temperature', num('temperature', values.temperature));
  set('toolFailureRate', num('tool-failure', values['tool-failure']));
  if (values.mix) over.mix = parseMix(values.mix);
  if (values['std-norm']) over.stdNormalize = true;
  if (values['no-std-rank']) over.rankByStd = false;
  const lr = num('lr', values.lr);
  if (lr !== undefined) over.optim = { lr };
  const base = validateRlConfig(rlConfig({ preset: 'collapse', ...over }));
  const coef = num('tool-reward', values['tool-reward'])!;
  if (!(coef > 0)) throw new Error('--tool-reward must be > 0 (the other arm is the one with 0)');
  const configs = armConfigs(base, coef);
  const minutes = num('minutes', values.minutes)!;
  const window = num('window', values.window, { int: true, min: 1 })!;
  const workers = num('python-workers', values['python-workers'], { int: true, min: 1 })!;

  const init = path.resolve(values.init!);
  const trainCli = path.join(path.dirname(fileURLToPath(import.meta.url)), 'train.ts');
  if (values['make-init'] && !fs.existsSync(path.join(init, 'model.json'))) {
    const sftArgs = [...process.execArgv, path.join(path.dirname(trainCli), 'trainSft.ts'), ...INIT_ARGS, '--out', init];
    console.error(`demo:collapse: building the SFT start into ${init} (npm run train:sft -- ${INIT_ARGS.join(' ')} --out ${init})…`);
    const code = await new Promise<number | null>((resolve) => spawn(process.execPath, sftArgs, { stdio: ['ignore', 'ignore', 'inherit'] }).on('exit', resolve));
    if (code !== 0) throw new Error(`building the SFT start failed (exit ${code})`);
  }
  if (!fs.existsSync(path.join(init, 'model.json')))
    throw new Error(
      `--init: no model.json in ${init}. ` +
        (values.init === DEFAULT_INIT ? `The demo's SFT start is made by: ${INIT_COMMAND} (or add --make-init)` : 'Pass an SFT checkpoint folder (npm run train:sft).'),
    );
  const out = path.resolve(values.out ?? path.join('runs', `collapse-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`));
  for (const arm of ARMS) if (fs.existsSync(path.join(out, arm))) throw new Error(`--out: ${path.join(out, arm)} already exists; choose a new --out`);
  fs.mkdirSync(out, { recursive: true });
  const initCard = readJsonOrNull(path.join(init, 'card.json'));

  const loads: Array<{ t: number; load1: number }> = [];
  const sampleLoad = () => loads.push({ t: Math.round((Date.now() - t0) / 1000), load1: Number(os.loadavg()[0]!.toFixed(2)) });
  const t0 = Date.now();
  sampleLoad();
  const loadTimer = setInterval(sampleLoad, 30_000);
  console.error(
    `demo:collapse → ${out}: 2 arms (tool reward ${coef} vs 0), ${base.steps} steps or ${minutes} min, ${base.promptsPerStep} prompts × ${base.groupSize} rollouts, lr ${base.optim.lr}, ` +
      `std-norm ${base.stdNormalize}, std-rank ${base.rankByStd}, tool failures ${base.toolFailureRate ?? 0}, init ${init}; load ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores`,
  );

  const children = new Map<ArmName, ChildProcess>();
  const exits: Array<Promise<number | null>> = [];
  for (const arm of ARMS) {
    const cfgFile = path.join(out, `${arm}.config.json`);
    fs.writeFileSync(cfgFile, JSON.stringify(configs[arm], null, 1) + '\n');
    const args = [...process.execArgv, trainCli, '--config', cfgFile, '--init', init, '--out', path.join(out, arm), '--python-workers', String(workers), '--backend', values.backend!];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(arm, child);
    let buf = '';
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) console.error(`[${arm}] ${line}`);
      }
    });
    child.stdout!.resume();
    exits.push(new Promise((resolve) => child.on('exit', (code) => resolve(code))));
  }
  let stopping = false;
  const stopAll = (why: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`stopping both arms (${why})…`);
    for (const c of children.values()) if (c.exitCode === null) c.kill('SIGINT');
    // A child that does not finish its checkpoint in time is killed.
    setTimeout(() => {
      for (const c of children.values()) if (c.exitCode === null) c.kill('SIGKILL');
    }, 120_000).unref();
  };
  const deadline = setTimeout(() => stopAll(`${minutes} min reached`), minutes * 60_000);
  const onSignal = () => stopAll('interrupted');
  process.once('SIGINT', onSignal);
  // When one arm finishes its steps early (or fails), stop the other at the same step count.
  const watch = setInterval(() => {
    const done = ARMS.map((a) => children.get(a)!.exitCode !== null);
    if (done.some(Boolean) && !done.every(Boolean)) {
      const n = Math.min(...ARMS.map((a) => readMetrics(path.join(out, a, 'metrics.jsonl')).length));
      const leader = ARMS.find((a) => children.get(a)!.exitCode === null)!;
      if (readMetrics(path.join(out, leader, 'metrics.jsonl')).length > n) stopAll('the other arm has ended');
    }
  }, 5_000);
  const codes = await Promise.all(exits);
  clearTimeout(deadline);
  clearInterval(watch);
  clearInterval(loadTimer);
  process.off('SIGINT', onSignal);
  sampleLoad();
  const wallSeconds = Number(((Date.now() - t0) / 1000).toFixed(1));

  const metrics = Object.fromEntries(ARMS.map((a) => [a, readMetrics(path.join(out, a, 'metrics.jsonl'))])) as Record<ArmName, StepMetrics[]>;
  const summary = summarize(metrics, window);
  const stepSeconds = Object.fromEntries(
    ARMS.map((a) => {
      const xs = metrics[a].map((m) => m[M.timeStep]).filter(finite);
      return [a, xs.length ? Number((xs.reduce((s, x) => s + x, 0) / xs.length / 1000).toFixed(1)) : null];
    }),
  );
  const settings = {
    init,
    initCard: initCard && { name: initCard.name, data: initCard.data, contentHash: initCard.contentHash },
    toolRewardCoef: coef,
    minutes,
    window,
    pythonWorkersPerArm: workers,
    backend: values.backend,
    command: `npm run demo:collapse -- ${argv.join(' ')}`.trim(),
  };
  const machine = { cores: os.cpus().length, load1: loads, meanLoad1: Number((loads.reduce((s, l) => s + l.load1, 0) / loads.length).toFixed(2)) };
  const pressure = Object.fromEntries(ARMS.map((a) => [a, toolPressure(readGroups(path.join(out, a, 'groups.jsonl')))])) as Record<ArmName, StepPressure[]>;
  const netPressure = Object.fromEntries(
    ARMS.map((a) => [a, Number(pressure[a].slice(0, summary.comparedSteps).reduce((s, p) => s + p.toolAdvantageSum, 0).toFixed(3))]),
  );
  const results = { settings, configs, summary, netToolPressure: netPressure, stepSeconds, wallSeconds, exitCodes: Object.fromEntries(ARMS.map((a, i) => [a, codes[i]])), machine, metrics, pressure };
  fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1) + '\n');
  const subtitle =
    `${summary.comparedSteps} steps, ${base.promptsPerStep} prompts × ${base.groupSize} rollouts, lr ${base.optim.lr}, coef ${coef} vs 0, ` +
    `std-norm ${base.stdNormalize ? 'on' : 'off'}, std-rank ${base.rankByStd ? 'on' : 'off'}; tool calls end/start: ` +
    `with ${summary.bars.withToolReward.ratio ?? '–'}, without ${summary.bars.withoutToolReward.ratio ?? '–'}`;
  fs.writeFileSync(path.join(out, 'collapse.svg'), collapseSvg(metrics, { subtitle, smooth: window, summary }));
  console.log(JSON.stringify({ out, results: path.join(out, 'results.json'), plot: path.join(out, 'collapse.svg'), wallSeconds, stepSeconds, meanLoad1: machine.meanLoad1, netToolPressure: netPressure, ...summary }, null, 2));
  if (codes.some((c) => c !== 0 && c !== null) && summary.comparedSteps === 0) return 2;
  return values.strict && !summary.pass ? 1 : 0;
}

function readJsonOrNull(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

runIfMain(import.meta.url, main, USAGE);
