/**
 * The collapse demo as one self-contained HTML file for a class: the curves (the same SVG as
 * `npm run demo:collapse`), the plain-language explanation, the settings and seed, start-vs-end
 * numbers, and one sample trajectory of each arm from the start and from the end, images inlined
 * as PNG data URLs. No script, no external reference: it opens offline in any browser.
 */
import { pixelsToDataUrl } from '../agent/exportFormats';
import { reasoningOf } from '../agent/protocol';
import type { Trajectory } from '../agent/types';
import { COLLAPSE_EXPLANATION } from './collapseDemo';
import { collapseSvg, finite, summarize, type ArmName } from './collapseSummary';
import type { RlConfig } from './config';
import { M, type StepMetrics } from './metrics';

export interface ReportArm {
  name: string;
  config: RlConfig;
  metrics: StepMetrics[];
  /** A sampled trajectory from the earliest and from the latest step that saved one. */
  samples: { start: SampleAt | null; end: SampleAt | null };
}

export interface SampleAt {
  step: number;
  trajectory: Trajectory;
}

export interface ClassroomReportInput {
  /** When the report was made (ISO), shown in its header. */
  createdAt: string;
  weights: { name: string; contentHash: string } | null;
  /** A: with the tool reward; B: without. */
  arms: { A: ReportArm; B: ReportArm };
}

/** Means over the first and the last this many logged steps (the demo's bars use the same). */
export const REPORT_WINDOW = 5;
/** Images per sample trajectory, at most (the input image and the first figures). */
const MAX_IMAGES = 4;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x: number | null | undefined, d = 2) => (finite(x) ? x.toFixed(d) : '–');

export function classroomReportHtml(input: ClassroomReportInput): string {
  const { A, B } = input.arms;
  const byArm: Record<ArmName, StepMetrics[]> = { 'with-tool-reward': A.metrics, 'without-tool-reward': B.metrics };
  const summary = summarize(byArm, REPORT_WINDOW);
  const svg = collapseSvg(byArm, {
    subtitle: `seed ${A.config.seed} · ${summary.comparedSteps} steps compared · tool reward ${A.config.toolRewardCoef} (A) vs ${B.config.toolRewardCoef} (B)`,
    summary,
  });
  const row = (label: string, arm: ArmName) => {
    const s = summary.arms[arm].metrics;
    const cells = [M.toolCallsMean, M.zeroToolShare, M.accuracy, M.turnsMean].map((m) => `<td>${num(s[m].start)} → ${num(s[m].end)}</td>`);
    return `<tr><th scope="row">${esc(label)}</th>${cells.join('')}<td>${num(s[M.toolCallsMean].ratio)}</td></tr>`;
  };
  const verdict = summary.comparedSteps < 2 ? 'Too few steps for a verdict yet.' : verdictText(summary.bars);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Interaction collapse — classroom report</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap;word-break:break-word;margin:.3em 0}
.muted{color:#555}.turn{border-left:3px solid #ccc;padding-left:.8em;margin:.6em 0}.arms{display:grid;grid-template-columns:1fr 1fr;gap:1em}
img{max-width:220px;image-rendering:pixelated;border:1px solid #ccc;margin:2px}svg{max-width:100%;height:auto}
</style></head><body>
<h1>Interaction collapse — classroom report</h1>
<p class="muted">Made ${esc(input.createdAt)} by the PyVision Playground. Start weights: ${esc(input.weights ? `${input.weights.name} (${input.weights.contentHash.slice(0, 12)})` : 'unknown')}.</p>
${COLLAPSE_EXPLANATION.map((p) => `<p><strong>${esc(p.title)}</strong> ${esc(p.text)}</p>`).join('\n')}
<h2>The curves</h2>
<figure data-role="curves">${svg}</figure>
<table><thead><tr><th scope="col">run</th><th scope="col">tool calls / trajectory</th><th scope="col">share with no tool call</th><th scope="col">accuracy</th><th scope="col">turns</th><th scope="col">tool calls end / start</th></tr></thead>
<tbody>${row(`A: ${A.name}`, 'with-tool-reward')}${row(`B: ${B.name}`, 'without-tool-reward')}</tbody></table>
<p class="muted">Start and end are means over the first and the last ${summary.window} of the ${summary.comparedSteps} steps both runs finished.</p>
<p><strong>Verdict.</strong> ${esc(verdict)}</p>
<h2>Settings</h2>
${settingsTable(A.config, B.config)}
<h2>Sample trajectories</h2>
<div class="arms">${armSamples('A (tool reward ' + A.config.toolRewardCoef + ')', A)}${armSamples('B (tool reward ' + B.config.toolRewardCoef + ')', B)}</div>
</body></html>
`;
}

function verdictText(bars: ReturnType<typeof summarize>['bars']): string {
  const b = bars.withoutToolReward;
  const a = bars.withToolReward;
  return (
    `Without the tool reward, tool calls ended at ${num(b.ratio)}× their start (collapse means at most ${b.maxRatio}×: ${b.pass ? 'it collapsed' : 'not yet'}). ` +
    `With it, they ended at ${num(a.ratio)}× (kept means at least ${a.minRatio}×: ${a.pass ? 'kept' : 'not kept'}). ` +
    `Accuracy at the end: ${num(bars.accuracy.withEnd)} with the reward, ${num(bars.accuracy.withoutEnd)} without (${bars.accuracy.pass ? 'the tool users are at least as accurate' : 'the run without tools is more accurate'}).`
  );
}

const SETTINGS: Array<[string, (c: RlConfig) => string]> = [
  ['seed', (c) => String(c.seed)],
  ['steps', (c) => String(c.steps)],
  ['prompts per step × rollouts per prompt', (c) => `${c.promptsPerStep} × ${c.groupSize} (oversampled ×${c.oversample})`],
  ['turn budget', (c) => String(c.maxTurns)],
  ['temperature', (c) => String(c.temperature)],
  ['learning rate', (c) => String(c.optim.lr)],
  ['tool calls made to fail (a flaky sandbox)', (c) => `${Math.round((c.toolFailureRate ?? 0) * 100)} %`],
  ['advantages divided by the group std', (c) => (c.stdNormalize ? 'yes' : 'no')],
  ['groups ranked by reward std', (c) => (c.rankByStd ? 'yes' : 'no')],
  ['task mix', (c) => Object.entries(c.mix).map(([k, v]) => `${k} ${v}`).join(', ')],
];

function settingsTable(a: RlConfig, b: RlConfig): string {
  const rows = [
    `<tr><th scope="row">tool reward per call (paid on right answers)</th><td>${a.toolRewardCoef}</td><td>${b.toolRewardCoef}</td></tr>`,
    ...SETTINGS.map(([label, f]) => `<tr><th scope="row">${esc(label)}</th><td>${esc(f(a))}</td><td>${esc(f(b))}</td></tr>`),
  ];
  return `<table><thead><tr><th scope="col">setting</th><th scope="col">A</th><th scope="col">B</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<details><summary>Full configuration (JSON)</summary><pre>${esc(JSON.stringify({ A: a, B: b }, null, 1))}</pre></details>`;
}

function armSamples(title: string, arm: ReportArm): string {
  const one = (label: string, s: SampleAt | null) => (s ? sampleHtml(`${label}: step ${s.step}`, s.trajectory) : `<p class="muted">${esc(label)}: no sample saved.</p>`);
  return `<section><h3>${esc(title)}</h3>${one('From the start', arm.samples.start)}${one('From the end', arm.samples.end)}</section>`;
}

function sampleHtml(label: string, t: Trajectory): string {
  const images = t.images.slice(0, MAX_IMAGES).map((p, i) => `<img alt="image ${i}" src="${pixelsToDataUrl(p)}">`);
  const turns = t.turns.map((turn) => {
    const parts = [`<div class="turn"><div class="muted">turn ${turn.index + 1}</div>`];
    const reasoning = reasoningOf(turn.text);
    if (reasoning) parts.push(`<div>${esc(reasoning)}</div>`);
    if (turn.code) parts.push(`<pre>${esc(turn.code)}</pre>`);
    if (turn.observation) parts.push(`<pre class="muted">${esc(turn.observation.error ? `${turn.observation.output}${turn.observation.error.message}` : turn.observation.output || '(no output)')}</pre>`);
    if (turn.answer !== null) parts.push(`<div>answer: <strong>${esc(turn.answer)}</strong></div>`);
    parts.push('</div>');
    return parts.join('');
  });
  const r = t.reward;
  return `<article data-role="sample"><h4>${esc(label)}</h4>
<p><strong>${esc(t.task.question)}</strong> <span class="muted">(right answer: ${esc(t.task.answer ?? 'unknown')})</span></p>
<div>${images.join('')}</div>${turns.join('')}
<p class="muted">${r ? `reward ${num(r.total)} = accuracy ${num(r.accuracy, 0)} + tool bonus ${num(r.toolBonus)} (${r.toolCalls} tool calls)` : 'no reward'} · ended ${esc(t.endReason ?? 'unfinished')}</p></article>`;
}
