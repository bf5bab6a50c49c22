/**
 * The human policy: pending state the UI subscribes to, submit, cancel through the signal, and a
 * human-played episode through the real agent loop (an answer-only episode needs no Python).
 */
import { describe, expect, it } from 'vitest';
import { AgentRun } from '../agent/loop';
import { buildPrompt, formatAnswer } from '../agent/protocol';
import { INTERACTIVE_LOOP, type PolicyContext } from '../agent/types';
import type { Pixels, PythonRuntime } from '../runtime/types';
import { makeUserTask } from '../tasks/userTask';
import { createHumanPolicy, type HumanRequest } from './human';

const image: Pixels = { width: 2, height: 2, channels: 3, data: new Uint8Array(12) };
const task = makeUserTask({ id: 'human-1', question: 'What is in the picture?', image });

function ctx(signal = new AbortController().signal, turn = 0): PolicyContext {
  return { messages: buildPrompt(task), images: [image], turn, maxTurns: 30, task, signal };
}

describe('human policy', () => {
  it('parks a request, tells subscribers, and resolves on submit', async () => {
    const human = createHumanPolicy();
    const seen: Array<HumanRequest | null> = [];
    const unsubscribe = human.subscribe((p) => seen.push(p));
    expect(human.pending).toBeNull();
    expect(() => human.submit('too early')).toThrow(/not the human/);
    const turn = human.next(ctx());
    expect(human.pending).toMatchObject({ turn: 0, maxTurns: 30 });
    expect(human.pending!.messages).toHaveLength(2);
    human.submit('It is black.\n<answer>\n\\boxed{black}\n</answer>');
    await expect(turn).resolves.toMatchObject({ text: expect.stringContaining('\\boxed{black}'), tokens: { count: expect.any(Number) } });
    expect(human.pending).toBeNull();
    expect(seen.map((p) => p?.turn ?? null)).toEqual([null, 0, null]);
    unsubscribe();
    void human.next(ctx(undefined, 1)).catch(() => {});
    expect(seen).toHaveLength(3); // unsubscribed
  });

  it('cancels through the signal and refuses a second concurrent request', async () => {
    const human = createHumanPolicy();
    const ac = new AbortController();
    const turn = human.next(ctx(ac.signal));
    await expect(human.next(ctx())).rejects.toThrow(/already waiting/);
    ac.abort();
    await expect(turn).rejects.toMatchObject({ name: 'AbortError' });
    expect(human.pending).toBeNull();
    expect(() => human.submit('late')).toThrow();
  });

  it('plays a turn of the agent loop; cancelling the run clears the pending turn', async () => {
    const runtime = { openSession: () => Promise.reject(new Error('no Python needed')) } as unknown as PythonRuntime;
    const human = createHumanPolicy();
    const run = new AgentRun({ task, policy: human, runtime, config: INTERACTIVE_LOOP });
    const done = run.run();
    // subscribe() reports the current state at once: the loop may already be waiting.
    await new Promise<void>((r) => {
      const off = human.subscribe((p) => p && queueMicrotask(() => (off(), r())));
    });
    human.submit(`A dark square.\n${formatAnswer('black')}`);
    const t = await done;
    expect(t.endReason).toBe('DONE');
    expect(t.policy).toEqual({ name: 'human', kind: 'human' });
    expect(t.turns[0]!.answer).toBe('black');

    const run2 = new AgentRun({ task, policy: human, runtime, config: INTERACTIVE_LOOP });
    const done2 = run2.run();
    await new Promise((r) => setTimeout(r, 10));
    expect(human.pending).not.toBeNull();
    run2.cancel();
    expect((await done2).endReason).toBe('CANCELLED');
    expect(human.pending).toBeNull();
  });
});
