/// <reference lib="webworker" />
/**
 * The perception worker in the browser: the object detector on TF.js's WASM backend (binaries
 * served by the app, see ../sft/wasmPaths.ts) and Tesseract, all files from the app's own origin
 * (public/perception/, public/tesseract/, copied from node_modules by
 * scripts/copy-perception.mjs). Nothing is cached by Tesseract itself (`cacheMethod: 'none'`):
 * caching is the service worker's job, and Tesseract's own cache would write IndexedDB.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createWorker } from 'tesseract.js';
import { encodePngBytes } from '../../src/imaging/codec';
import type { GraphModelFiles } from '../../src/perception/detector';
import { TESSERACT_PARAMS, type TesseractPage } from '../../src/perception/ocr';
import { WASM_PATHS } from '../sft/wasmPaths';
import { createPerceptionHandler } from './handler';
import type { PerceptionEvent, PerceptionRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const at = (path: string) => new URL(path, scope.location.origin).href;

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered HTTP ${res.status}`);
  return res;
}

const handler = createPerceptionHandler({
  post: (msg: PerceptionEvent) => scope.postMessage(msg),
  async initBackend() {
    // Threaded WASM hangs in minified builds (PLATFORM.md); one thread is enough for one image.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(WASM_PATHS);
    const ok = await Promise.race([tf.setBackend('wasm'), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
    if (!ok) throw new Error('the TF.js WASM backend did not start');
    await tf.ready();
    return tf.getBackend();
  },
  async loadDetectorFiles(): Promise<GraphModelFiles> {
    const json = (await (await fetchOk(at('/perception/centernet.json'))).json().catch(() => {
      throw new Error('/perception/centernet.json is not JSON');
    })) as GraphModelFiles['json'];
    const weights = await (await fetchOk(at('/perception/centernet.bin'))).arrayBuffer();
    return { json, weights };
  },
  async createOcrEngine() {
    const worker = await createWorker('eng', 1, {
      workerPath: at('/tesseract/worker.min.js'),
      corePath: at('/tesseract/'),
      langPath: at('/tesseract'),
      workerBlobURL: false,
      cacheMethod: 'none',
      gzip: true,
      logger: () => {},
      errorHandler: () => {},
    });
    await worker.setParameters(TESSERACT_PARAMS as never);
    return {
      async recognize(image) {
        const png = encodePngBytes(image);
        const { data } = await worker.recognize(new Blob([png as BlobPart], { type: 'image/png' }), {}, { blocks: true, text: false });
        return data as unknown as TesseractPage;
      },
      terminate: async () => void (await worker.terminate()),
    };
  },
});

scope.onmessage = (e: MessageEvent<PerceptionRequest>) => void handler.handle(e.data);
