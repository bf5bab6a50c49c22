/**
 * The interaction-collapse demo's summary and plot, pure (no files, no DOM), so the same
 * numbers and picture come out of `npm run demo:collapse` (cli/collapseReport.ts reads the run
 * folders) and the page's classroom report (src/rl/classroomReport.ts).
 */
import { collapseArms } from './collapseDemo';
import type { RlConfig } from './config';
import { M, type StepMetrics } from './metrics';
export const ARMS = ['with-tool-reward', 'without-tool-reward'] as const;
export type ArmName = (typeof ARMS)[number];

/** The bars on tool calls per trajectory (end / start). */
/** The demo's bars on tool calls per trajectory (end / start); the reward arm must also end at least as accurate. */
export const BARS = { withoutMaxRatio: 0.5, withMinRatio: 0.9 } as const;

/** The metrics the demo reads, plots and summarises. */
export const TRACKED = [M.toolCallsMean, M.zeroToolShare, M.accuracy, M.turnsMean, M.rewardMean] as const;
type Tracked = (typeof TRACKED)[number];

/** The two arms' configs: identical but for the tool reward. */
export function armConfigs(base: RlConfig, toolRewardCoef: number): Record<ArmName, RlConfig> {
  const { A, B } = collapseArms(base, toolRewardCoef);
  return { 'with-tool-reward': A, 'without-tool-reward': B };
}


export const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

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
    /** At the end the arm with the reward is at least as accurate as the arm without. */
    accuracy: { withEnd: number | null; withoutEnd: number | null; pass: boolean };
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
  const accWith = out['with-tool-reward'].metrics[M.accuracy].end;
  const accWithout = out['without-tool-reward'].metrics[M.accuracy].end;
  const firstA = arms['with-tool-reward'].find((r) => r.step === 1);
  const firstB = arms['without-tool-reward'].find((r) => r.step === 1);
  const sameStart =
    !!firstA && !!firstB && [M.toolCallsMean, M.accuracy, M.turnsMean, M.trajectories].every((k) => firstA[k] === firstB[k] || (!finite(firstA[k]) && !finite(firstB[k])));
  const bars = {
    withoutToolReward: { maxRatio: BARS.withoutMaxRatio, ratio: withoutRatio, pass: n > 1 && withoutRatio !== null && withoutRatio <= BARS.withoutMaxRatio },
    withToolReward: { minRatio: BARS.withMinRatio, ratio: withRatio, pass: n > 1 && withRatio !== null && withRatio >= BARS.withMinRatio },
    accuracy: { withEnd: accWith, withoutEnd: accWithout, pass: n > 1 && accWith !== null && accWithout !== null && accWith >= accWithout },
  };
  return { comparedSteps: n, window: w, sameStart, arms: out, bars, pass: bars.withoutToolReward.pass && bars.withToolReward.pass && bars.accuracy.pass };
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
 * (half of the no-reward arm's start, 90 % of the reward arm's start) as dashed lines.
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
