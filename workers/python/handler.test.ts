/**
 * The worker's message handler in-process (no child, no worker): real Pyodide, the real
 * protocol messages. Checks the request/reply contract the pool relies on.
 */
import { createReplyChannel } from './replyChannel';
import { loadPyodide } from 'pyodide';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/runtime/types';
import { loadPySources, pyodideDir } from '../node/nodeRuntime';
import { createPythonHandler } from './handler';
import type { HostToWorker, Reply, WorkerToHost } from './protocol';

const sent: WorkerToHost[] = [];
const interruptBuffer = new SharedArrayBuffer(1);
let lockedDown = 0;
const handler = createPythonHandler({
  loadPyodide: loadPyodide as Parameters<typeof createPythonHandler>[0]['loadPyodide'],
  post: (msg) => sent.push(msg),
  exists: async () => false,
  lockdown: () => void lockedDown++,
});

async function ask(msg: HostToWorker): Promise<Reply> {
  await handler.handle(msg);
  const reply = sent.filter((m): m is Reply => m.kind === 'reply' && m.reqId === msg.reqId);
  expect(reply).toHaveLength(1);
  return reply[0]!;
}

beforeAll(async () => {
  const reply = await ask({
    kind: 'init',
    reqId: 1,
    indexURL: pyodideDir() + '/',
    pySources: loadPySources(),
    packages: 'auto',
    packageBaseUrl: null,
    packageProblem: null,
    limits: DEFAULT_LIMITS,
    interruptBuffer,
    replyChannel: createReplyChannel(),
  });
  expect(reply).toMatchObject({ ok: true, request: 'init' });
}, 60_000);

describe('python worker handler', () => {
  it('reports progress while starting, falls back to the compat layer offline, and locks down once', () => {
    const progress = sent.filter((m) => m.kind === 'progress').map((m) => (m as { fraction: number }).fraction);
    expect(progress[0]).toBeLessThan(progress.at(-1)!);
    expect(progress.at(-1)).toBe(1);
    const init = sent.find((m) => m.kind === 'reply' && m.reqId === 1) as Extract<Reply, { request: 'init'; ok: true }>;
    expect(init.value.packages).toBe('compat');
    expect(init.value.packageNote).toMatch(/no Pyodide package index configured/);
    expect(init.value.heapBytes).toBeGreaterThan(0);
    expect(lockedDown).toBe(1);
  });

  it('answers every request exactly once, matched by reqId', async () => {
    expect(await ask({ kind: 'open', reqId: 2, sessionId: 'a', images: [], video: null, frameChannel: null })).toMatchObject({ ok: true });
    const run = await ask({ kind: 'run', reqId: 3, sessionId: 'a', code: 'v = 3\nprint(v * 2)' });
    expect(run).toMatchObject({ ok: true, request: 'run', value: { result: { ok: true, output: '6\n', error: null } } });
    expect(await ask({ kind: 'reset', reqId: 4, sessionId: 'a' })).toMatchObject({ ok: true, request: 'reset' });
    const after = await ask({ kind: 'run', reqId: 5, sessionId: 'a', code: 'v' });
    expect(after).toMatchObject({ ok: true, value: { result: { ok: false, error: { type: 'NameError' } } } });
    expect(await ask({ kind: 'close', reqId: 6, sessionId: 'a' })).toMatchObject({ ok: true, request: 'close' });
  });

  it('fails a request for an unknown session with an error reply instead of throwing', async () => {
    const reply = await ask({ kind: 'run', reqId: 7, sessionId: 'nope', code: 'pass' });
    expect(reply.ok).toBe(false);
    expect((reply as { error: string }).error).toMatch(/nope/);
    // ...and the handler still works afterwards.
    await ask({ kind: 'open', reqId: 8, sessionId: 'b', images: [], video: null, frameChannel: null });
    expect(await ask({ kind: 'run', reqId: 9, sessionId: 'b', code: '1 + 1' })).toMatchObject({ value: { result: { output: '2\n' } } });
  });

  it('serialises requests: a second request waits for the first', async () => {
    const order: number[] = [];
    const first = handler.handle({ kind: 'run', reqId: 10, sessionId: 'b', code: 'import time\nt = time.time()\nwhile time.time() - t < 0.2: pass' }).then(() => order.push(10));
    const second = handler.handle({ kind: 'run', reqId: 11, sessionId: 'b', code: 'pass' }).then(() => order.push(11));
    await Promise.all([first, second]);
    expect(order).toEqual([10, 11]);
  });
});

describe('interrupts outside the cell', () => {
  it('turns a KeyboardInterrupt raised in the harness itself (before the cell) into a result, and recovers', async () => {
    await ask({ kind: 'open', reqId: 20, sessionId: 'c', images: [], video: null, frameChannel: null });
    // The window between the harness's entry and its try block is too small to hit by timing:
    // make the harness's first step raise, once, exactly as a badly timed interrupt would.
    const arm = [
      'import sys, _pv_harness',
      'real = _pv_harness._session',
      'def once(sid):',
      '    _pv_harness._session = real',
      "    sys.stdout = None  # what an interrupt inside run()'s finally could leave behind",
      '    raise KeyboardInterrupt',
      '_pv_harness._session = once',
    ].join('\n');
    expect(await ask({ kind: 'run', reqId: 21, sessionId: 'c', code: arm })).toMatchObject({ ok: true, value: { result: { ok: true } } });
    const r = await ask({ kind: 'run', reqId: 22, sessionId: 'c', code: 'print("never")' });
    expect(r).toMatchObject({ ok: true, value: { result: { ok: false, error: { type: 'KeyboardInterrupt' } } } });
    const after = await ask({ kind: 'run', reqId: 23, sessionId: 'c', code: 'import sys\nprint("captured", sys.stdout is not None)' });
    expect(after).toMatchObject({ ok: true, value: { result: { output: 'captured True\n' } } });
  });
});
