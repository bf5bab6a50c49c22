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

describe('sessions sharing one interpreter', () => {
  const run = async (reqId: number, sessionId: string, code: string) => {
    const r = await ask({ kind: 'run', reqId, sessionId, code });
    return (r as { value: { result: { output: string; error: unknown } } }).value.result;
  };

  it('a session keeps its own PIL and tools while another closes or resets (RL rollouts in lockstep)', async () => {
    await ask({ kind: 'open', reqId: 30, sessionId: 'p', images: [], video: null, frameChannel: null });
    await ask({ kind: 'open', reqId: 31, sessionId: 'q', images: [], video: null, frameChannel: null });
    await run(32, 'p', 'img = Image.new("RGB", (60, 40), (255, 255, 255))\nimg.paste((230, 40, 40), (10, 10, 30, 30))\ncrop = zoom(img, (5, 5, 35, 35))');
    // The other session goes away mid-episode: before, this dropped PIL from sys.modules and the
    // next `from PIL import Image` made a second Image class that `crop` was no instance of.
    expect(await ask({ kind: 'reset', reqId: 33, sessionId: 'q' })).toMatchObject({ ok: true });
    expect(await ask({ kind: 'close', reqId: 34, sessionId: 'q' })).toMatchObject({ ok: true });
    const same = await run(35, 'p', 'from PIL import Image as I2\nprint(I2 is Image, isinstance(crop, I2.Image))');
    expect(same).toMatchObject({ output: 'True True\n', error: null });
    const found = await run(36, 'p', 'hits = find(crop, "the red object")');
    expect(found.error).toBeNull();
    expect(found.output).toMatch(/colour=red/);
    await ask({ kind: 'close', reqId: 37, sessionId: 'p' });
  });

  it('a monkeypatched PIL stays in its session: a session open beside it and one opened later see the real one', async () => {
    await ask({ kind: 'open', reqId: 40, sessionId: 'm', images: [], video: null, frameChannel: null });
    await ask({ kind: 'open', reqId: 41, sessionId: 'n', images: [], video: null, frameChannel: null });
    await run(42, 'm', 'import PIL.Image\nPIL.Image.new = None');
    expect(await run(43, 'n', 'from PIL import Image as I\nprint(I.new is None, Image.new is None)')).toMatchObject({ output: 'False False\n' });
    expect(await run(44, 'm', 'from PIL import Image as I\nprint(I.new is None)')).toMatchObject({ output: 'True\n' });
    await ask({ kind: 'close', reqId: 45, sessionId: 'm' });
    await ask({ kind: 'open', reqId: 46, sessionId: 'o', images: [], video: null, frameChannel: null });
    expect(await run(47, 'o', 'from PIL import Image as I\nprint(I.new is None)')).toMatchObject({ output: 'False\n' });
    await ask({ kind: 'close', reqId: 48, sessionId: 'n' });
    await ask({ kind: 'close', reqId: 49, sessionId: 'o' });
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
