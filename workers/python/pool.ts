/**
 * The pool of Python workers behind the PythonRuntime interface. Transport-agnostic: the
 * browser gives it web workers, Node gives it confined child processes. It keeps warm
 * spares, places sessions on workers, enforces the per-call timeout (interrupt first, then
 * terminate and replace) and answers the workers' video-frame requests.
 */
import type {
  PythonRuntime,
  PythonSession,
  RunResult,
  RuntimeLimits,
  RuntimeOptions,
  RuntimeStatus,
  SessionInputs,
  VideoMeta,
  Pixels,
} from '../../src/runtime/types';
import { DEFAULT_RUNTIME_OPTIONS, failedRun } from '../../src/runtime/types';
import type { PerceptionService } from '../../src/perception/types';
import { startGraceTimer } from '../../src/runtime/graceTimer';
import { PyWorker, WorkerLostError } from './pyWorker';

/** One worker's message channel, as the pool needs it. */
export interface WorkerTransport {
  /** Passed to the worker at init (Pyodide's interrupt buffer). */
  readonly interruptBuffer: SharedArrayBuffer;
  /** Passed to the worker at init: where perception answers are written (replyChannel.ts). */
  readonly replyChannel: SharedArrayBuffer;
  post(msg: import('./protocol').HostToWorker): void;
  onMessage(listener: (msg: import('./protocol').WorkerToHost) => void): void;
  /** Called once if the worker dies on its own (crash, out of memory). */
  onExit(listener: (reason: string) => void): void;
  /** Ask Python to raise KeyboardInterrupt at the next bytecode boundary. */
  interrupt(): void;
  clearInterrupt(): void;
  /**
   * Whether an interrupt is still waiting to be read by Python (Pyodide resets the flag when it
   * raises KeyboardInterrupt); undefined where the flag lives out of reach (Node's child process).
   */
  interruptPending?(): boolean;
  /** The channel to send with an `open` that binds a video (null where the far side makes it). */
  frameChannel(meta: VideoMeta): SharedArrayBuffer | null;
  deliverFrame(sessionId: string, channel: SharedArrayBuffer | null, index: number, frame: Pixels | { error: string }): void;
  /** Writes the JSON answer to perception request `seq` into the worker's reply channel. */
  deliverReply(seq: number, text: string): void;
  terminate(): void;
}

export interface PoolConfig {
  createTransport: () => WorkerTransport;
  indexURL: string;
  pySources: Record<string, string>;
  /** Why the real packages cannot be loaded, when the host already knows (see packageCache.ts). */
  packageProblem?: string | null;
  /** The models Python's vision tools call (detect, read_text); null: those tools say so. */
  perception?: PerceptionService | null;
  options?: PoolOptions;
}

/** RuntimeOptions, any part of them, plus pool sizing. */
export type PoolOptions = Partial<Omit<RuntimeOptions, 'limits'>> & {
  limits?: Partial<RuntimeLimits>;
  /** Most workers alive at once (sessions wait beyond that). */
  maxWorkers?: number;
  /** A worker is replaced after hosting this many sessions, to bound leaks. */
  recycleAfterSessions?: number;
};

let nextSessionNumber = 1;

export class PythonPool implements PythonRuntime {
  readonly options: RuntimeOptions & { maxWorkers: number; recycleAfterSessions: number };
  private workers = new Set<PyWorker>();
  private waiters: Array<() => void> = [];
  private listeners = new Set<(s: RuntimeStatus) => void>();
  private lastError: string | null = null;
  private disposed = false;
  private started: Promise<void> | null = null;

  constructor(private readonly config: PoolConfig) {
    const o = config.options ?? {};
    this.options = {
      ...DEFAULT_RUNTIME_OPTIONS,
      ...o,
      limits: { ...DEFAULT_RUNTIME_OPTIONS.limits, ...(o.limits ?? {}) },
      maxWorkers: o.maxWorkers ?? 4,
      recycleAfterSessions: o.recycleAfterSessions ?? 25,
    };
  }

  start(): Promise<void> {
    this.started ??= (async () => {
      this.replenish();
      await this.waitFor(() => this.readyWorkers().length > 0 || this.everyWorkerFailed());
      if (this.readyWorkers().length === 0) throw new Error(this.lastError ?? 'no Python worker could start');
    })();
    return this.started;
  }

  async openSession(inputs: SessionInputs = {}): Promise<PythonSession> {
    if (this.disposed) throw new Error('the Python runtime was disposed');
    if (this.started) await this.started.catch(() => {});
    const worker = await this.acquireWorker();
    const session = new PoolSession(`s${nextSessionNumber++}`, worker, inputs, this);
    worker.sessions.add(session);
    worker.sessionsServed++;
    try {
      await session.open();
    } catch (err) {
      worker.sessions.delete(session);
      this.afterRelease(worker);
      throw err;
    }
    this.replenish();
    this.emit();
    return session;
  }

  status(): RuntimeStatus {
    const all = [...this.workers];
    const ready = all.filter((w) => w.state === 'ready');
    const starting = all.filter((w) => w.state === 'starting');
    const phase = this.disposed ? 'disposed' : ready.length ? 'ready' : starting.length ? 'loading' : this.lastError ? 'error' : 'idle';
    const progress = ready.length ? 1 : starting.reduce((m, w) => Math.max(m, w.progress), 0);
    const detail =
      phase === 'ready'
        ? `${ready.length} Python worker${ready.length > 1 ? 's' : ''} ready · ${ready[0]!.packageNote}`
        : phase === 'loading'
          ? (starting[0]?.progressDetail ?? 'Starting Python…')
          : phase === 'error'
            ? `Python failed to start: ${this.lastError}`
            : phase;
    return {
      phase,
      progress,
      detail,
      workers: { total: ready.length + starting.length, ready: ready.length, busy: ready.filter((w) => w.sessions.size > 0).length },
      packages: ready[0]?.packages ?? null,
    };
  }

  onStatus(listener: (status: RuntimeStatus) => void): () => void {
    this.listeners.add(listener);
    listener(this.status());
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const w of this.workers) w.kill('the runtime was disposed');
    this.workers.clear();
    this.waiters.splice(0).forEach((wake) => wake());
    this.emit();
  }

  // ---- internals shared with sessions and workers ----

  emit(): void {
    const s = this.status();
    for (const l of this.listeners) l(s);
  }

  /** A worker died or finished starting: wake whoever waits and keep spares warm. */
  workerChanged(worker: PyWorker): void {
    if (worker.state === 'dead') {
      this.workers.delete(worker);
      if (worker.initError) this.lastError = worker.initError;
      else this.replenish();
    } else if (worker.state === 'ready') {
      this.lastError = null;
    }
    this.waiters.splice(0).forEach((wake) => wake());
    this.emit();
  }

  /** A session left its worker: recycle the worker if it is worn out or spare capacity is surplus. */
  afterRelease(worker: PyWorker): void {
    if (worker.state !== 'ready' || worker.sessions.size > 0) return this.workerChanged(worker);
    const worn = worker.sessionsServed >= this.options.recycleAfterSessions || worker.heapBytes > this.options.limits.maxHeapBytes;
    const idle = this.readyWorkers().filter((w) => w.sessions.size === 0).length;
    if (worn || idle > this.options.poolSize) worker.kill(worn ? 'recycled' : 'surplus spare');
    this.workerChanged(worker);
  }

  private readyWorkers(): PyWorker[] {
    return [...this.workers].filter((w) => w.state === 'ready');
  }

  private everyWorkerFailed(): boolean {
    return this.workers.size === 0 && this.lastError !== null;
  }

  private replenish(): void {
    if (this.disposed) return;
    const idle = [...this.workers].filter((w) => w.state !== 'dead' && w.sessions.size < this.options.sessionsPerWorker).length;
    for (let i = idle; i < Math.max(1, this.options.poolSize) && this.workers.size < this.options.maxWorkers; i++) this.spawn();
  }

  private spawn(): PyWorker {
    const worker = new PyWorker(this.config, this.options, this);
    this.workers.add(worker);
    this.emit();
    return worker;
  }

  private async acquireWorker(): Promise<PyWorker> {
    for (;;) {
      if (this.disposed) throw new Error('the Python runtime was disposed');
      const candidates = this.readyWorkers().filter((w) => w.sessions.size < this.options.sessionsPerWorker && !w.closing);
      if (candidates.length) return candidates.sort((a, b) => a.sessions.size - b.sessions.size)[0]!;
      const starting = [...this.workers].some((w) => w.state === 'starting');
      if (!starting && this.workers.size < this.options.maxWorkers) {
        this.lastError = null;
        this.spawn();
      } else if (!starting && this.workers.size === 0 && this.lastError) {
        throw new Error(this.lastError);
      }
      await this.waitFor(() => true);
      if (this.everyWorkerFailed()) throw new Error(this.lastError!);
    }
  }

  private waitFor(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (done() ? resolve() : this.waiters.push(check));
      this.waiters.push(check);
    });
  }
}

class PoolSession implements PythonSession {
  lost = false;
  private closed = false;
  private stopInFlight: (() => void) | null = null;
  private frameChannel: SharedArrayBuffer | null = null;

  constructor(
    readonly id: string,
    private readonly worker: PyWorker,
    private readonly inputs: SessionInputs,
    private readonly pool: PythonPool,
  ) {}

  async open(): Promise<void> {
    const video = this.inputs.video ?? null;
    this.frameChannel = video ? this.worker.transport.frameChannel(video.meta) : null;
    await this.worker.request({
      kind: 'open',
      sessionId: this.id,
      // Copies: the caller keeps its buffers, ours are transferred to the worker.
      images: (this.inputs.images ?? []).map((p) => ({ ...p, data: p.data.slice() })),
      video: video ? video.meta : null,
      frameChannel: this.frameChannel,
    });
  }

  /** The worker asks for a frame of this session's video. */
  async provideFrame(index: number): Promise<void> {
    const video = this.inputs.video;
    let frame: Pixels | { error: string };
    if (!video) frame = { error: 'no video is bound to this session' };
    else if (!Number.isInteger(index) || index < 0 || index >= video.meta.frameCount)
      frame = { error: `frame index ${index} is out of range (the video has ${video.meta.frameCount} frames)` };
    else {
      try {
        frame = await video.getFrame(index);
      } catch (err) {
        frame = { error: `could not decode frame ${index}: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    this.worker.transport.deliverFrame(this.id, this.frameChannel, index, frame);
  }

  async run(code: string): Promise<RunResult> {
    if (this.closed) throw new Error('this Python session is closed');
    if (this.lost) return lostResult(0, 'This session was lost earlier; open a new session.');
    const started = performance.now();
    const limits = this.pool.options.limits;
    return this.worker.exclusive(async () => {
      const transport = this.worker.transport;
      transport.clearInterrupt();
      let reason: 'timeout' | 'user' | null = null;
      let cancelKill = () => {};
      const stop = (why: 'timeout' | 'user') => {
        if (reason) return;
        reason = why;
        transport.interrupt();
        const what = why === 'timeout' ? `the code ran past the ${fmtSeconds(limits.timeoutMs)} limit` : 'the code was stopped';
        // The grace counts only time the page was free to receive the worker's reply.
        const sentAt = performance.now();
        cancelKill = startGraceTimer(limits.interruptGraceMs, () => {
          const wall = fmtSeconds(performance.now() - sentAt);
          this.worker.kill(`${what} and ignored the interrupt (${interruptDiagnosis(transport.interruptPending?.(), wall)})`);
        });
      };
      this.stopInFlight = () => stop('user');
      const interruptTimer = setTimeout(() => stop('timeout'), limits.timeoutMs);
      try {
        const { result } = await this.worker.request({ kind: 'run', sessionId: this.id, code });
        if (reason === 'timeout' && result.error?.type === 'KeyboardInterrupt') {
          result.error = {
            kind: 'timeout',
            type: 'TimeoutError',
            message: `TimeoutError: the code ran past the ${fmtSeconds(limits.timeoutMs)} limit and was interrupted (the session's variables are kept)`,
            traceback: result.error.traceback,
          };
        } else if (reason === 'user' && result.error?.type === 'KeyboardInterrupt') {
          result.error.message = "KeyboardInterrupt: stopped by the user (the session's variables are kept)";
        }
        return result;
      } catch (err) {
        if (!(err instanceof WorkerLostError)) throw err;
        return lostResult(performance.now() - started, err.message);
      } finally {
        this.stopInFlight = null;
        clearTimeout(interruptTimer);
        cancelKill();
        transport.clearInterrupt();
      }
    });
  }

  interrupt(): void {
    this.stopInFlight?.();
  }

  async reset(): Promise<void> {
    if (this.lost || this.closed) throw new Error(this.lost ? 'this Python session was lost' : 'this Python session is closed');
    await this.worker.exclusive(() => this.worker.request({ kind: 'reset', sessionId: this.id }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.lost) {
      await this.worker.exclusive(() => this.worker.request({ kind: 'close', sessionId: this.id })).catch(() => {});
    }
    this.worker.sessions.delete(this);
    this.pool.afterRelease(this.worker);
  }

  markLost(): void {
    this.lost = true;
  }
}

export type { PoolSession };

function lostResult(wallMs: number, reason: string): RunResult {
  const message = `SessionLost: ${reason}. The Python worker was restarted and this session's variables are gone; start a new session.`;
  return failedRun({ kind: 'session-lost', type: 'SessionLost', message, traceback: '' }, wallMs);
}

function fmtSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Why a worker did not answer an interrupt, for the session-lost message: a flag Python never
 * read means it ran no bytecode in that time (native code, a blocking call, or a worker thread
 * starved of CPU); a flag it read means the code caught KeyboardInterrupt and went on.
 */
function interruptDiagnosis(pending: boolean | undefined, wall: string): string {
  if (pending === undefined) return `no reply in ${wall}`;
  return pending
    ? `Python never read the interrupt in ${wall}: busy in native code or a blocking call, or starved of CPU`
    : `Python read the interrupt and went on: the code caught KeyboardInterrupt (${wall})`;
}
