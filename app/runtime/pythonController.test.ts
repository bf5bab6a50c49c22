import { describe, expect, it } from 'vitest';
import type {
  Pixels,
  PythonRuntime,
  PythonSession,
  RunResult,
  RuntimeOptions,
  RuntimeStatus,
  SessionInputs,
} from '../../src/runtime/types';
import { IDLE_STATUS, PythonController } from './pythonController';

/**
 * A scripted in-memory runtime: enough to check the controller's session bookkeeping
 * (the real runtime is exercised by workers/**.test.ts and the e2e specs).
 */
class ScriptedRuntime implements PythonRuntime {
  sessions: ScriptedSession[] = [];
  disposed = false;
  constructor(readonly options: Partial<RuntimeOptions>) {}
  async start() {}
  async openSession(inputs: SessionInputs = {}): Promise<PythonSession> {
    const s = new ScriptedSession(`s${this.sessions.length}`, inputs);
    this.sessions.push(s);
    return s;
  }
  status(): RuntimeStatus {
    return { ...IDLE_STATUS, phase: this.disposed ? 'disposed' : 'ready', progress: 1 };
  }
  onStatus(listener: (s: RuntimeStatus) => void) {
    listener(this.status());
    return () => {};
  }
  async dispose() {
    this.disposed = true;
  }
}

const ok = (output: string): RunResult => ({ ok: true, output, outputTruncated: false, figures: [], figuresDropped: 0, error: null, wallMs: 1 });

class ScriptedSession implements PythonSession {
  lost = false;
  vars = new Map<string, string>();
  hang: Promise<never> | null = null;
  constructor(
    readonly id: string,
    readonly inputs: SessionInputs,
  ) {}
  async run(code: string): Promise<RunResult> {
    if (code === 'hang') return new Promise<RunResult>(() => {});
    if (code === 'lose') {
      this.lost = true;
      return { ...ok(''), ok: false, error: { kind: 'session-lost', type: 'SessionLost', message: 'lost', traceback: '' } };
    }
    const set = /^(\w+)=(\w+)$/.exec(code);
    if (set) this.vars.set(set[1]!, set[2]!);
    const get = /^print\((\w+)\)$/.exec(code);
    return ok(get ? (this.vars.get(get[1]!) ?? 'NameError') : '');
  }
  async reset() {
    this.vars.clear();
  }
  async close() {}
}

function setup() {
  const runtimes: ScriptedRuntime[] = [];
  const statuses: RuntimeStatus[] = [];
  const controller = new PythonController(
    (o) => {
      const r = new ScriptedRuntime(o);
      runtimes.push(r);
      return r;
    },
    (s) => statuses.push(s),
    3000,
  );
  return { controller, runtimes, statuses };
}

const image = (v: number): Pixels => ({ width: 2, height: 1, channels: 3, data: new Uint8Array([v, v, v, v, v, v]) });

describe('PythonController', () => {
  it('keeps one session across runs, with the image bound as a copy', async () => {
    const { controller, runtimes } = setup();
    const img = image(7);
    controller.setImage(img);
    const first = await controller.run('x=1');
    expect(first.freshSession).toBe(true);
    const second = await controller.run('print(x)');
    expect(second.freshSession).toBe(false);
    expect(second.result.output).toBe('1');
    expect(runtimes).toHaveLength(1);
    const bound = runtimes[0]!.sessions[0]!.inputs.images![0]!;
    expect(bound.data).not.toBe(img.data);
    expect(Array.from(bound.data)).toEqual(Array.from(img.data));
    expect(runtimes[0]!.options.limits?.timeoutMs).toBe(3000);
  });

  it('opens a fresh session after a new image, a lost session or a reset failure', async () => {
    const { controller, runtimes } = setup();
    controller.setImage(image(1));
    await controller.run('x=1');
    controller.setImage(image(2));
    const afterImage = await controller.run('print(x)');
    expect(afterImage.freshSession).toBe(true);
    expect(afterImage.result.output).toBe('NameError');
    expect(runtimes[0]!.sessions[1]!.inputs.images![0]!.data[0]).toBe(2);

    const lost = await controller.run('lose');
    expect(lost.result.error?.kind).toBe('session-lost');
    const next = await controller.run('print(x)');
    expect(next.freshSession).toBe(true);
    expect(runtimes[0]!.sessions).toHaveLength(3);
  });

  it('reset clears variables but keeps the session', async () => {
    const { controller, runtimes } = setup();
    await controller.run('x=1');
    await controller.resetSession();
    const r = await controller.run('print(x)');
    expect(r.freshSession).toBe(false);
    expect(r.result.output).toBe('NameError');
    expect(runtimes[0]!.sessions).toHaveLength(1);
  });

  it('stop reports the pending run as stopped and replaces the runtime', async () => {
    const { controller, runtimes } = setup();
    await controller.run('x=1');
    const pending = controller.run('hang');
    await new Promise((r) => setTimeout(r, 10));
    expect(controller.isRunning).toBe(true);
    controller.stop();
    const stopped = await pending;
    expect(stopped.stopped).toBe(true);
    expect(stopped.result.error).toMatchObject({ kind: 'session-lost', type: 'Stopped' });
    expect(controller.isRunning).toBe(false);
    expect(runtimes[0]!.disposed).toBe(true);
    expect(runtimes).toHaveLength(2);
    const next = await controller.run('print(x)');
    expect(next.freshSession).toBe(true);
    expect(next.result.output).toBe('NameError');
  });

  it('a new timeout replaces the runtime with the new limit, also when changed mid-run', async () => {
    const { controller, runtimes } = setup();
    await controller.run('x=1');
    controller.setTimeoutMs(5000);
    expect(runtimes).toHaveLength(2);
    expect(runtimes[1]!.options.limits?.timeoutMs).toBe(5000);

    const pending = controller.run('hang');
    await new Promise((r) => setTimeout(r, 10));
    controller.setTimeoutMs(8000); // running: applied at the next run
    expect(runtimes).toHaveLength(2);
    controller.stop();
    await pending;
    await controller.run('x=2');
    expect(runtimes.at(-1)!.options.limits?.timeoutMs).toBe(8000);
  });

  it('reports a runtime that cannot be created instead of throwing', async () => {
    const statuses: RuntimeStatus[] = [];
    const controller = new PythonController(
      () => {
        throw new Error('not cross-origin isolated');
      },
      (s) => statuses.push(s),
    );
    controller.warmUp();
    expect(statuses.at(-1)).toMatchObject({ phase: 'error' });
    const r = await controller.run('x=1');
    expect(r.result.error?.message).toContain('not cross-origin isolated');
  });
});
