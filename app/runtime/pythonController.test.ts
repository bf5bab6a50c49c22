/**
 * The page's controller over the REAL runtime: the Node implementation of the same
 * PythonRuntime interface the browser uses (confined child processes, real Pyodide).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Pixels, PythonRuntime, RuntimeStatus } from '../../src/runtime/types';
import type { PoolOptions } from '../../workers/python/pool';
import { nodeRuntimeFactory } from '../../workers/node/nodeRuntime';
import { IDLE_STATUS, PythonController } from './pythonController';

let makeRuntime: (options?: PoolOptions) => PythonRuntime;
let controller: PythonController | null = null;

beforeAll(async () => {
  makeRuntime = await nodeRuntimeFactory();
}, 60_000);

afterEach(async () => {
  await controller?.dispose();
  controller = null;
});

function setup(timeoutMs = 3000) {
  const created: Array<{ options: PoolOptions; runtime: PythonRuntime }> = [];
  const statuses: RuntimeStatus[] = [];
  controller = new PythonController(
    (options) => {
      // A generous interrupt grace, as in nodeRuntime.test.ts: under CI's parallel test files a
      // busy loop's interrupt once took over the default 3 s to land and Stop saw session-lost.
      // Code that ignores the interrupt still loses its session (the test above waits for it).
      const opts = options as PoolOptions;
      const runtime = makeRuntime({ ...opts, limits: { ...opts.limits!, interruptGraceMs: 12_000 } });
      created.push({ options: options as PoolOptions, runtime });
      return runtime;
    },
    (s) => statuses.push(s),
    timeoutMs,
  );
  return { controller, created, statuses };
}

const gray = (v: number): Pixels => ({ width: 2, height: 1, channels: 3, data: new Uint8Array([v, v, v, v, v, v]) });

describe('PythonController (real runtime)', () => {
  it('keeps one session across runs, with the image bound (as a copy) as image_clue_0', async () => {
    const { controller, created } = setup();
    const img = gray(7);
    controller.setImage(img);
    const first = await controller.run('x = 1');
    expect(first.freshSession).toBe(true);
    const second = await controller.run('print(x, image_clue_0.getpixel((1, 0)))');
    expect(second.freshSession).toBe(false);
    expect(second.result.output).toBe('1 (7, 7, 7)\n');
    expect(created).toHaveLength(1);
    expect(created[0]!.options.limits?.timeoutMs).toBe(3000);
    expect(img.data.length).toBe(6); // the caller's buffer was not transferred away
  });

  it('opens a fresh session after a new image or a lost session', async () => {
    const { controller } = setup(1500);
    controller.setImage(gray(1));
    await controller.run('x = 1');
    controller.setImage(gray(2));
    const afterImage = await controller.run('print(image_clue_0.getpixel((0, 0)))\nprint(x)');
    expect(afterImage.freshSession).toBe(true);
    expect(afterImage.result.output).toBe('(2, 2, 2)\n');
    expect(afterImage.result.error?.type).toBe('NameError');

    const lost = await controller.run('while True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass');
    expect(lost.result.error?.kind).toBe('session-lost');
    const next = await controller.run('print("again")');
    expect(next.freshSession).toBe(true);
    expect(next.result.output).toBe('again\n');
  }, 30_000);

  it('reset clears variables but keeps the session', async () => {
    const { controller } = setup();
    await controller.run('x = 1');
    await controller.resetSession();
    const r = await controller.run('print(x)');
    expect(r.freshSession).toBe(false);
    expect(r.result.error?.type).toBe('NameError');
  });

  it('stop interrupts the running call and keeps the session', async () => {
    const { controller, created } = setup(60_000);
    await controller.run('x = 41');
    const pending = controller.run('while True: pass');
    await new Promise((r) => setTimeout(r, 300));
    expect(controller.isRunning).toBe(true);
    controller.stop();
    const stopped = await pending;
    expect(stopped.stopped).toBe(true);
    expect(stopped.result.error).toMatchObject({ type: 'KeyboardInterrupt' });
    expect(controller.isRunning).toBe(false);
    const next = await controller.run('print(x + 1)');
    expect(next.freshSession).toBe(false);
    expect(next.result.output).toBe('42\n');
    expect(created).toHaveLength(1);
  }, 30_000);

  it('a new timeout replaces the runtime with the new limit', async () => {
    const { controller, created } = setup(1000);
    await controller.run('x = 1');
    controller.setTimeoutMs(2500);
    expect(created).toHaveLength(2);
    expect(created[1]!.options.limits?.timeoutMs).toBe(2500);
    const r = await controller.run('import time\nt = time.time()\nwhile time.time() - t < 1.5: pass\nprint("done")');
    expect(r.result.output).toBe('done\n'); // would have timed out under the old 1 s limit
  }, 30_000);

  it('reports a runtime that cannot be created instead of throwing', async () => {
    const statuses: RuntimeStatus[] = [];
    const failing = new PythonController(
      () => {
        throw new Error('not cross-origin isolated');
      },
      (s) => statuses.push(s),
    );
    failing.warmUp();
    expect(statuses.at(-1)).toMatchObject({ phase: 'error' });
    expect(IDLE_STATUS.phase).toBe('idle');
    const r = await failing.run('x = 1');
    expect(r.result.error?.message).toContain('not cross-origin isolated');
  });
});
