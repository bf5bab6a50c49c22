/**
 * The agent loop end to end with REAL Pyodide (createNodeRuntime). Policies here are small
 * deterministic turn lists written for each test: they are the loop's input, not mocks of it.
 * Every end reason is provoked on purpose; sessions are counted to prove they are always closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeRuntime } from '../../workers/node/nodeRuntime';
import type { FrameProvider, Pixels, PythonRuntime, PythonSession, SessionInputs } from '../runtime/types';
import type { Task } from '../tasks/types';
import { fromOpenAIMessages, fromRecordJson, toOpenAIMessages, toRecordJson } from './exportFormats';
import { AgentRun, branchFrom, runTrajectory, type AgentEvent } from './loop';
import { formatAnswer, formatCodeBlock } from './protocol';
import { INTERACTIVE_LOOP, TRAINING_LOOP, type LoopConfig, type Policy, type PolicyContext, type PolicyTurn } from './types';

let real: PythonRuntime;
let runtime: PythonRuntime;
const sessions = { opened: 0, closed: 0 };

/** Counts sessions around the real runtime (the loop must close every one it opens). */
function counting(inner: PythonRuntime): PythonRuntime {
  return {
    ...inner,
    start: () => inner.start(),
    status: () => inner.status(),
    onStatus: (l) => inner.onStatus(l),
    dispose: () => inner.dispose(),
    async openSession(inputs?: SessionInputs): Promise<PythonSession> {
      const s = await inner.openSession(inputs);
      sessions.opened++;
      let closed = false;
      return {
        id: s.id,
        get lost() {
          return s.lost;
        },
        run: (code) => s.run(code),
        interrupt: () => s.interrupt(),
        reset: () => s.reset(),
        async close() {
          if (!closed) sessions.closed++;
          closed = true;
          await s.close();
        },
      };
    },
  };
}

beforeAll(async () => {
  // A generous grace: on a loaded 2-core machine Pyodide may take over 800 ms to honour the
  // interrupt, and then the worker is killed (a session-lost error, not the timeout tested here).
  real = await createNodeRuntime({ poolSize: 1, maxWorkers: 2, limits: { timeoutMs: 1500, interruptGraceMs: 6000 } });
  await real.start();
  runtime = counting(real);
}, 120_000);

afterAll(async () => {
  await real?.dispose();
});

function canvas(w: number, h: number): Pixels {
  const data = new Uint8Array(w * h * 3).fill(200);
  for (let y = 10; y < 20; y++) for (let x = 30; x < 40; x++) data.set([220, 20, 20], (y * w + x) * 3);
  return { width: w, height: h, channels: 3, data };
}

function imageTask(answer: string | null = 'red'): Task {
  return {
    id: 'test-image-1',
    family: answer === null ? 'user' : 'visual-search',
    seed: 1,
    question: 'What colour is the small square?',
    answer,
    answerSpec: answer === null ? null : { kind: 'text', accepted: [answer] },
    difficulty: answer === null ? null : 'small',
    media: { kind: 'image', image: canvas(64, 48) },
    truth: {},
    ability: 'visual_search',
    dataSource: 'test',
  };
}

/** A policy that replays fixed turns (a function gets the context, e.g. to inspect it). */
function fixed(turns: Array<string | ((ctx: PolicyContext) => string | Promise<string>)>, name = 'fixed'): Policy & { seen: PolicyContext[] } {
  const seen: PolicyContext[] = [];
  return {
    name,
    kind: 'scripted',
    seen,
    async next(ctx): Promise<PolicyTurn> {
      seen.push(ctx);
      const t = turns[Math.min(ctx.turn, turns.length - 1)]!;
      const text = typeof t === 'string' ? t : await t(ctx);
      ctx.onText?.(text);
      return { text, tokens: { count: 0 } };
    },
  };
}

const code = (c: string, why = 'Let me check.') => `${why}\n${formatCodeBlock(c)}`;
const answer = (a: string) => `I am sure now.\n${formatAnswer(a)}`;
const cfg = (over: Partial<LoopConfig> = {}): LoopConfig => ({ ...INTERACTIVE_LOOP, ...over });

async function expectAllClosed() {
  // Closing is awaited by run()/close(); the counts must match afterwards.
  expect(sessions.closed).toBe(sessions.opened);
}

describe('end reasons', () => {
  it('DONE: code, figure, observation, answer; accumulative tool reward', async () => {
    const events: AgentEvent['type'][] = [];
    const policy = fixed([
      code('print(image_clue_0.size)\nplt.imshow(image_clue_0.crop((20, 0, 50, 30)))\nplt.show()'),
      answer('red'),
    ]);
    const t = await runTrajectory({ task: imageTask(), policy, runtime, config: cfg(), onEvent: (e) => events.push(e.type) });
    expect(t.endReason).toBe('DONE');
    expect(t.turns).toHaveLength(2);
    const obs = t.turns[0]!.observation!;
    expect(obs.output).toBe('(64, 48)\n');
    expect(obs.images).toEqual([1]);
    expect(obs.text).toBe('<interpreter>Text Result:\n(64, 48)\nImage Result:\n<image_clue_1><image></image_clue_1></interpreter>');
    expect(t.images).toHaveLength(2);
    expect(t.turns[0]!.tokens.visual).toBeGreaterThan(0);
    expect(t.turns[0]!.timings.executeMs).toBeGreaterThan(0);
    expect(t.turns[1]!.answer).toBe('red');
    expect(t.reward).toEqual({ accuracy: 1, toolCalls: 1, toolBonus: 0.1, total: 1.1 });
    // The policy saw the observation with the figure as an image part.
    const last = policy.seen[1]!.messages.at(-1)!;
    expect(last.role).toBe('user');
    expect(last.content.some((p) => p.type === 'image' && p.image === 1)).toBe(true);
    expect(events).toEqual(['turn-start', 'text', 'turn-generated', 'observation', 'turn-start', 'text', 'turn-generated', 'end']);
    await expectAllClosed();
  });

  it('a wrong answer gets no tool bonus; an unknown answer gets no reward', async () => {
    const wrong = await runTrajectory({ task: imageTask(), policy: fixed([code('print(1)'), answer('blue')]), runtime, config: cfg() });
    expect(wrong.reward).toEqual({ accuracy: 0, toolCalls: 1, toolBonus: 0, total: 0 });
    const user = await runTrajectory({ task: imageTask(null), policy: fixed([answer('red')]), runtime, config: cfg() });
    expect(user.endReason).toBe('DONE');
    expect(user.reward).toBeNull();
    await expectAllClosed();
  });

  it('EXCEED_MAX_TURNS when the budget runs out without an answer', async () => {
    const t = await runTrajectory({ task: imageTask(), policy: fixed([code('x = 1')]), runtime, config: cfg({ maxTurns: 3 }) });
    expect(t.endReason).toBe('EXCEED_MAX_TURNS');
    expect(t.turns).toHaveLength(3);
    expect(t.reward!.total).toBe(0);
    await expectAllClosed();
  });

  it('OVER_LENGTH when an observation overflows the context, and when a turn does', async () => {
    const base = await runTrajectory({ task: imageTask(), policy: fixed([answer('red')]), runtime, config: cfg() });
    const promptTokens = base.textTokens + base.visualTokens - base.turns[0]!.tokens.count;
    const byObs = await runTrajectory({ task: imageTask(), policy: fixed([code('print("word " * 2000)')]), runtime, config: cfg({ maxContextTokens: promptTokens + 200 }) });
    expect(byObs.endReason).toBe('OVER_LENGTH');
    expect(byObs.turns).toHaveLength(1);
    expect(byObs.turns[0]!.observation).not.toBeNull();
    const byText = await runTrajectory({ task: imageTask(), policy: fixed([`${'blah '.repeat(400)}\n${formatAnswer('red')}`]), runtime, config: cfg({ maxContextTokens: promptTokens + 200 }) });
    expect(byText.endReason).toBe('OVER_LENGTH');
    expect(byText.reward!.accuracy).toBe(0);
    const byPrompt = await runTrajectory({ task: imageTask(), policy: fixed([answer('red')]), runtime, config: cfg({ maxContextTokens: 10 }) });
    expect(byPrompt.endReason).toBe('OVER_LENGTH');
    expect(byPrompt.turns).toHaveLength(0);
    await expectAllClosed();
  });

  it('EXCEED_MAX_IMAGES when figures push the context past maxImages', async () => {
    const show = 'for i in range(3):\n    plt.imshow(image_clue_0)\n    plt.show()';
    const t = await runTrajectory({ task: imageTask(), policy: fixed([code(show), answer('red')]), runtime, config: cfg({ maxImages: 3 }) });
    expect(t.endReason).toBe('EXCEED_MAX_IMAGES');
    expect(t.images).toHaveLength(4);
    expect(t.turns[0]!.observation!.text).toContain('<image_clue_3><image></image_clue_3>');
    await expectAllClosed();
  });

  it("ERROR_IN_ACTION in 'end' mode: a Python error, a timeout, a turn with neither code nor answer", async () => {
    const err = await runTrajectory({ task: imageTask(), policy: fixed([code('1/0'), answer('red')]), runtime, config: TRAINING_LOOP });
    expect(err.endReason).toBe('ERROR_IN_ACTION');
    expect(err.turns[0]!.observation!.error!.type).toBe('ZeroDivisionError');
    expect(err.turns[0]!.observation!.text).toMatch(/^<interpreter>Text Result:\nTraceback[\s\S]*ZeroDivisionError/);
    expect(err.reward).toEqual({ accuracy: 0, toolCalls: 1, toolBonus: 0, total: 0 });
    const slow = await runTrajectory({ task: imageTask(), policy: fixed([code('while True:\n    pass')]), runtime, config: TRAINING_LOOP });
    expect(slow.endReason).toBe('ERROR_IN_ACTION');
    expect(slow.turns[0]!.observation!.error!.kind).toBe('timeout');
    const chatter = await runTrajectory({ task: imageTask(), policy: fixed(['I think it is red.']), runtime, config: TRAINING_LOOP });
    expect(chatter.endReason).toBe('ERROR_IN_ACTION');
    expect(chatter.turns[0]!.parseError).toMatch(/Neither/);
    expect(chatter.turns[0]!.observation).toBeNull();
    await expectAllClosed();
  }, 30_000);

  it("'feed-back' mode: the traceback and a format reminder come back and the episode goes on", async () => {
    const policy = fixed([code('y = 2\n1/0'), 'Hmm, no code here.', code('print(y * 21)'), answer('red')]);
    const t = await runTrajectory({ task: imageTask(), policy, runtime, config: cfg() });
    expect(t.endReason).toBe('DONE');
    expect(t.turns[0]!.observation!.text).toContain('ZeroDivisionError: division by zero');
    expect(t.turns[1]!.observation!.text).toMatch(/^<interpreter>Error: Neither a <code> block nor an <answer> was found\. No Python code or final answer found/);
    expect(t.turns[2]!.observation!.output).toBe('42\n'); // state survived the error
    expect(t.reward).toEqual({ accuracy: 1, toolCalls: 2, toolBonus: 0.2, total: 1.2 });
    await expectAllClosed();
  });

  it("'feed-back' mode: a lost session is reported and replaced by a fresh one", async () => {
    const opened = sessions.opened;
    // Swallows every KeyboardInterrupt, so the runtime must kill the worker: the session is lost.
    const stubborn = 'while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass';
    const policy = fixed([code('x = 1'), code(stubborn), code("print('x' in globals())"), answer('red')]);
    const t = await runTrajectory({ task: imageTask(), policy, runtime, config: cfg() });
    expect(t.endReason).toBe('DONE');
    expect(t.turns[1]!.observation!.error!.kind).toBe('session-lost');
    expect(t.turns[1]!.observation!.text).toContain('The Python session was restarted');
    expect(t.turns[2]!.observation!.output).toBe('False\n'); // a fresh namespace, input re-bound
    expect(sessions.opened - opened).toBe(2);
    await expectAllClosed();
  }, 30_000);

  it('a policy that throws ends the episode with a clear error, and the session is closed', async () => {
    let n = 0;
    const policy: Policy = {
      name: 'flaky',
      kind: 'remote',
      async next() {
        if (n++ === 0) return { text: code('x = 1'), tokens: { count: 5 } };
        throw new Error('HTTP 500 from the server');
      },
    };
    const t = await runTrajectory({ task: imageTask(), policy, runtime, config: cfg() });
    expect(t.endReason).toBe('ERROR_IN_ACTION');
    expect(t.error).toBe('The policy "flaky" failed: HTTP 500 from the server');
    expect(t.turns).toHaveLength(1);
    expect(t.turns[0]!.tokens.count).toBe(5);
    await expectAllClosed();
  });

  it("a policy out of context (ContextOverflowError) ends OVER_LENGTH, not as an action error", async () => {
    const overflow = Object.assign(new Error('row 0 would need 1100 positions; the model has 1024'), { name: 'ContextOverflowError' });
    const policy: Policy = { name: 'small-context', kind: 'tiny', next: () => Promise.reject(overflow) };
    const t = await runTrajectory({ task: imageTask(), policy, runtime, config: cfg() });
    expect(t.endReason).toBe('OVER_LENGTH');
    expect(t.error).toContain('ran out of context: row 0 would need 1100 positions');
    await expectAllClosed();
  });
});

describe('cancel, step, video', () => {
  it('CANCELLED while the policy generates (even one that ignores the signal)', async () => {
    const policy: Policy = { name: 'stuck', kind: 'remote', next: () => new Promise(() => {}) };
    const run = new AgentRun({ task: imageTask(), policy, runtime, config: cfg() });
    const done = run.run();
    setTimeout(() => run.cancel(), 50);
    const t = await done;
    expect(t.endReason).toBe('CANCELLED');
    expect(t.reward).toBeNull();
    await run.close();
    await expectAllClosed();
  });

  it('CANCELLED mid-execution returns at once; close() interrupts the code and releases the session', async () => {
    const ac = new AbortController();
    const busy = 'import time\nt = time.time()\nwhile time.time() - t < 60:\n    pass';
    // A runtime with a long timeout, so only the interrupt can stop this code quickly.
    const slow = await createNodeRuntime({ poolSize: 1, limits: { timeoutMs: 60_000, interruptGraceMs: 800 } });
    await slow.start();
    const slowRuntime = counting(slow);
    let generatedAt = 0;
    const run = new AgentRun({
      task: imageTask(),
      policy: fixed([code(busy)]),
      runtime: slowRuntime,
      config: cfg(),
      signal: ac.signal,
      onEvent: (e) => e.type === 'turn-generated' && (generatedAt = performance.now()),
    });
    const done = run.run();
    while (!generatedAt) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 700)); // the session is open and the loop is running
    ac.abort();
    // Neither waits for the 60-second loop: the test's 20 s limit would fail them otherwise.
    const t = await done;
    expect(t.endReason).toBe('CANCELLED');
    expect(t.turns).toHaveLength(1);
    await run.close();
    await expectAllClosed();
    await slow.dispose();
  }, 20_000);

  it('step() runs one turn at a time and returns null when done', async () => {
    const run = new AgentRun({ task: imageTask(), policy: fixed([code('z = 3'), code('print(z)'), answer('red')]), runtime, config: cfg() });
    const first = await run.step();
    expect(first!.index).toBe(0);
    expect(run.trajectory.turns).toHaveLength(1);
    expect(run.trajectory.endReason).toBeNull();
    expect((await run.step())!.observation!.output).toBe('3\n');
    expect((await run.step())!.answer).toBe('red');
    expect(await run.step()).toBeNull();
    expect(run.trajectory.endReason).toBe('DONE');
    await run.close();
    await expectAllClosed();
  });

  it('video: metadata only in the prompt; only the frames the code asks for are decoded', async () => {
    const requested: number[] = [];
    const meta = { width: 32, height: 24, frameCount: 40, fps: 10 };
    const video: FrameProvider = {
      meta,
      async getFrame(i) {
        requested.push(i);
        return { width: 32, height: 24, channels: 3, data: new Uint8Array(32 * 24 * 3).fill(i) };
      },
    };
    const task: Task = { ...imageTask('7'), id: 'test-video', family: 'video-events', media: { kind: 'video', video }, answerSpec: { kind: 'number', value: 7, tolerance: 0 } };
    const policy = fixed([code('print(len(video_clue_0), video_clue_0.get_avg_fps())\nframe = video_clue_0[7]\nplt.imshow(frame)\nplt.show()'), answer('7')]);
    const t = await runTrajectory({ task, policy, runtime, config: cfg() });
    expect(t.endReason).toBe('DONE');
    expect(t.prompt.flatMap((m) => m.content).some((p) => p.type === 'image')).toBe(false);
    expect(t.images).toHaveLength(1);
    expect(t.turns[0]!.observation!.text).toContain('<image_clue_0><image></image_clue_0>');
    expect(t.turns[0]!.observation!.output).toBe('40 10.0\n');
    expect(requested).toEqual([7]);
    await expectAllClosed();
  });

  it('video with frames up front (uniform-sampling baseline): they are the first images and cost visual tokens', async () => {
    const frame = (v: number): Pixels => ({ width: 32, height: 24, channels: 3, data: new Uint8Array(32 * 24 * 3).fill(v) });
    const video: FrameProvider = { meta: { width: 32, height: 24, frameCount: 40, fps: 10 }, getFrame: async (i) => frame(i) };
    const task: Task = { ...imageTask('7'), id: 'test-video-upfront', family: 'video-events', media: { kind: 'video', video }, answerSpec: { kind: 'number', value: 7, tolerance: 0 } };
    const upFrontFrames = [5, 25].map((f) => ({ frame: f, pixels: frame(f) }));
    const bare = await runTrajectory({ task, policy: fixed([answer('7')]), runtime, config: cfg() });
    const t = await runTrajectory({ task, policy: fixed([answer('7')]), runtime, config: cfg(), upFrontFrames });
    expect(t.images.map((p) => p.data[0])).toEqual([5, 25]);
    expect(t.prompt[1]!.content.filter((p) => p.type === 'image')).toEqual([{ type: 'image', image: 0 }, { type: 'image', image: 1 }]);
    expect(bare.visualTokens).toBe(0);
    expect(t.visualTokens).toBeGreaterThan(0);
    await expectAllClosed();
  });
});

describe('branching', () => {
  it('replays earlier turns to rebuild state, runs the edited turn, then continues with the policy', async () => {
    const parent = await runTrajectory({
      task: imageTask(),
      policy: fixed([code('x = 5\nplt.imshow(image_clue_0)\nplt.show()'), code('print(x * 2)'), answer('blue')]),
      runtime,
      config: cfg(),
    });
    expect(parent.turns[1]!.observation!.output).toBe('10\n');
    const parentJson = toRecordJson(parent);
    const policy = fixed([answer('red')]);
    const branch = branchFrom({ parent, fromTurn: 1, edit: { code: 'print(x * 3)' }, task: imageTask(), policy, runtime, config: cfg() });
    const t = await branch.run();
    await branch.close();
    expect(t.branch).toEqual({ parentId: parent.id, fromTurn: 1 });
    expect(t.id).not.toBe(parent.id);
    expect(t.turns[0]).toEqual(parent.turns[0]); // recorded as in the parent
    expect(t.images.slice(0, 2)).toEqual(parent.images.slice(0, 2));
    expect(t.turns[1]!.edited).toBe(true);
    expect(t.turns[1]!.text).toBe(code('print(x * 3)'));
    expect(t.turns[1]!.observation!.output).toBe('15\n'); // x was rebuilt by replaying turn 0
    expect(t.turns[2]!.answer).toBe('red');
    expect(t.endReason).toBe('DONE');
    expect(t.reward!.accuracy).toBe(1);
    expect(policy.seen).toHaveLength(1); // the policy was asked only after the edited turn
    expect(policy.seen[0]!.turn).toBe(2);
    expect(toRecordJson(parent)).toBe(parentJson); // the parent is untouched
    expect(() => branchFrom({ parent, fromTurn: 3, edit: {}, task: imageTask(), policy, runtime, config: cfg() })).toThrow(RangeError);
    await expectAllClosed();
  });

  it('a text edit replaces the whole turn (here: answering early)', async () => {
    const parent = await runTrajectory({ task: imageTask(), policy: fixed([code('a = 1'), answer('blue')]), runtime, config: cfg() });
    const branch = branchFrom({ parent, fromTurn: 0, edit: { text: answer('red') }, task: imageTask(), policy: fixed([answer('x')]), runtime, config: cfg() });
    const t = await branch.run();
    await branch.close();
    expect(t.turns).toHaveLength(1);
    expect(t.endReason).toBe('DONE');
    expect(t.reward).toEqual({ accuracy: 1, toolCalls: 0, toolBonus: 0, total: 1 });
    await expectAllClosed();
  });
});

describe('export of real trajectories', () => {
  it('record JSON and OpenAI messages round-trip a trajectory with figures', async () => {
    const t = await runTrajectory({
      task: imageTask(),
      policy: fixed([code('print("hi <image>")\nplt.imshow(image_clue_0.convert("L"))\nplt.show()'), answer('red')]),
      runtime,
      config: cfg(),
    });
    const back = fromRecordJson(toRecordJson(t));
    expect(back).toEqual(t);
    const msgs = toOpenAIMessages(t);
    const imported = fromOpenAIMessages(JSON.stringify(msgs));
    expect(toOpenAIMessages(imported)).toEqual(msgs);
    expect(imported.images).toEqual(t.images);
    expect(imported.turns.map((x) => [x.text, x.code, x.answer, x.observation?.text, x.observation?.images])).toEqual(
      t.turns.map((x) => [x.text, x.code, x.answer, x.observation?.text, x.observation?.images]),
    );
    expect(imported.task.question).toBe(t.task.question);
    expect(imported.endReason).toBe('DONE');
    await expectAllClosed();
  });
});
