/**
 * The playground's state (zustand). Persisted in localStorage: the editor text, the chosen
 * sample and the timeout setting; everything else is rebuilt on load.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { DEFAULT_LIMITS, type Pixels, type RunResult, type RuntimeStatus } from '../../src/runtime/types';
import { DEFAULT_SNIPPET } from '../defaultSnippet';
import { decodeImage, ImageDecodeError, MAX_IMAGE_SIDE } from '../image/decodeImage';
import { getController } from '../runtime/controllerInstance';
import { IDLE_STATUS, type PythonController } from '../runtime/pythonController';
import { DEFAULT_SAMPLE, isSample, sampleUrl } from '../samples';

export const MIN_TIMEOUT_MS = 500;
export const MAX_TIMEOUT_MS = 600_000;
const MAX_LOG_ITEMS = 40;
export const STORAGE_KEY = 'pyvision.playground.v1';

export type RunStatus = 'running' | 'ok' | 'error' | 'timeout' | 'session-lost' | 'stopped';

export interface RunEntry {
  kind: 'run';
  id: number;
  code: string;
  status: RunStatus;
  result: RunResult | null;
  /** This run opened a new Python session (earlier variables are gone). */
  freshSession: boolean;
  /** Wall time seen by the page, including queueing and session start. */
  elapsedMs: number;
}

export interface NoteEntry {
  kind: 'note';
  id: number;
  text: string;
}

export type LogEntry = RunEntry | NoteEntry;

export interface ImageState {
  name: string;
  source: 'sample' | 'upload';
  pixels: Pixels;
  previewUrl: string;
  originalWidth: number;
  originalHeight: number;
  downscaled: boolean;
}

export interface PlaygroundState {
  // persisted
  code: string;
  sample: string;
  timeoutMs: number;
  // transient
  image: ImageState | null;
  imageLoading: boolean;
  imageError: string | null;
  status: RuntimeStatus;
  log: LogEntry[];
  running: boolean;
  initialised: boolean;

  init(): void;
  setCode(code: string): void;
  setTimeoutMs(ms: number): void;
  loadSample(file: string): Promise<void>;
  loadFile(file: File): Promise<void>;
  run(): Promise<void>;
  stop(): void;
  resetSession(): Promise<void>;
  clearOutput(): void;
}

export function clampTimeout(ms: number): number {
  if (!Number.isFinite(ms)) return DEFAULT_LIMITS.timeoutMs;
  return Math.round(Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, ms)));
}

/** `?timeoutMs=3000` overrides the saved setting (handy for demos and tests). */
function timeoutFromUrl(): number | null {
  if (typeof location === 'undefined') return null;
  const raw = new URLSearchParams(location.search).get('timeoutMs');
  if (raw === null || raw.trim() === '') return null;
  const ms = Number(raw);
  return Number.isFinite(ms) ? clampTimeout(ms) : null;
}

function statusOf(result: RunResult, stopped: boolean): RunStatus {
  if (result.ok) return 'ok';
  if (stopped && (result.error?.type === 'KeyboardInterrupt' || result.error?.type === 'Stopped')) return 'stopped';
  switch (result.error?.kind) {
    case 'timeout':
      return 'timeout';
    case 'session-lost':
      return 'session-lost';
    default:
      return 'error';
  }
}

let nextId = 1;
let controller: PythonController | null = null;
let consoleController: (() => PythonController) | null = null;

/** The page's one PythonController (its runtime is shared by the console and the playground). */
export function pageController(): PythonController {
  if (!consoleController) throw new Error('the console store is not created yet');
  return consoleController();
}
let imageRequest = 0;

export const usePlayground = create<PlaygroundState>()(
  persist(
    (set, get) => {
      const addLog = (entry: LogEntry) => set((s) => ({ log: [...s.log, entry].slice(-MAX_LOG_ITEMS) }));
      const note = (text: string) => addLog({ kind: 'note', id: nextId++, text });
      const ctl = (): PythonController => {
        controller ??= getController((status) => set({ status }), get().timeoutMs);
        return controller;
      };
      consoleController = ctl;

      const setImage = (image: ImageState) => {
        const previous = get().image;
        if (previous && previous.previewUrl.startsWith('blob:')) URL.revokeObjectURL(previous.previewUrl);
        const hadSession = ctl().hasSession;
        ctl().setImage(image.pixels);
        set({ image, imageError: null });
        if (hadSession) note(`New image "${image.name}": the next run starts a fresh Python session.`);
      };

      const decodeInto = async (blob: Blob, name: string, source: ImageState['source']) => {
        const request = ++imageRequest;
        set({ imageLoading: true, imageError: null });
        try {
          const decoded = await decodeImage(blob, name);
          if (request !== imageRequest) return; // a newer image won
          setImage({ name, source, previewUrl: URL.createObjectURL(blob), ...decoded });
          if (source === 'sample') set({ sample: name });
        } catch (err) {
          if (request !== imageRequest) return;
          const message =
            err instanceof ImageDecodeError ? err.message : `Could not load "${name}": ${err instanceof Error ? err.message : String(err)}`;
          // The previous image, the code and the session are kept.
          set({ imageError: message });
        } finally {
          if (request === imageRequest) set({ imageLoading: false });
        }
      };

      return {
        code: DEFAULT_SNIPPET,
        sample: DEFAULT_SAMPLE,
        timeoutMs: DEFAULT_LIMITS.timeoutMs,
        image: null,
        imageLoading: false,
        imageError: null,
        status: IDLE_STATUS,
        log: [],
        running: false,
        initialised: false,

        init() {
          if (get().initialised) return;
          const fromUrl = timeoutFromUrl();
          set({ initialised: true, ...(fromUrl !== null ? { timeoutMs: fromUrl } : {}) });
          ctl().setTimeoutMs(get().timeoutMs);
          ctl().warmUp();
          const sample = isSample(get().sample) ? get().sample : DEFAULT_SAMPLE;
          void get().loadSample(sample);
        },

        setCode(code) {
          set({ code });
        },

        setTimeoutMs(ms) {
          const timeoutMs = clampTimeout(ms);
          if (timeoutMs === get().timeoutMs) return;
          const hadSession = ctl().hasSession;
          set({ timeoutMs });
          ctl().setTimeoutMs(timeoutMs);
          if (hadSession || get().running) {
            note(`Timeout set to ${(timeoutMs / 1000).toFixed(1)} s: Python restarts with the new limit (variables are cleared).`);
          }
        },

        async loadSample(file) {
          if (!isSample(file)) {
            set({ imageError: `Unknown sample "${file}".` });
            return;
          }
          try {
            const response = await fetch(sampleUrl(file));
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            await decodeInto(await response.blob(), file, 'sample');
          } catch (err) {
            set({ imageError: `Could not load sample "${file}": ${err instanceof Error ? err.message : String(err)}`, imageLoading: false });
          }
        },

        async loadFile(file) {
          await decodeInto(file, file.name, 'upload');
        },

        async run() {
          const { running, code, imageLoading } = get();
          if (running || imageLoading) return;
          const id = nextId++;
          const started = performance.now();
          set({ running: true });
          addLog({ kind: 'run', id, code, status: 'running', result: null, freshSession: false, elapsedMs: 0 });
          try {
            const { result, freshSession, stopped } = await ctl().run(code);
            const entry: RunEntry = {
              kind: 'run',
              id,
              code,
              status: statusOf(result, stopped),
              result,
              freshSession,
              elapsedMs: performance.now() - started,
            };
            set((s) => ({ log: s.log.map((e) => (e.kind === 'run' && e.id === id ? entry : e)) }));
          } finally {
            set({ running: false });
          }
        },

        stop() {
          const wasRunning = get().running;
          ctl().stop();
          note(
            wasRunning
              ? 'Stopped: Python was restarted; the next run starts a fresh session.'
              : 'Python restarted: all variables are cleared.',
          );
        },

        async resetSession() {
          if (get().running) return;
          await ctl().resetSession();
          note('Session reset: variables cleared, image_clue_0 re-bound.');
        },

        clearOutput() {
          set((s) => ({ log: s.log.filter((e) => e.kind === 'run' && e.status === 'running') }));
        },
      };
    },
    {
      name: STORAGE_KEY,
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ code: s.code, sample: s.sample, timeoutMs: s.timeoutMs }),
    },
  ),
);

export { MAX_IMAGE_SIDE };
