/**
 * One Python worker as the pool sees it: its transport, its start-up, request/reply
 * bookkeeping, a lock that runs its calls one at a time, and its death.
 */
import { servePerception } from '../../src/perception/types';
import type { RuntimeOptions } from '../../src/runtime/types';
import type { PoolConfig, PoolSession, PythonPool, WorkerTransport } from './pool';
import type { HostToWorker, ReplyPayloads, WorkerToHost } from './protocol';

/** The worker is gone (terminated on timeout, crashed, or disposed). */
export class WorkerLostError extends Error {}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type WithoutReqId<T> = T extends unknown ? Omit<T, 'reqId'> : never;

export class PyWorker {
  state: 'starting' | 'ready' | 'dead' = 'starting';
  readonly transport: WorkerTransport;
  readonly sessions = new Set<PoolSession>();
  sessionsServed = 0;
  heapBytes = 0;
  progress = 0;
  progressDetail = 'Starting Python…';
  packages: 'compat' | 'real' | null = null;
  packageNote = '';
  initError: string | null = null;
  /** Set while the worker is being shut down, so no new session lands on it. */
  closing = false;
  private nextReqId = 1;
  private pending = new Map<number, Pending>();
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: PoolConfig,
    options: RuntimeOptions,
    private readonly pool: PythonPool,
  ) {
    this.transport = config.createTransport();
    this.transport.onMessage((msg) => this.receive(msg));
    this.transport.onExit((reason) => this.kill(`the Python worker stopped unexpectedly (${reason})`, false));
    this.request({
      kind: 'init',
      indexURL: config.indexURL,
      pySources: config.pySources,
      packages: options.packages,
      packageBaseUrl: options.packageBaseUrl,
      packageProblem: config.packageProblem ?? null,
      limits: options.limits,
      interruptBuffer: this.transport.interruptBuffer,
      replyChannel: this.transport.replyChannel,
    }).then(
      (v) => {
        if (this.state !== 'starting') return;
        this.state = 'ready';
        this.packages = v.packages;
        this.packageNote = v.packageNote;
        this.heapBytes = v.heapBytes;
        this.pool.workerChanged(this);
      },
      (err: Error) => {
        if (this.state === 'dead') return;
        this.initError = err.message;
        this.kill(`Python failed to start: ${err.message}`);
      },
    );
  }

  request<M extends WithoutReqId<HostToWorker>>(msg: M): Promise<ReplyPayloads[M['kind']]> {
    if (this.state === 'dead') return Promise.reject(new WorkerLostError('the Python worker is gone'));
    const reqId = this.nextReqId++;
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, { resolve: resolve as (v: unknown) => void, reject });
      this.transport.post({ ...msg, reqId } as HostToWorker);
    });
  }

  /** Run `task` after every earlier task on this worker has finished. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lock.then(task, task);
    this.lock = run.catch(() => {});
    return run;
  }

  /** Terminate the worker: every pending call fails and every session on it is lost. */
  kill(reason: string, terminate = true): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    if (terminate) this.transport.terminate();
    for (const s of this.sessions) s.markLost();
    const err = new WorkerLostError(reason);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.pool.workerChanged(this);
  }

  private receive(msg: WorkerToHost): void {
    switch (msg.kind) {
      case 'reply': {
        const p = this.pending.get(msg.reqId);
        if (!p) return;
        this.pending.delete(msg.reqId);
        if (msg.ok) {
          const heap = (msg.value as { heapBytes?: number }).heapBytes;
          if (typeof heap === 'number') this.heapBytes = heap;
          p.resolve(msg.value);
        } else p.reject(new Error(msg.error));
        return;
      }
      case 'progress':
        this.progress = msg.fraction;
        this.progressDetail = msg.detail;
        this.pool.emit();
        return;
      case 'frame-request': {
        const session = [...this.sessions].find((s) => s.id === msg.sessionId);
        if (session) void session.provideFrame(msg.index);
        return;
      }
      case 'perception-request': {
        const { seq, op, image, options } = msg;
        void servePerception(this.config.perception ?? null, op, image, options).then((text) => {
          if (this.state !== 'dead') this.transport.deliverReply(seq, text);
        });
        return;
      }
      case 'fatal':
        this.kill(`the Python interpreter failed: ${msg.message}`);
        return;
    }
  }
}
