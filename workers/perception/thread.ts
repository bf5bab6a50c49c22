/**
 * The perception worker in Node: a worker thread (started by nodeService.ts from an esbuild
 * bundle that keeps packages external, so TF.js, its WASM binaries, tesseract.js and the model
 * files all come from node_modules). The thread has its own TF.js instance on the WASM backend,
 * whatever backend the main thread's policy uses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { encodePngBytes } from '../../src/imaging/codec';
import type { GraphModelFiles } from '../../src/perception/detector';
import { TESSERACT_PARAMS, type TesseractPage } from '../../src/perception/ocr';
import { createPerceptionHandler } from './handler';
import type { PerceptionRequest } from './protocol';
import type { NodePerceptionPaths } from './nodeService';

const paths = (workerData ?? {}) as NodePerceptionPaths;
const port = parentPort!;

/** `<dir>/node_modules/<name>` for the nearest dir above this file that has it. */
function packageDir(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the npm package ${name} (is node_modules installed?)`);
    dir = up;
  }
}

const bytesOf = (file: string): ArrayBuffer => {
  const b = fs.readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

const handler = createPerceptionHandler({
  post: (msg) => port.postMessage(msg),
  async initBackend() {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + path.sep);
    if (!(await tf.setBackend('wasm'))) throw new Error('the TF.js WASM backend could not start');
    await tf.ready();
    return tf.getBackend();
  },
  async loadDetectorFiles(): Promise<GraphModelFiles> {
    const models = path.join(packageDir('@vladmandic/human'), 'models');
    const jsonFile = paths.detectorJson ?? path.join(models, 'centernet.json');
    const binFile = paths.detectorWeights ?? path.join(models, 'centernet.bin');
    let json: GraphModelFiles['json'];
    try {
      json = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    } catch (err) {
      throw new Error(`${path.basename(jsonFile)} is missing or not JSON (${(err as Error).message.split('\n')[0]})`);
    }
    return { json, weights: bytesOf(binFile) };
  },
  async createOcrEngine() {
    const { createWorker } = await import('tesseract.js');
    const langPath = paths.ocrLangPath ?? path.join(packageDir('@tesseract.js-data/eng'), '4.0.0_best_int');
    if (!fs.existsSync(path.join(langPath, 'eng.traineddata.gz'))) throw new Error(`no eng.traineddata.gz in ${langPath}`);
    const worker = await createWorker('eng', 1, { langPath, cacheMethod: 'none', gzip: true, logger: () => {} });
    await worker.setParameters(TESSERACT_PARAMS as never);
    return {
      async recognize(image) {
        const { data } = await worker.recognize(Buffer.from(encodePngBytes(image)), {}, { blocks: true, text: false });
        return data as unknown as TesseractPage;
      },
      terminate: async () => void (await worker.terminate()),
    };
  },
});

port.on('message', (msg: PerceptionRequest) => void handler.handle(msg));
