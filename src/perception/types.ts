/**
 * The perception service: the pretrained models Python calls to see (object detection with
 * class names, text reading). One service per host (the page, the RL worker, a Node process)
 * loads each model once and serves every Python worker of that host; Python reaches it
 * synchronously through its worker's reply channel (workers/python/replyChannel.ts).
 *
 * Framework-free: the browser implementation is a web worker, the Node one a worker thread
 * (workers/perception/), both behind this interface.
 */
import type { Pixels } from '../runtime/types';
import type { Box } from './colour';
import type { DetectOptions, Detection } from './detector';

export interface OcrWord {
  text: string;
  /** 0…100, Tesseract's confidence. */
  confidence: number;
  box: Box;
}

export interface OcrLine {
  text: string;
  confidence: number;
  box: Box;
  words: OcrWord[];
}

export interface OcrResult {
  /** The lines kept (confident, with letters or digits), top to bottom. */
  lines: OcrLine[];
  /** The kept lines joined by newlines ('' when nothing was read). */
  text: string;
}

export interface PerceptionStatus {
  detector: 'idle' | 'loading' | 'ready' | 'error';
  ocr: 'idle' | 'loading' | 'ready' | 'error';
  /** Why a model failed to load, or what is loading. */
  detail: string;
}

export interface PerceptionService {
  detect(image: Pixels, opts?: DetectOptions): Promise<Detection[]>;
  readText(image: Pixels): Promise<OcrResult>;
  status(): PerceptionStatus;
  onStatus?(listener: (s: PerceptionStatus) => void): () => void;
  dispose(): Promise<void>;
}

/** What Python may ask the service (the `op` of a perception request). */
export type PerceptionOp = 'detect' | 'ocr';

/**
 * Runs one request from Python against a service and returns the JSON text Python parses.
 * Errors become `{"error": message}` so Python raises them as a clear RuntimeError.
 */
export async function servePerception(service: PerceptionService | null, op: string, image: Pixels, options: unknown): Promise<string> {
  try {
    if (!service) throw new Error('no perception service is configured in this runtime (the object detector and OCR are unavailable)');
    if (op === 'detect') {
      const o = (options ?? {}) as DetectOptions;
      return JSON.stringify({ detections: await service.detect(image, { minScore: o.minScore, tiles: !!o.tiles, maxDetections: o.maxDetections }) });
    }
    if (op === 'ocr') return JSON.stringify(await service.readText(image));
    throw new Error(`unknown perception op '${op}'`);
  } catch (err) {
    return JSON.stringify({ error: err instanceof Error ? err.message : String(err) });
  }
}
