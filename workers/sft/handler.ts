/**
 * The SFT worker's logic, free of worker globals so it runs (and is tested) in Node too: picks a
 * TF.js backend (threaded WASM stays off: it hangs in production builds, PLATFORM.md), trains
 * with src/model/sft/trainer.ts and streams progress, loss and the result back.
 */
import { selectBackend } from '../../src/model/backend';
import { yieldToEventLoop } from '../../src/model/generate';
import { trainSft, trainSftTokenizer } from '../../src/model/sft/trainer';
import { modelToArtifacts } from '../../src/model/weights';
import type { SftEvent, SftRequest } from './protocol';

export interface SftHandlerOptions {
  post(event: SftEvent, transfer?: Transferable[]): void;
  /** Where the WASM binaries are served (the worker passes Vite `?url` imports; Node finds them). */
  wasmPaths?: Record<string, string>;
}

export function createSftHandler(opts: SftHandlerOptions): (msg: SftRequest) => Promise<void> {
  let controller: AbortController | null = null;
  return async (msg) => {
    if (msg.type === 'cancel') {
      controller?.abort();
      return;
    }
    if (controller) return opts.post({ type: 'error', message: 'a fine-tune is already running in this worker' });
    const ctrl = new AbortController();
    controller = ctrl;
    try {
      const backend = await selectBackend({ force: msg.backend, ...(opts.wasmPaths ? { wasmPaths: opts.wasmPaths } : {}) });
      opts.post({ type: 'backend', backend });
      const t0 = performance.now();
      // A small dataset may not support the configured vocabulary (too few pairs to merge): the
      // model then gets the vocabulary the tokenizer reached, as trainSft requires them equal.
      const tokenizer = trainSftTokenizer(msg.records, msg.config.model.vocabSize);
      const config = { ...msg.config, model: { ...msg.config.model, vocabSize: Math.min(msg.config.model.vocabSize, tokenizer.vocabSize) } };
      const result = await trainSft(msg.records, config, {
        tokenizer,
        signal: ctrl.signal,
        onLog: (entry) => opts.post({ type: 'log', entry }),
        beforeStep: async (step) => {
          opts.post({ type: 'progress', step, steps: msg.config.steps, elapsedMs: performance.now() - t0 });
          // A macrotask boundary, so a 'cancel' message is handled between steps.
          await yieldToEventLoop();
        },
      });
      if (result.stoppedBy === 'cancelled') {
        result.model.dispose();
        opts.post({ type: 'cancelled', step: result.steps });
        return;
      }
      const summary = {
        steps: result.steps,
        stoppedBy: result.stoppedBy,
        finalLoss: result.finalLoss,
        examples: result.examples,
        unusableExamples: result.unusableExamples,
        wallMs: result.wallMs,
      };
      const artifacts = await modelToArtifacts(result.model, {
        name: msg.name,
        tokenizer: result.tokenizer.toJSON(),
        extra: { card: { ...msg.card, training: { ...summary, lossCurve: result.log.map((e) => ({ step: e.step, loss: e.loss })) } } },
      });
      result.model.dispose();
      const buf = artifacts.weightData as ArrayBuffer;
      opts.post({ type: 'done', artifacts, summary }, [buf]);
    } catch (err) {
      opts.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    } finally {
      controller = null;
    }
  };
}
