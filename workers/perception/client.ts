/**
 * The host's side of the perception worker, as a PerceptionService: requests by id, typed
 * replies, status for progress bars. The worker is started on the first request (a page that
 * never calls a vision tool never loads a model), and started again after it dies.
 *
 * A request that gets no answer within `requestTimeoutMs` fails and the worker is replaced: a
 * wedged model must not hold every Python tool call after it (Python's own wait is bounded by the
 * per-call timeout, this one frees the host's side).
 */
import type { DetectOptions, Detection } from '../../src/perception/detector';
import type { OcrResult, PerceptionService, PerceptionStatus } from '../../src/perception/types';
import type { Pixels } from '../../src/runtime/types';
import { imageTransfer, type PerceptionEvent, type PerceptionReplyValues, type PerceptionRequest } from './protocol';

/** A started perception worker, whatever runs it (web worker, worker thread, in-process). */
export interface PerceptionPort {
  post(msg: PerceptionRequest, transfer: ArrayBuffer[]): void;
  onEvent(listener: (e: PerceptionEvent) => void): void;
  /** Called once when the worker dies on its own. */
  onExit(listener: (reason: string) => void): void;
  terminate(): void;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> };

export class PerceptionClient implements PerceptionService {
  private port: PerceptionPort | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private current: PerceptionStatus = { detector: 'idle', ocr: 'idle', detail: '' };
  private listeners = new Set<(s: PerceptionStatus) => void>();
  private disposed = false;

  constructor(
    private readonly start: () => PerceptionPort,
    private readonly requestTimeoutMs = 120_000,
  ) {}

  // Pixels are copied once here and the copy transferred: the caller's buffer stays usable.
  detect(image: Pixels, opts: DetectOptions = {}): Promise<Detection[]> {
    return this.request({ kind: 'detect', image: { ...image, data: image.data.slice() }, options: opts });
  }

  readText(image: Pixels): Promise<OcrResult> {
    return this.request({ kind: 'ocr', image: { ...image, data: image.data.slice() } });
  }

  /** Loads models ahead of the first tool call; resolves with the status (failures included). */
  warm(models: Array<'detector' | 'ocr'>): Promise<PerceptionStatus> {
    return this.request({ kind: 'warm', models });
  }

  status(): PerceptionStatus {
    return { ...this.current };
  }

  onStatus(listener: (s: PerceptionStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.fail('the perception service was closed');
    this.port?.terminate();
    this.port = null;
  }

  private request<M extends WithoutId<PerceptionRequest>>(msg: M): Promise<PerceptionReplyValues[M['kind']]> {
    if (this.disposed) return Promise.reject(new Error('the perception service was closed'));
    const port = this.ensurePort();
    const id = this.nextId++;
    const full = { ...msg, id } as PerceptionRequest;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the perception worker did not answer within ${this.requestTimeoutMs / 1000} s; it was restarted`));
        this.restart();
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      port.post(full, imageTransfer(full));
    });
  }

  private ensurePort(): PerceptionPort {
    if (this.port) return this.port;
    const port = this.start();
    port.onEvent((e) => {
      if (this.port !== port) return;
      if (e.kind === 'status') {
        this.current = e.status;
        for (const l of this.listeners) l(this.status());
        return;
      }
      const p = this.pending.get(e.id);
      if (!p) return;
      this.pending.delete(e.id);
      clearTimeout(p.timer);
      if (e.ok) p.resolve(e.value);
      else p.reject(new Error(e.error));
    });
    port.onExit((reason) => {
      if (this.port !== port) return;
      this.port = null;
      this.fail(`the perception worker stopped (${reason})`);
    });
    this.port = port;
    return port;
  }

  private restart(): void {
    this.port?.terminate();
    this.port = null;
    this.fail('the perception worker was restarted');
  }

  private fail(reason: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
    }
    this.pending.clear();
  }
}
