/**
 * The Python worker's message handler: owns one Pyodide interpreter and answers the
 * protocol in ./protocol.ts. The same handler runs in a browser web worker
 * (python.worker.ts) and in the thread inside the confined Node child (../node/thread.ts);
 * it is also usable in-process in tests. Environment specifics come in through HandlerEnv.
 */
import type { PyodideAPI } from 'pyodide';
import { failedRun, type Figure, type Pixels, type RunResult, type RuntimeLimits } from '../../src/runtime/types';
import { readFrame } from './frameChannel';
import { createImagingModule } from './imagingBridge';
import { waitReply } from './replyChannel';
import { createVisionModule, pixelsArg } from './visionBridge';
import { fitFigure } from './figures';
import type { HostToWorker, InitRequest, Reply, ReplyPayloads, WorkerToHost } from './protocol';
import { REAL_PACKAGE_NAMES, transferablesOf } from './protocol';

type LoadPyodide = (options: {
  indexURL: string;
  packageBaseUrl?: string;
  env?: Record<string, string>;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
}) => Promise<PyodideAPI>;

export interface HandlerEnv {
  loadPyodide: LoadPyodide;
  post(msg: WorkerToHost, transfer?: Transferable[]): void;
  /** Whether a package file exists where Pyodide would load it from ('auto' package mode). */
  exists(url: string): Promise<boolean>;
  /** Close escape routes once Pyodide and its packages are loaded, before any user code. */
  lockdown(): void;
}

const PY_ROOT = '/home/pyodide/pv';
const FRAME_WAIT_MS = 20_000;
const MODE_OF: Record<number, string> = { 1: 'L', 3: 'RGB', 4: 'RGBA' };
const CHANNELS_OF: Record<string, 1 | 3 | 4> = { L: 1, RGB: 3, RGBA: 4 };

interface PyFigure {
  mode: string;
  width: number;
  height: number;
  data: Uint8Array;
  titles: string[];
}

interface PyRunResult {
  output: string;
  output_truncated: boolean;
  figures: PyFigure[];
  figures_dropped: number;
  error: { type: string; message: string; traceback: string } | undefined;
  wall_ms: number;
}

export function createPythonHandler(env: HandlerEnv) {
  let py: PyodideAPI | null = null;
  let limits: RuntimeLimits | null = null;
  let harness: { [name: string]: (...args: unknown[]) => unknown } | null = null;
  const frameChannels = new Map<string, SharedArrayBuffer>();
  let interruptFlag: Int8Array | null = null;
  let replyChannel: SharedArrayBuffer | null = null;
  let perceptionSeq = 0;
  const interrupted = () => interruptFlag !== null && Atomics.load(interruptFlag, 0) !== 0;
  // Requests are handled strictly one at a time, in arrival order.
  let queue: Promise<void> = Promise.resolve();

  const heapBytes = () => (py ? (py as unknown as { _module: { HEAPU8: Uint8Array } })._module.HEAPU8.length : 0);

  function reply<K extends keyof ReplyPayloads>(request: K, reqId: number, value: ReplyPayloads[K]) {
    const msg = { kind: 'reply', reqId, request, ok: true, value } as Reply;
    env.post(msg, transferablesOf(msg));
  }

  async function init(msg: InitRequest): Promise<ReplyPayloads['init']> {
    env.post({ kind: 'progress', fraction: 0.05, detail: 'Loading the Python interpreter…' });
    py = await env.loadPyodide({
      indexURL: msg.indexURL,
      ...(msg.packageBaseUrl ? { packageBaseUrl: msg.packageBaseUrl } : {}),
      env: { HOME: '/home/pyodide', PYTHONHASHSEED: '0' },
      stdout: () => {},
      stderr: () => {},
    });
    limits = msg.limits;
    interruptFlag = new Int8Array(msg.interruptBuffer);
    replyChannel = msg.replyChannel;
    py.setInterruptBuffer(interruptFlag);
    env.post({ kind: 'progress', fraction: 0.7, detail: 'Interpreter ready; preparing packages…' });

    const { packages, note } = await loadPackages(py, msg);
    writeSources(py, msg.pySources);
    py.registerJsModule('_pv_imaging', createImagingModule(() => limits!));
    py.registerJsModule('_pv_host', { read_frame: readFrameFor, perceive });
    py.registerJsModule('_pv_vision', createVisionModule(() => limits!));
    py.runPython(`import sys\nsys.path.insert(0, ${JSON.stringify(PY_ROOT)})`);
    if (packages === 'compat') py.runPython(`sys.path.insert(0, ${JSON.stringify(PY_ROOT + '/compat')})`);
    // Kept for the worker's lifetime: its attributes are the harness functions we call.
    harness = py.pyimport('_pv_harness') as unknown as NonNullable<typeof harness>;
    harness.configure!(msg.limits.maxOutputChars, msg.limits.maxFigures, packages === 'real');
    env.lockdown();
    env.post({ kind: 'progress', fraction: 1, detail: 'Python ready' });
    return { packages, packageNote: note, heapBytes: heapBytes() };
  }

  async function loadPackages(api: PyodideAPI, msg: InitRequest): Promise<{ packages: 'compat' | 'real'; note: string }> {
    if (msg.packages === 'compat') return { packages: 'compat', note: 'offline compatibility layer (chosen in settings)' };
    if (msg.packageProblem) {
      if (msg.packages === 'real') throw new Error(msg.packageProblem);
      return { packages: 'compat', note: `offline compatibility layer (real packages unavailable: ${msg.packageProblem})` };
    }
    const base = msg.packageBaseUrl ?? msg.indexURL;
    const numpyFile = api.lockfile.packages['numpy']?.file_name;
    // With no index configured, only try when the served distribution really has the wheels:
    // otherwise Pyodide would reach for its CDN (Node) or log 404s for nothing (browser).
    if (!msg.packageBaseUrl && (!numpyFile || !(await env.exists(joinUrl(base, numpyFile))))) {
      if (msg.packages === 'real') throw new Error(`numpy, Pillow and matplotlib are not available at ${base}: configure a Pyodide package index`);
      return { packages: 'compat', note: 'offline compatibility layer (no Pyodide package index configured)' };
    }
    env.post({ kind: 'progress', fraction: 0.75, detail: 'Loading numpy, Pillow and matplotlib…' });
    const failures: string[] = [];
    await api.loadPackage([...REAL_PACKAGE_NAMES], { messageCallback: () => {}, errorCallback: (m: string) => failures.push(m) });
    // loadPackage can resolve without loading anything: trust only a real import.
    try {
      api.runPython('import numpy, PIL.Image, matplotlib');
      return { packages: 'real', note: `numpy, Pillow and matplotlib from ${base}` };
    } catch (err) {
      const why = failures.join(' ').trim() || String(err).split('\n').filter(Boolean).pop();
      if (msg.packages === 'real') throw new Error(`could not load numpy, Pillow and matplotlib from ${base}: ${why}`);
      return { packages: 'compat', note: `offline compatibility layer (real packages failed to load: ${why})` };
    }
  }

  function writeSources(api: PyodideAPI, sources: Record<string, string>) {
    for (const [rel, text] of Object.entries(sources)) {
      const path = `${PY_ROOT}/${rel}`;
      api.FS.mkdirTree(path.slice(0, path.lastIndexOf('/')));
      api.FS.writeFile(path, text);
    }
  }

  function readFrameFor(sessionId: string, index: number): Uint8Array {
    const channel = frameChannels.get(sessionId);
    if (!channel) throw new Error('this session has no video bound');
    return readFrame(channel, index, () => env.post({ kind: 'frame-request', sessionId, index }), FRAME_WAIT_MS, interrupted);
  }

  /**
   * perceive(op, data, width, height, channels, options_json) → JSON text: a synchronous call to
   * the host's perception service (object detection, OCR). The pixels are copied out of Python's
   * buffer and transferred; the wait is bounded by the per-call limit and ends on an interrupt.
   */
  function perceive(op: string, data: unknown, width: number, height: number, channels: number, optionsJson: string): string {
    const channel = need(replyChannel);
    const image = pixelsArg(data, width, height, channels);
    const seq = ++perceptionSeq;
    const options = optionsJson ? (JSON.parse(optionsJson) as unknown) : {};
    const ask = () => env.post({ kind: 'perception-request', seq, op: String(op), image, options }, [image.data.buffer as ArrayBuffer]);
    return waitReply(channel, seq, ask, need(limits).timeoutMs, interrupted);
  }

  function toPyImages(images: Pixels[]) {
    return images.map((p) => [MODE_OF[p.channels], p.width, p.height, p.data]);
  }

  function open(msg: Extract<HostToWorker, { kind: 'open' }>) {
    const api = need(py);
    const images = api.toPy(toPyImages(msg.images));
    const video = msg.video
      ? api.toPy({ width: msg.video.width, height: msg.video.height, frame_count: msg.video.frameCount, fps: msg.video.fps })
      : null;
    try {
      if (msg.frameChannel) frameChannels.set(msg.sessionId, msg.frameChannel);
      need(harness).open_session!(msg.sessionId, images, video ?? undefined);
    } finally {
      images.destroy();
      video?.destroy();
    }
  }

  function run(sessionId: string, code: string): RunResult {
    let proxy: { toJs(o: object): PyRunResult; destroy(): void };
    const started = performance.now();
    try {
      proxy = need(harness).run!(sessionId, code) as typeof proxy;
    } catch (err) {
      // An interrupt can land just before or after the harness's own try block.
      if (!/KeyboardInterrupt/.test(String(err))) throw err;
      need(harness).recover!();
      const error = { kind: 'python', type: 'KeyboardInterrupt', message: 'KeyboardInterrupt', traceback: 'KeyboardInterrupt\n' } as const;
      return failedRun(error, performance.now() - started);
    }
    const raw = proxy.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
    proxy.destroy();
    const figures: Figure[] = raw.figures.map((f) =>
      fitFigure({ width: f.width, height: f.height, channels: CHANNELS_OF[f.mode] ?? 3, data: f.data }, f.titles, need(limits).maxFigureSide),
    );
    return {
      ok: !raw.error,
      output: raw.output,
      outputTruncated: raw.output_truncated,
      figures,
      figuresDropped: raw.figures_dropped,
      error: raw.error ? { kind: 'python', ...raw.error } : null,
      wallMs: raw.wall_ms,
    };
  }

  async function handleOne(msg: HostToWorker): Promise<void> {
    try {
      switch (msg.kind) {
        case 'init':
          return reply('init', msg.reqId, await init(msg));
        case 'open':
          open(msg);
          return reply('open', msg.reqId, { heapBytes: heapBytes() });
        case 'run':
          return reply('run', msg.reqId, { result: run(msg.sessionId, msg.code), heapBytes: heapBytes() });
        case 'reset':
          need(harness).reset_session!(msg.sessionId);
          return reply('reset', msg.reqId, { heapBytes: heapBytes() });
        case 'close':
          need(harness).close_session!(msg.sessionId);
          frameChannels.delete(msg.sessionId);
          return reply('close', msg.reqId, { heapBytes: heapBytes() });
      }
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      // A Pyodide fatal error leaves the interpreter unusable: the host must replace us.
      if (/fatal error|Pyodide has suffered/i.test(text)) env.post({ kind: 'fatal', message: text });
      env.post({ kind: 'reply', reqId: msg.reqId, request: msg.kind, ok: false, error: text } as Reply);
    }
  }

  return {
    handle(msg: HostToWorker): Promise<void> {
      queue = queue.then(() => handleOne(msg));
      return queue;
    },
  };
}

function need<T>(value: T | null): T {
  if (value === null) throw new Error('the Python worker is not initialised');
  return value;
}

function joinUrl(base: string, file: string): string {
  return base.endsWith('/') ? base + file : `${base}/${file}`;
}
