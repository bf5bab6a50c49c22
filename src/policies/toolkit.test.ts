/**
 * The pre-bound vision helpers (workers/python/py/pv_tools.py) in real Pyodide, checked against
 * the generators' truth, and the scripted expert's 'toolkit' strategy that calls them.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useNodeRuntime } from '../../workers/node/testRuntime';
import { runTrajectory } from '../agent/loop';
import { TRAINING_LOOP } from '../agent/types';
import type { PythonSession } from '../runtime/types';
import { COLOUR_RGB } from '../tasks/palette';
import { suiteTask, type SuiteName } from '../tasks/suites';
import type { Task } from '../tasks/types';
import { quadrantOf } from '../tasks/visualSearch';
import { partOf } from '../tasks/videoEvents';
import { countToolCalls } from '../agent/reward';
import { evaluate, framesUpFront } from './evaluate';
import { createScriptedExpert } from './scriptedExpert';
import { answerFromToolkit } from './toolkitExpert';

const runtime = useNodeRuntime();

async function withSession<T>(task: Task, fn: (s: PythonSession) => Promise<T>): Promise<T> {
  const s = await runtime.openSession(task.media.kind === 'image' ? { images: [task.media.image] } : { video: task.media.video });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

describe('pv_tools helpers', () => {
  it('PALETTE in pv_generated.py is the generators’ palette', () => {
    const py = fs.readFileSync(new URL('../../workers/python/py/pv_generated.py', import.meta.url), 'utf8');
    const parsed = Object.fromEntries([...py.matchAll(/^ {4}"(\w+)": \((\d+), (\d+), (\d+)\),$/gm)].map((m) => [m[1], [Number(m[2]), Number(m[3]), Number(m[4])]]));
    expect(parsed).toEqual(COLOUR_RGB);
  });

  it.each(['visual-search-small', 'visual-search-medium', 'visual-search-large'] as const)('find() prints the %s target’s colour, shape and quadrant, and shows it', async (suite) => {
    for (const i of [0, 1]) {
      const task = suiteTask(suite, i, 21);
      const b = task.truth.boxes![0]!;
      const { width: W, height: H } = task.media.kind === 'image' ? task.media.image : { width: 0, height: 0 };
      // What the question names (the shape, or for shape questions the colour), as words and as a keyword.
      const named = task.truth.question === 'shape' ? { words: `the ${task.truth.colour} object`, kw: `colour="${task.truth.colour}"` } : { words: `the ${task.truth.shape}`, kw: `shape="${task.truth.shape}"` };
      for (const call of [`find(image_clue_0, "${named.words}")`, `find(image_clue_0, ${named.kw})`]) {
        const res = await withSession(task, (s) => s.run(`hits = ${call}`));
        expect(res.error, res.output).toBeNull();
        const line = res.output.split('\n').find((l) => l.startsWith('  '))!;
        expect(line, res.output).toContain(`colour=${task.truth.colour} shape=${task.truth.shape} quadrant=${quadrantOf((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, W, H)} `);
        expect(res.figures.length).toBe(1);
      }
    }
  });

  it('count() prints the true count', async () => {
    for (const i of [0, 1, 2]) {
      const task = suiteTask('counting', i, 21);
      const args = [task.truth.colour ? `colour="${task.truth.colour}"` : '', task.truth.shape ? `shape="${task.truth.shape}"` : ''].filter(Boolean).join(', ');
      const res = await withSession(task, (s) => s.run(`n = count(image_clue_0, ${args})\nprint(n)`));
      expect(res.error, res.output).toBeNull();
      expect(res.output).toContain(`count=${task.answer} (`);
      expect(res.output.trim().split('\n').pop()).toBe(task.answer);
    }
  });

  it('scan_video() finds the event first in time: colour, shape, frames and part of the clip', async () => {
    for (const i of [0, 1]) {
      const task = suiteTask('video-events', i, 21);
      const [a, b] = task.truth.eventFrames!;
      const n = task.media.kind === 'video' ? task.media.video.meta.frameCount : 0;
      const label = task.truth.boxes![0]!.label;
      const res = await withSession(task, (s) => s.run('events = scan_video(video_clue_0)'));
      expect(res.error, res.output).toBeNull();
      const first = res.output.split('\n').find((l) => l.startsWith('  '))!;
      expect(first, res.output).toContain(`  first object=${label} `);
      expect(first).toContain(`part=${partOf((a + b) / 2, n)} frames=${a}-${b} `);
      expect(res.figures.length).toBeGreaterThanOrEqual(1);
    }
  });

  it('unknown colours give a clear ValueError, unknown nouns an honest found=unknown, and the session stays usable', async () => {
    const task = suiteTask('visual-search', 0, 21);
    await withSession(task, async (s) => {
      const bad = await s.run('find(image_clue_0, colour="mauve")');
      expect(bad.error?.type).toBe('ValueError');
      expect(bad.error?.message).toContain("unknown colour 'mauve'");
      const vague = await s.run('find(image_clue_0, "the thet")');
      expect(vague.error, vague.output).toBeNull();
      expect(vague.output).toContain(`found=unknown, the detector has no class for 'thet'`);
      const ok = await s.run('print(len(find(image_clue_0, "the stars", show=False)) >= 0)');
      expect(ok.output.trim().split('\n').pop()).toBe('True');
    });
  });
});

describe("scripted expert, 'toolkit' strategy", () => {
  it.each([
    ['visual-search', 8],
    ['counting', 6],
    ['video-events', 6],
  ] as const)('answers %s correctly with one one-line helper call', async (suite: SuiteName, n) => {
    const { summary, items } = await evaluate({ policy: createScriptedExpert({ seed: 2, strategy: 'toolkit' }), runtime, config: TRAINING_LOOP, n, concurrency: 2, makeTask: (i) => suiteTask(suite, i, 5) });
    expect(summary.accuracy, JSON.stringify(items.filter((i) => !i.correct))).toBe(1);
    expect(summary.meanToolCalls).toBe(1);
    expect(summary.endReasons.DONE).toBe(n);
  });

  it('writes one line of code and answers from the printout, not the truth', async () => {
    const task = suiteTask('visual-search', 3, 5);
    const traj = await runTrajectory({ task, policy: createScriptedExpert({ seed: 2, strategy: 'toolkit' }), runtime, config: TRAINING_LOOP });
    // The query is the question's own words.
    const words = traj.turns[0]!.code!.match(/^hits = find\(image_clue_0, "the ([\w ]+)"\)$/)?.[1];
    expect(task.question).toMatch(new RegExp(` the ${words}\\b`));
    // The answer follows what was printed: a doctored printout changes it.
    const doctored = '  colour=pink shape=diamond quadrant=bottom-right centre=(2, 3) box=(1, 2, 3, 4)';
    const read = answerFromToolkit(task, doctored)!;
    expect(['pink', 'diamond', 'bottom-right']).toContain(read.answer);
    expect(read.text).toContain(`=${read.answer} `);
    expect(answerFromToolkit(task, 'find "the star": 0 matches in the 10x10 image')).toBeNull();
  });

  it('with frames shown up front, answers at once when one shows the event, else scans', async () => {
    const policy = createScriptedExpert({ seed: 2, strategy: 'toolkit' });
    const seen = { direct: 0, scanned: 0 };
    for (let i = 0; i < 8 && (seen.direct === 0 || seen.scanned === 0); i++) {
      const task = suiteTask('video-events', i, 5);
      if (task.media.kind !== 'video') throw new Error('not a video task');
      const upFrontFrames = await framesUpFront(task, 4);
      const [a, b] = task.truth.eventFrames!;
      const visible = upFrontFrames.some((f) => f.frame >= a && f.frame <= b);
      const traj = await runTrajectory({ task, policy, runtime, config: TRAINING_LOOP, upFrontFrames });
      expect(traj.reward?.accuracy).toBe(1);
      expect(traj.prompt[1]!.content.filter((p) => p.type === 'image')).toHaveLength(4);
      expect(countToolCalls(traj.turns)).toBe(visible ? 0 : 1);
      seen[visible ? 'direct' : 'scanned']++;
    }
    expect(seen.direct).toBeGreaterThan(0);
    expect(seen.scanned).toBeGreaterThan(0);
  });

  it("'toolkit-check' (the collapse demo's start): locate, zoom, check — three calls, the answer read from the check", async () => {
    const n = 6;
    const { summary, items } = await evaluate({ policy: createScriptedExpert({ seed: 2, strategy: 'toolkit-check' }), runtime, config: TRAINING_LOOP, n, concurrency: 2, makeTask: (i) => suiteTask('visual-search-glance', i, 5) });
    expect(summary.accuracy, JSON.stringify(items.filter((i) => !i.correct))).toBe(1);
    expect(summary.meanToolCalls).toBe(3);
    const traj = await runTrajectory({ task: suiteTask('visual-search-glance', 1, 5), policy: createScriptedExpert({ seed: 2, strategy: 'toolkit-check' }), runtime, config: TRAINING_LOOP });
    expect(traj.turns.map((t) => t.code?.split('(')[0])).toEqual(['hits = find', 'crop = zoom', 'check = find', undefined]);
    // The check ran on the zoomed crop: its printout names the crop's size (what zoom printed).
    const zoomed = traj.turns[1]!.observation!.output.match(/: (\d+x\d+)$/m)?.[1];
    expect(zoomed).toBeTruthy();
    expect(traj.turns[2]!.observation!.output).toContain(`1 match in the ${zoomed} image`);
    // Other families keep their single call.
    const video = await runTrajectory({ task: suiteTask('video-events', 0, 5), policy: createScriptedExpert({ seed: 2, strategy: 'toolkit-check' }), runtime, config: TRAINING_LOOP });
    expect(countToolCalls(video.turns)).toBe(1);
  });
});
