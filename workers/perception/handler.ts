/**
 * The perception worker's message handler: owns the object detector (TF.js graph model) and the
 * OCR engine (tesseract.js), each loaded once on first use and shared by every request. The same
 * handler runs in a browser web worker (perception.worker.ts) and a Node worker thread
 * (thread.ts); environment specifics (where the files are, how Tesseract starts) come in
 * through PerceptionEnv.
 *
 * - Requests for one model run one at a time (TF.js and a Tesseract worker are single-threaded
 *   anyway); detection and OCR may overlap.
 * - A model that fails to load fails that request with a clear message ("the object detector
 *   could not be loaded: …") and is tried again on the next request, so a transient failure
 *   does not poison the worker and a permanent one keeps saying why.
 */
import { ObjectDetector, type GraphModelFiles } from '../../src/perception/detector';
import { prepareForOcr, shapeOcr, type TesseractPage } from '../../src/perception/ocr';
import type { PerceptionStatus } from '../../src/perception/types';
import type { Pixels } from '../../src/runtime/types';
import type { PerceptionEvent, PerceptionReply, PerceptionReplyValues, PerceptionRequest } from './protocol';

export interface OcrEngine {
  recognize(image: Pixels): Promise<TesseractPage>;
  terminate(): Promise<void>;
}

export interface PerceptionEnv {
  post(msg: PerceptionEvent): void;
  /** Selects and initialises the TF.js backend (WASM); returns its name. */
  initBackend(): Promise<string>;
  loadDetectorFiles(): Promise<GraphModelFiles>;
  createOcrEngine(): Promise<OcrEngine>;
}

type Model = 'detector' | 'ocr';

/** FNV-1a over every 7th byte plus the size: a cheap key for "the same image again". */
function imageKey(p: Pixels): string {
  let h = 0x811c9dc5;
  const d = p.data;
  for (let i = 0; i < d.length; i += 7) h = Math.imul(h ^ d[i]!, 0x01000193);
  return `${p.width}x${p.height}x${p.channels}:${d.length}:${(h >>> 0).toString(16)}`;
}

/** Recent answers by image and options: a tool called twice on one image (find, then count) pays once. */
class AnswerCache<T> {
  private map = new Map<string, Promise<T>>();
  constructor(private readonly size = 48) {}
  get(key: string, make: () => Promise<T>): Promise<T> {
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const p = make();
    this.map.set(key, p);
    p.catch(() => this.map.delete(key));
    while (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
    return p;
  }
}

export function createPerceptionHandler(env: PerceptionEnv) {
  const status: PerceptionStatus = { detector: 'idle', ocr: 'idle', detail: '' };
  let detector: Promise<ObjectDetector> | null = null;
  let ocr: Promise<OcrEngine> | null = null;
  const queues: Record<Model, Promise<unknown>> = { detector: Promise.resolve(), ocr: Promise.resolve() };
  const detections = new AnswerCache<Awaited<ReturnType<ObjectDetector['detect']>>>();
  const readings = new AnswerCache<PerceptionReplyValues['ocr']>();

  const setStatus = (model: Model, state: PerceptionStatus['detector'], detail: string) => {
    status[model] = state;
    status.detail = detail;
    env.post({ kind: 'status', status: { ...status } });
  };

  function load<T>(model: Model, current: Promise<T> | null, make: () => Promise<T>, what: string): Promise<T> {
    if (current) return current;
    setStatus(model, 'loading', `Loading the ${what}…`);
    const p = make().then(
      (v) => {
        setStatus(model, 'ready', `The ${what} is ready`);
        return v;
      },
      (err: unknown) => {
        const why = err instanceof Error ? err.message : String(err);
        setStatus(model, 'error', `The ${what} could not be loaded: ${why}`);
        if (model === 'detector') detector = null;
        else ocr = null;
        throw new Error(`the ${what} could not be loaded: ${why}`);
      },
    );
    if (model === 'detector') detector = p as Promise<ObjectDetector>;
    else ocr = p as Promise<OcrEngine>;
    return p;
  }

  const getDetector = () =>
    load('detector', detector, async () => {
      await env.initBackend();
      return ObjectDetector.load(await env.loadDetectorFiles());
    }, 'object detector');
  const getOcr = () => load('ocr', ocr, () => env.createOcrEngine(), 'text reader (OCR)');

  function serial<T>(model: Model, task: () => Promise<T>): Promise<T> {
    const run = queues[model].then(task, task);
    queues[model] = run.catch(() => {});
    return run;
  }

  async function answer<K extends keyof PerceptionReplyValues>(id: number, request: K, work: () => Promise<PerceptionReplyValues[K]>) {
    try {
      env.post({ kind: 'reply', id, request, ok: true, value: await work() } as PerceptionReply);
    } catch (err) {
      env.post({ kind: 'reply', id, request, ok: false, error: err instanceof Error ? err.message : String(err) } as PerceptionReply);
    }
  }

  return {
    handle(msg: PerceptionRequest): Promise<void> {
      switch (msg.kind) {
        case 'detect':
          return answer(msg.id, 'detect', () =>
            detections.get(`${imageKey(msg.image)}:${JSON.stringify(msg.options)}`, () => serial('detector', async () => (await getDetector()).detect(msg.image, msg.options))),
          );
        case 'ocr':
          return answer(msg.id, 'ocr', () =>
            readings.get(imageKey(msg.image), () =>
              serial('ocr', async () => {
                const engine = await getOcr();
                const { pixels, factor } = prepareForOcr(msg.image);
                return shapeOcr(await engine.recognize(pixels), factor);
              }),
            ),
          );
        case 'warm':
          return answer(msg.id, 'warm', async () => {
            await Promise.allSettled(msg.models.map((m) => (m === 'detector' ? getDetector() : getOcr())));
            return { ...status };
          });
      }
    },
    async dispose(): Promise<void> {
      const [d, o] = await Promise.allSettled([detector, ocr]);
      if (d.status === 'fulfilled') d.value?.dispose();
      if (o.status === 'fulfilled') await o.value?.terminate();
    },
  };
}
