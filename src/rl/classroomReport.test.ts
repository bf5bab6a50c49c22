/**
 * The classroom report: one self-contained HTML file (no script, nothing fetched), with both
 * arms' curves, the numbers, the settings and the samples, and the model's text escaped.
 */
import { describe, expect, it } from 'vitest';
import { formatAnswer, formatCodeBlock } from '../agent/protocol';
import { INTERACTIVE_LOOP, type Trajectory } from '../agent/types';
import { classroomReportHtml, REPORT_WINDOW, type ReportArm } from './classroomReport';
import { collapseArms, collapseDemoBase } from './collapseDemo';
import { M, type StepMetrics } from './metrics';

function metrics(n: number, from: number, to: number): StepMetrics[] {
  return Array.from({ length: n }, (_, i) => ({
    step: i + 1,
    [M.toolCallsMean]: from + ((to - from) * i) / (n - 1),
    [M.zeroToolShare]: 0.5,
    [M.accuracy]: 0.75,
    [M.turnsMean]: 2,
    [M.rewardMean]: 0.8,
    [M.trajectories]: 8,
  }));
}

function trajectory(question: string, answer: string): Trajectory {
  const px = { width: 2, height: 2, channels: 3 as const, data: new Uint8Array(12).fill(200) };
  return {
    version: 1,
    id: `t-${answer}`,
    task: { id: 'vs-1', family: 'visual-search', question, answer: 'red', difficulty: 'small', media: { kind: 'image', width: 2, height: 2 } },
    policy: { name: 'tiny', kind: 'tiny' },
    config: { ...INTERACTIVE_LOOP },
    images: [px],
    prompt: [],
    turns: [
      {
        index: 0,
        text: `I'll zoom in <b>first</b>.\n${formatCodeBlock('print("<script>alert(1)</script>")')}`,
        code: 'print("<script>alert(1)</script>")',
        answer: null,
        parseError: null,
        observation: { text: '', output: '<script>alert(1)</script>\n', error: null, images: [], outputTruncated: false, figuresDropped: 0 },
        tokens: { count: 5, visual: 0 },
        timings: { generateMs: 1, executeMs: 1 },
      },
      { index: 1, text: `Done.\n${formatAnswer(answer)}`, code: null, answer, parseError: null, observation: null, tokens: { count: 3, visual: 0 }, timings: { generateMs: 1, executeMs: 0 } },
    ],
    endReason: 'DONE',
    reward: { accuracy: 1, toolCalls: 1, toolBonus: 0.1, total: 1.1 },
    visualTokens: 0,
    textTokens: 8,
    startedAt: '2026-12-07T00:00:00Z',
    wallMs: 10,
  } as Trajectory;
}

describe('classroom report', () => {
  const { A, B } = collapseArms(collapseDemoBase());
  const armA: ReportArm = {
    name: 'collapse demo A',
    config: A,
    metrics: metrics(12, 1.2, 1.1),
    samples: { start: { step: 1, trajectory: trajectory('What colour is the star?', 'red') }, end: { step: 12, trajectory: trajectory('Which shape is blue?', 'circle') } },
  };
  const armB: ReportArm = { name: 'collapse demo B', config: B, metrics: metrics(12, 1.2, 0.2), samples: { start: null, end: null } };
  const html = classroomReportHtml({ createdAt: '2026-12-07T10:00:00Z', weights: { name: 'collapse-start', contentHash: 'abcdef0123456789' }, arms: { A: armA, B: armB } });

  it('is self-contained: no script, nothing fetched, images inlined', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(?!data:)/);
    expect(html).toMatch(/<img alt="image 0" src="data:image\/png;base64,/);
  });

  it("draws both arms' curves and states the start-to-end numbers and the verdict", () => {
    expect(html).toContain('<svg');
    expect(html.match(/<polyline/g)!.length).toBeGreaterThanOrEqual(8); // 2 arms × 4 panels
    // B's tool calls fall from the mean of the first 5 steps to the mean of the last 5.
    const start = (1.2 + (1.2 - (1.0 / 11) * 4)) / 2;
    expect(REPORT_WINDOW).toBe(5);
    expect(html).toContain(`${start.toFixed(2)} →`);
    expect(html).toContain('it collapsed');
    expect(html).toContain('kept');
    expect(html).toContain('Accuracy at the end: 0.75 with the reward, 0.75 without (the tool users are at least as accurate)');
  });

  it('lists the settings and seed of both arms, and their samples with the model text escaped', () => {
    expect(html).toMatch(new RegExp(`<th scope="row">seed</th><td>${A.seed}</td><td>${B.seed}</td>`));
    expect(html).toContain(`<td>${A.toolRewardCoef}</td><td>0</td>`);
    expect(html).toContain('What colour is the star?');
    expect(html).toContain('From the end: step 12');
    expect(html).toContain('B (tool reward 0)');
    expect(html).toContain('From the start: no sample saved.');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('I&#39;ll zoom in &lt;b&gt;first&lt;/b&gt;.'.replace('&#39;', "'"));
    expect(html).toContain('answer: <strong>circle</strong>');
  });
});
