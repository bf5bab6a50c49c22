/**
 * The browser implementation of PythonRuntime: a pool of Pyodide web workers.
 * Needs cross-origin isolation (SharedArrayBuffer) for interrupts and video frames.
 */
import type { Pixels, PythonRuntime, RuntimeOptions, VideoMeta } from '../../src/runtime/types';
import type { PerceptionService } from '../../src/perception/types';
import { createFrameChannel, writeFrame } from './frameChannel';
import { PythonPool, type PoolOptions, type WorkerTransport } from './pool';
import { createReplyChannel, writeReply } from './replyChannel';
import { transferablesOf, type HostToWorker, type WorkerToHost } from './protocol';

const rawSources = import.meta.glob('./py/**/*.py', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
export const PY_SOURCES: Record<string, string> = Object.fromEntries(
  Object.entries(rawSources).map(([path, text]) => [path.replace(/^\.\/py\//, ''), text]),
);

class BrowserTransport implements WorkerTransport {
  readonly interruptBuffer = new SharedArrayBuffer(1);
  readonly replyChannel = createReplyChannel();
  private readonly flag = new Int8Array(this.interruptBuffer);
  private readonly worker = new Worker(new URL('./python.worker.ts', import.meta.url), { type: 'module', name: 'python' });

  post(msg: HostToWorker): void {
    this.worker.postMessage(msg, transferablesOf(msg));
  }
  onMessage(listener: (msg: WorkerToHost) => void): void {
    this.worker.addEventListener('message', (e: MessageEvent<WorkerToHost>) => listener(e.data));
  }
  onExit(listener: (reason: string) => void): void {
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      listener(e.message || 'the worker script failed');
    });
  }
  interrupt(): void {
    Atomics.store(this.flag, 0, 2); // SIGINT
  }
  clearInterrupt(): void {
    Atomics.store(this.flag, 0, 0);
  }
  interruptPending(): boolean {
    return Atomics.load(this.flag, 0) !== 0;
  }
  frameChannel(meta: VideoMeta): SharedArrayBuffer {
    return createFrameChannel(meta);
  }
  deliverFrame(_sessionId: string, channel: SharedArrayBuffer | null, index: number, frame: Pixels | { error: string }): void {
    if (channel) writeFrame(channel, index, frame);
  }
  deliverReply(seq: number, text: string): void {
    writeReply(this.replyChannel, seq, text);
  }
  terminate(): void {
    this.worker.terminate();
  }
}

export function createBrowserRuntime(options: PoolOptions = {}, perception: PerceptionService | null = null): PythonRuntime {
  if (!globalThis.crossOriginIsolated) {
    throw new Error('The page is not cross-origin isolated (COOP/COEP headers missing): Python cannot be interrupted safely.');
  }
  return new PythonPool({
    createTransport: () => new BrowserTransport(),
    indexURL: new URL('/pyodide/', location.href).href,
    pySources: PY_SOURCES,
    perception,
    options,
  });
}

export type { RuntimeOptions };
