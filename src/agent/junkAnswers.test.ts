/**
 * Junk answers (empty, punctuation only, protocol markup) are format errors for every policy:
 * the rule (answerRules.ts) sits in parseTurn, so the loop never ends such a turn DONE. The
 * policies below are real ones (scripted turn lists, the human policy, the remote policy over a
 * fake fetch); none of these turns runs code, so the runtime refuses to open a session at all.
 */
import { describe, expect, it } from 'vitest';
import { createHumanPolicy } from '../policies/human';
import { createRemotePolicy } from '../policies/remote';
import type { Pixels, PythonRuntime } from '../runtime/types';
import { makeUserTask } from '../tasks/userTask';
import type { Task } from '../tasks/types';
import { answerProblem } from './answerRules';
import { runTrajectory } from './loop';
import { formatAnswer, formatCodeBlock, parseTurn } from './protocol';
import { INTERACTIVE_LOOP, TRAINING_LOOP, type Policy, type PolicyTurn } from './types';

const JUNK = ['', '   ', '.', '…', '?!', '-', '</interpreter>', 'red</answer>', '<image_clue_1>', '```python', '\\boxed{x}x'];
const REAL = ['red', '42', 'top-left', '>', '∞', '$5', 'a.b', 'ünïcødé 猫', '\\frac{1}{2}', '3 < 4'];

/** The tiny policy's turn from the issue, verbatim. */
const ISSUE_TURN = 'I can answer now.\n<answer>\n\\boxed{</interpreter>}\n</answer>';

describe('answerProblem', () => {
  it('rejects empty, punctuation-only and protocol-markup answers, with a reason', () => {
    for (const a of JUNK) expect(answerProblem(a), JSON.stringify(a)).toMatch(/empty|punctuation|markup/);
  });
  it('accepts words, numbers and symbols', () => {
    for (const a of REAL) expect(answerProblem(a), a).toBeNull();
  });
});

describe('parseTurn with junk answers', () => {
  it('turns the issue case and `.` into format errors, never answers', () => {
    expect(parseTurn(ISSUE_TURN)).toMatchObject({ answer: null, code: null });
    expect(parseTurn(ISSUE_TURN).parseError).toMatch(/protocol markup/);
    expect(parseTurn(formatAnswer('.')).parseError).toMatch(/punctuation/);
    expect(parseTurn(formatAnswer('')).parseError).toMatch(/empty/);
    expect(parseTurn(formatAnswer('red'))).toMatchObject({ answer: 'red', parseError: null });
  });

  it('a junk answer after code is still an error (the turn ended in junk), code after it still runs', () => {
    expect(parseTurn(`${formatCodeBlock('print(1)')}\n${formatAnswer('.')}`)).toMatchObject({ code: null, answer: null });
    expect(parseTurn(`${formatAnswer('.')}\n${formatCodeBlock('print(1)')}`)).toMatchObject({ code: 'print(1)', parseError: null });
  });
});

const image: Pixels = { width: 8, height: 6, channels: 3, data: new Uint8Array(8 * 6 * 3).fill(90) };
const task: Task = makeUserTask({ id: 'junk-1', question: 'What colour is it?', image, answer: 'grey' });

/** No turn here runs code: opening a session would be a bug. */
const noPython: PythonRuntime = {
  start: async () => {},
  status: () => ({ phase: 'ready', progress: 1, detail: '', workers: { total: 0, ready: 0, busy: 0 }, packages: 'compat' }) as never,
  onStatus: () => () => {},
  dispose: async () => {},
  openSession: () => Promise.reject(new Error('no code was written, so no session may be opened')),
} as unknown as PythonRuntime;

function scripted(turns: string[]): Policy {
  return {
    name: 'scripted-junk',
    kind: 'scripted',
    next: async (ctx): Promise<PolicyTurn> => ({ text: turns[Math.min(ctx.turn, turns.length - 1)]!, tokens: { count: 0 } }),
  };
}

/** The remote policy against a fake endpoint that replies with `turns` in order (plain JSON). */
function remote(turns: string[]): Policy {
  let i = 0;
  const fetchImpl = (async () => {
    const content = turns[Math.min(i++, turns.length - 1)]!;
    return new Response(JSON.stringify({ choices: [{ message: { content }, finish_reason: 'stop' }] }), { headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return createRemotePolicy({ baseUrl: 'http://model.invalid/v1', model: 'fake', fetchImpl, stream: false });
}

/** The human policy, with `turns` typed in as each request arrives. */
function human(turns: string[]): Policy {
  const p = createHumanPolicy();
  let i = 0;
  p.subscribe((pending) => {
    if (pending) queueMicrotask(() => p.submit(turns[Math.min(i++, turns.length - 1)]!));
  });
  return p;
}

const POLICIES: Array<[string, (turns: string[]) => Policy]> = [
  ['scripted', scripted],
  ['remote', remote],
  ['human', human],
];

describe.each(POLICIES)('the loop with a %s policy', (_kind, make) => {
  it("'end' mode (training): a junk answer ends the episode ERROR_IN_ACTION with reward 0", async () => {
    for (const junk of [ISSUE_TURN, `So:\n${formatAnswer('.')}`]) {
      const t = await runTrajectory({ task, policy: make([junk]), runtime: noPython, config: TRAINING_LOOP });
      expect(t.endReason).toBe('ERROR_IN_ACTION');
      expect(t.turns).toHaveLength(1);
      expect(t.turns[0]!.answer).toBeNull();
      expect(t.turns[0]!.parseError).toMatch(/markup|punctuation/);
      expect(t.reward).toEqual({ accuracy: 0, toolCalls: 0, toolBonus: 0, total: 0 });
    }
  });

  it("'feed-back' mode (interactive): the reminder comes back and a real answer then ends it DONE", async () => {
    const t = await runTrajectory({ task, policy: make([ISSUE_TURN, formatAnswer('grey')]), runtime: noPython, config: INTERACTIVE_LOOP });
    expect(t.endReason).toBe('DONE');
    expect(t.turns).toHaveLength(2);
    expect(t.turns[0]!.answer).toBeNull();
    expect(t.turns[0]!.observation!.text).toMatch(/^<interpreter>Error: The answer "<\/interpreter>" contains protocol markup[\s\S]*No Python code or final answer found/);
    expect(t.turns[1]!.answer).toBe('grey');
    expect(t.reward!.accuracy).toBe(1);
  });
});
