/**
 * The Python runtime interface: what the agent loop, the UI and the CLI see.
 *
 * Two implementations exist behind it: the browser one (Pyodide in dedicated web workers,
 * `workers/python/browserRuntime.ts`) and the Node one (Pyodide in a confined child process,
 * `workers/node/nodeRuntime.ts`). Both share the pool logic in `workers/python/pool.ts`.
 * This file is framework-free: no DOM, no worker, no Node APIs.
 */

/** Raw pixels, row-major, interleaved channels. 1 = L, 3 = RGB, 4 = RGBA. */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

/** Metadata a video exposes to Python (decord-style reader) and to the prompt. */
export interface VideoMeta {
  width: number;
  height: number;
  frameCount: number;
  fps: number;
}

/** Supplies decoded RGB frames on demand: only requested frames cross into Python. */
export interface FrameProvider {
  meta: VideoMeta;
  /** Decode frame `index` (0-based) as RGB (channels 3) of size meta.width × meta.height. */
  getFrame(index: number): Promise<Pixels>;
}

export interface RuntimeLimits {
  /** Per-call wall-clock limit; on expiry the call is interrupted (KeyboardInterrupt). */
  timeoutMs: number;
  /** After an interrupt, how long to wait before terminating and replacing the worker. */
  interruptGraceMs: number;
  /** stdout+stderr characters kept per call; the rest is dropped with a visible marker. */
  maxOutputChars: number;
  /** Figures kept per call (plt.show beyond this is reported, not captured). */
  maxFigures: number;
  /** Largest figure side in pixels; bigger figures are downscaled to fit. */
  maxFigureSide: number;
  /** Largest image Python may create or bind (width × height). */
  maxImagePixels: number;
  /** Wasm heap size above which a worker is recycled after the call (bytes). */
  maxHeapBytes: number;
}

export const DEFAULT_LIMITS: RuntimeLimits = {
  timeoutMs: 30_000,
  interruptGraceMs: 3_000,
  maxOutputChars: 20_000,
  maxFigures: 8,
  maxFigureSide: 2048,
  maxImagePixels: 64 * 1024 * 1024,
  maxHeapBytes: 1536 * 1024 * 1024,
};

/**
 * Which Python packages back PIL / matplotlib / decord:
 * - 'compat': the project's own offline subset (always available);
 * - 'real': Pyodide's numpy, Pillow and matplotlib, loaded from `packageBaseUrl`
 *   (or the served Pyodide distribution); fails with a clear error if they cannot be imported;
 * - 'auto': 'real' when the packages can be loaded, otherwise 'compat'.
 */
export type PackageMode = 'compat' | 'real' | 'auto';

export interface RuntimeOptions {
  /** Warm workers kept ready (besides sessions in use). */
  poolSize: number;
  /** Python sessions one worker may host at once; 1 gives full interpreter isolation. */
  sessionsPerWorker: number;
  limits: RuntimeLimits;
  packages: PackageMode;
  /** Where Pyodide package wheels live (a Pyodide distribution or index); null = none. */
  packageBaseUrl: string | null;
}

export const DEFAULT_RUNTIME_OPTIONS: RuntimeOptions = {
  poolSize: 1,
  sessionsPerWorker: 1,
  limits: DEFAULT_LIMITS,
  packages: 'auto',
  packageBaseUrl: null,
};

export interface Figure {
  pixels: Pixels;
  /** Axes/figure titles, in order, as plain text (the compat layer does not rasterise text). */
  titles: string[];
  /** True when the figure was downscaled to fit maxFigureSide. */
  downscaled: boolean;
}

export type RunErrorKind =
  /** Python raised; the session is intact. */
  | 'python'
  /** The call ran past timeoutMs and was interrupted; the session is intact. */
  | 'timeout'
  /** The worker had to be terminated (no response to the interrupt, crash, out of memory);
   *  the session's state is gone and the session cannot be used again. */
  | 'session-lost';

export interface RunError {
  kind: RunErrorKind;
  /** Exception type name ("ZeroDivisionError", "TimeoutError", "SessionLost"). */
  type: string;
  /** One-line message for the UI. */
  message: string;
  /** Full traceback text when Python raised. */
  traceback: string;
}

export interface RunResult {
  ok: boolean;
  /** stdout and stderr interleaved as printed (capped). */
  output: string;
  outputTruncated: boolean;
  figures: Figure[];
  /** Figures shown beyond maxFigures (not captured). */
  figuresDropped: number;
  error: RunError | null;
  wallMs: number;
}

/** A call that produced nothing but an error (interrupted, lost, or failed before running). */
export function failedRun(error: RunError, wallMs: number): RunResult {
  return { ok: false, output: '', outputTruncated: false, figures: [], figuresDropped: 0, error, wallMs };
}

export interface SessionInputs {
  /** Bound in order as image_clue_0, image_clue_1, … (PIL-style images). */
  images?: Pixels[];
  /** Bound as video_clue_0 (decord-style reader). */
  video?: FrameProvider;
}

export interface PythonSession {
  readonly id: string;
  /** Run code in this session's namespace; never rejects for Python errors or timeouts. */
  run(code: string): Promise<RunResult>;
  /**
   * Stop the call in flight, if any: KeyboardInterrupt first (variables kept); if the code
   * ignores it for interruptGraceMs, its worker is replaced and the session is lost.
   */
  interrupt(): void;
  /** Clear the namespace and re-bind the inputs. */
  reset(): Promise<void>;
  /** Release the session; its worker returns to the pool. Idempotent. */
  close(): Promise<void>;
  /** True once the session was lost (its worker was terminated). */
  readonly lost: boolean;
}

export type RuntimePhase = 'idle' | 'loading' | 'ready' | 'error' | 'disposed';

export interface RuntimeStatus {
  phase: RuntimePhase;
  /** 0..1 progress of the slowest loading worker (for progress bars). */
  progress: number;
  /** Human-readable detail ("Loading Pyodide…", "2 workers ready", an error). */
  detail: string;
  workers: { total: number; ready: number; busy: number };
  /** Which package set is active once ready. */
  packages: 'compat' | 'real' | null;
}

export interface PythonRuntime {
  /** Start the pool; resolves when at least one worker is ready. */
  start(): Promise<void>;
  openSession(inputs?: SessionInputs): Promise<PythonSession>;
  status(): RuntimeStatus;
  onStatus(listener: (status: RuntimeStatus) => void): () => void;
  dispose(): Promise<void>;
}
