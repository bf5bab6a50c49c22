/**
 * The scripted expert and the global-view baseline through the REAL agent loop and the real
 * Python runtime (Pyodide in the confined Node child, offline compat packages). Sizes are
 * small to keep the suite fast; `npm run eval -- … --n 100` gives the full numbers.
 */
import { describe, expect, it } from 'vitest';
import { useNodeRuntime } from '../../workers/node/testRuntime';
import { runTrajectory } from '../agent/loop';
import { INTERACTIVE_LOOP, TRAINING_LOOP, type Message, type Trajectory } from '../agent/types';
import { Resampling, crop, newImage, paste, resize } from '../imaging';
import { suiteTask, type SuiteName } from '../tasks/suites';
import { evaluate } from './evaluate';
import { createGlobalViewBaseline } from './globalViewBaseline';
import { createScriptedExpert } from './scriptedExpert';

const runtime = useNodeRuntime();

const run = (suite: SuiteName, n: number, policy = createScriptedExpert({ seed: 1 }), config = TRAINING_LOOP) =>
  evaluate({ policy, runtime, config, n, concurrency: 2, makeTask: (i) => suiteTask(suite, i, 7) });

describe('scripted expert', () => {
  it.each([
    ['visual-search', 12],
    ['counting', 10],
    ['video-events', 10],
  ] as const)('reaches ≥ 95 percent on %s (%i tasks) with tools, within the training budget', async (suite, n) => {
    const { summary, items } = await run(suite, n);
    expect(summary.accuracy, JSON.stringify(items.filter((i) => !i.correct))).toBeGreaterThanOrEqual(0.95);
    expect(summary.zeroToolShare).toBe(0);
    expect(summary.endReasons.DONE).toBe(n);
    expect(summary.meanTurns).toBeLessThanOrEqual(TRAINING_LOOP.maxTurns);
  });

  it('writes the exact protocol: reasoning, one fenced code block, figures, then a boxed answer', async () => {
    const task = suiteTask('visual-search-small', 0, 3);
    const traj = await runTrajectory({ task, policy: createScriptedExpert({ seed: 4 }), runtime, config: TRAINING_LOOP });
    expect(traj.endReason).toBe('DONE');
    expect(traj.reward?.accuracy).toBe(1);
    const tools = traj.turns.filter((t) => t.code !== null);
    expect(tools.length).toBe(2); // coarse crop, then a zoomed crop
    for (const t of tools) {
      expect(t.text).toMatch(/^[^<]+\n<code>\n```python\n[\s\S]+\n```\n<\/code>$/);
      expect(t.code).toContain('image_clue_0.crop((');
      expect(t.observation!.images.length).toBe(1);
    }
    expect(traj.turns.at(-1)!.text).toMatch(/\n<answer>\n\\boxed\{[^}]+\}\n<\/answer>$/);
    expect(traj.images.length).toBe(3);
  });

  it('is reproducible per seed', async () => {
    const task = () => suiteTask('video-events', 1, 3);
    const texts = async () =>
      (await runTrajectory({ task: task(), policy: createScriptedExpert({ seed: 9 }), runtime, config: TRAINING_LOOP })).turns.map((t) => t.text);
    expect(await texts()).toEqual(await texts());
  });

  it('imperfections: a slip is fixed when errors are fed back; skip answers without tools; guess is wrong', async () => {
    const task = suiteTask('counting', 2, 3);
    const slip = await runTrajectory({ task, policy: createScriptedExpert({ seed: 1, slipProb: 1 }), runtime, config: INTERACTIVE_LOOP });
    expect(slip.turns[0]!.observation!.error).not.toBeNull();
    expect(slip.turns[1]!.text).toMatch(/^That failed with \w+/);
    expect(slip.turns[1]!.observation!.error).toBeNull();
    expect(slip.reward?.accuracy).toBe(1);
    const ended = await runTrajectory({ task, policy: createScriptedExpert({ seed: 1, slipProb: 1 }), runtime, config: TRAINING_LOOP });
    expect(ended.endReason).toBe('ERROR_IN_ACTION');

    const skip = await runTrajectory({ task, policy: createScriptedExpert({ seed: 1, skipToolsProb: 1 }), runtime, config: TRAINING_LOOP });
    expect(skip.turns).toHaveLength(1);
    expect(skip.reward?.toolCalls).toBe(0);
    const guess = await runTrajectory({ task, policy: createScriptedExpert({ seed: 1, guessProb: 1 }), runtime, config: TRAINING_LOOP });
    expect(guess.turns).toHaveLength(1);
    expect(guess.reward?.accuracy).toBe(0);
  });

  it('still reads the target when the figure has margins (real matplotlib)', async () => {
    const task = suiteTask('visual-search-large', 1, 2);
    const expert = createScriptedExpert({ seed: 1 });
    const input = task.media.kind === 'image' ? task.media.image : null!;
    const base = { task, signal: new AbortController().signal, maxTurns: 5 };
    const prompt: Message[] = [{ role: 'user', content: [{ type: 'image', image: 0 }] }];
    const t0 = await expert.next({ ...base, messages: prompt, images: [input], turn: 0 });
    const [x0, y0, x1, y1] = t0.text.match(/crop\(\((\d+), (\d+), (\d+), (\d+)\)\)/)!.slice(1).map(Number) as [number, number, number, number];
    const zoom = Number(t0.text.match(/\.width \* (\d+)/)?.[1] ?? 1);
    const shown = resize(crop(input, x0, y0, x1, y1), (x1 - x0) * zoom, (y1 - y0) * zoom, Resampling.LANCZOS);
    const fig = paste(newImage(shown.width + 120, shown.height + 90, 3, [255, 255, 255]), shown, 80, 40); // axes margins
    const messages: Message[] = [...prompt, { role: 'assistant', content: [{ type: 'text', text: t0.text }] }, { role: 'user', content: [{ type: 'image', image: 1 }] }];
    const t1 = await expert.next({ ...base, messages, images: [input, fig], turn: 1 });
    expect(t1.text).toContain(`\\boxed{${task.answer}}`);
  });

  it('fits a 2-turn budget (one tool call, then the answer)', async () => {
    const { summary } = await run('video-events', 4, createScriptedExpert({ seed: 1 }), { ...TRAINING_LOOP, maxTurns: 2 });
    expect(summary.accuracy).toBe(1);
    expect(summary.meanToolCalls).toBe(1);
  });
});

describe('global-view baseline vs the expert', () => {
  const acc = async (suite: SuiteName, n: number, baseline: boolean) =>
    (await run(suite, n, baseline ? createGlobalViewBaseline({ seed: 1 }) : createScriptedExpert({ seed: 1 }))).summary;

  it('answers in one turn without tools', async () => {
    const traj: Trajectory = await runTrajectory({ task: suiteTask('visual-search', 0, 1), policy: createGlobalViewBaseline(), runtime, config: TRAINING_LOOP });
    expect(traj.turns).toHaveLength(1);
    expect(traj.reward?.toolCalls).toBe(0);
    expect(traj.endReason).toBe('DONE');
  });

  it.each([
    ['visual-search-small', 'visual-search-large'],
    ['counting-small', 'counting-large'],
    ['video-events-short', 'video-events-long'],
  ] as const)('is clearly worse on %s, about as good on %s', async (small, large) => {
    const bSmall = await acc(small, 16, true);
    const eSmall = await acc(small, 8, false);
    const bLarge = await acc(large, 8, true);
    expect(eSmall.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(bSmall.accuracy).toBeLessThanOrEqual(eSmall.accuracy - 0.25);
    expect(bLarge.accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
