/**
 * Owns the page's Python runtime and its one interactive session.
 *
 * - The session persists across runs (variables survive) until the image changes, the user
 *   resets or restarts, or the runtime reports the session lost (a worker had to be terminated);
 *   the next run then opens a fresh session with the current image bound as `image_clue_0`.
 * - The per-call timeout is part of the runtime's options, so changing it replaces the runtime.
 * - Stop while running interrupts the call (KeyboardInterrupt, variables kept); code that
 *   ignores the interrupt gets its worker replaced by the runtime (the session is then lost).
 *   While nothing can be interrupted yet (Python still loading), Stop restarts the runtime.
 *
 * Framework-free (no React), so it can be driven by the zustand store or by tests.
 */
import {
  DEFAULT_LIMITS,
  failedRun,
  type Pixels,
  type PythonRuntime,
  type PythonSession,
  type RunResult,
  type RuntimeOptions,
  type RuntimeStatus,
} from '../../src/runtime/types';

export type RuntimeFactory = (options: Partial<RuntimeOptions>) => PythonRuntime;

export interface ControllerRun {
  result: RunResult;
  /** A new session was opened for this run (the previous state, if any, is gone). */
  freshSession: boolean;
  /** The user pressed Stop before the run finished. */
  stopped: boolean;
}

export const IDLE_STATUS: RuntimeStatus = {
  phase: 'idle',
  progress: 0,
  detail: 'Python not started',
  workers: { total: 0, ready: 0, busy: 0 },
  packages: null,
};

function failure(kind: 'python' | 'session-lost', type: string, message: string, wallMs: number): RunResult {
  return failedRun({ kind, type, message, traceback: '' }, wallMs);
}

/** Pixel buffers are transferred to the worker: always hand over a copy, keep the original. */
function copyPixels(p: Pixels): Pixels {
  return { width: p.width, height: p.height, channels: p.channels, data: p.data.slice() };
}

export class PythonController {
  private runtime: PythonRuntime | null = null;
  /** The timeout the current runtime was created with. */
  private runtimeTimeoutMs = 0;
  private unsubscribe: (() => void) | null = null;
  private session: PythonSession | null = null;
  private sessionImage: Pixels | null = null;
  private image: Pixels | null = null;
  private timeoutMs: number;
  private running = false;
  private stopRequested = false;
  private stopCurrent: (() => void) | null = null;

  constructor(
    private readonly factory: RuntimeFactory,
    private readonly onStatus: (status: RuntimeStatus) => void,
    timeoutMs: number = DEFAULT_LIMITS.timeoutMs,
  ) {
    this.timeoutMs = timeoutMs;
  }

  get isRunning(): boolean {
    return this.running;
  }

  get hasSession(): boolean {
    return this.session !== null && !this.session.lost;
  }

  /** Create and start the runtime now, so the first run does not wait for Pyodide. */
  warmUp(): void {
    let runtime: PythonRuntime;
    try {
      runtime = this.ensureRuntime();
    } catch (err) {
      // e.g. the page is not cross-origin isolated: report it, runs will report it too.
      this.onStatus({ ...IDLE_STATUS, phase: 'error', detail: `Python cannot start: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    runtime.start().catch((err: unknown) => this.reportStartError(runtime, err));
  }

  /**
   * The page's current runtime (created on demand), for other users of the same Pyodide pool
   * (the agent playground opens its own sessions on it). A restart replaces it.
   */
  acquireRuntime(): PythonRuntime {
    return this.ensureRuntime();
  }

  /** The image bound as image_clue_0; a different image means a new session at the next run. */
  setImage(image: Pixels | null): void {
    this.image = image;
    if (this.session && this.sessionImage !== image) this.dropSession();
  }

  /** Change the per-call timeout. Replaces the runtime (and so the session) when it differs. */
  setTimeoutMs(timeoutMs: number): void {
    if (timeoutMs === this.timeoutMs) return;
    this.timeoutMs = timeoutMs;
    if (this.runtime && !this.running) this.restart();
  }

  async run(code: string): Promise<ControllerRun> {
    if (this.running) throw new Error('a run is already in progress');
    this.running = true;
    this.stopRequested = false;
    const started = performance.now();
    let stop!: () => void;
    const stopped = new Promise<'stopped'>((resolve) => {
      stop = () => resolve('stopped');
    });
    this.stopCurrent = stop;
    try {
      // A timeout changed during the previous run takes effect now.
      if (this.runtime && this.runtimeTimeoutMs !== this.timeoutMs) this.restart();
      const work = (async () => {
        const runtime = this.ensureRuntime();
        let freshSession = false;
        if (!this.session || this.session.lost) {
          this.session = null;
          const image = this.image;
          this.session = await runtime.openSession(image ? { images: [copyPixels(image)] } : {});
          this.sessionImage = image;
          freshSession = true;
        }
        const result = await this.session.run(code);
        if (result.error?.kind === 'session-lost' || this.session.lost) this.session = null;
        return { result, freshSession };
      })();
      const outcome = await Promise.race([work, stopped]);
      if (outcome === 'stopped') {
        work.catch(() => {}); // the disposed runtime may reject it later
        const ms = performance.now() - started;
        return {
          result: failure('session-lost', 'Stopped', 'Stopped by the user: the Python worker was terminated and its session state is gone', ms),
          freshSession: false,
          stopped: true,
        };
      }
      return { ...outcome, stopped: this.stopRequested };
    } catch (err) {
      // Runtime failures (Pyodide could not load, worker crashed while opening, …).
      const message = err instanceof Error ? err.message : String(err);
      this.session = null;
      return {
        result: failure('session-lost', 'RuntimeError', `The Python runtime failed: ${message}`, performance.now() - started),
        freshSession: false,
        stopped: false,
      };
    } finally {
      this.running = false;
      this.stopCurrent = null;
    }
  }

  /** Interrupt the running call or, when idle, restart Python. */
  stop(): void {
    if (!this.running) return this.restart();
    this.stopRequested = true;
    if (this.session && !this.session.lost) return this.session.interrupt();
    // Nothing to interrupt yet (a session is still opening): start over.
    const stop = this.stopCurrent;
    this.restart();
    stop?.();
  }

  /** Dispose the runtime (all Python state) and start a fresh one. */
  restart(): void {
    this.disposeRuntime();
    this.warmUp();
  }

  /** Clear the session's variables and re-bind the inputs; keeps the warm interpreter. */
  async resetSession(): Promise<void> {
    if (this.running) throw new Error('cannot reset while code is running');
    const session = this.session;
    if (!session || session.lost) {
      this.session = null;
      return;
    }
    try {
      await session.reset();
    } catch {
      // A session that cannot reset is dropped; the next run opens a fresh one.
      this.dropSession();
    }
  }

  async dispose(): Promise<void> {
    const runtime = this.runtime;
    this.disposeRuntime();
    await runtime?.dispose().catch(() => {});
  }

  private ensureRuntime(): PythonRuntime {
    if (this.runtime) return this.runtime;
    const runtime = this.factory({ limits: { ...DEFAULT_LIMITS, timeoutMs: this.timeoutMs } });
    this.runtime = runtime;
    this.runtimeTimeoutMs = this.timeoutMs;
    this.unsubscribe = runtime.onStatus((status) => {
      if (this.runtime === runtime) this.onStatus(status);
    });
    this.onStatus(runtime.status());
    return runtime;
  }

  private reportStartError(runtime: PythonRuntime, err: unknown): void {
    if (this.runtime !== runtime) return;
    const message = err instanceof Error ? err.message : String(err);
    this.onStatus({ ...runtime.status(), phase: 'error', detail: `Python failed to start: ${message}` });
  }

  private dropSession(): void {
    const session = this.session;
    this.session = null;
    this.sessionImage = null;
    session?.close().catch(() => {});
  }

  private disposeRuntime(): void {
    const runtime = this.runtime;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.runtime = null;
    this.session = null;
    this.sessionImage = null;
    if (runtime) runtime.dispose().catch(() => {});
    this.onStatus(IDLE_STATUS);
  }
}
