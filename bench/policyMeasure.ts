/**
 * The measurements of `npm run bench:policy`, shared by Node (in-process) and the Chromium page
 * (bench/policyPage.ts): one SFT step of the default preset at DEFAULT_SFT_BATCH, and decode
 * tokens/s at batch 1 and 64 (prompt prefilled first, not counted). No Node APIs here.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../src/model/backend';
import { DEFAULT_CONFIG, DEFAULT_SFT_BATCH, visualTokens, type ModelConfig, type SftBatchShape } from '../src/model/config';
import { decodeRunFlopsPerToken, sftStepFlops } from '../src/model/flops';
import { DecodeContext } from '../src/model/generate';
import { trainTokenizer } from '../src/model/tokenizer';
import { AdamW, sftStep } from '../src/model/trainStep';
import { TinyVLM, type TrainBatch } from '../src/model/transformer';
import type { Pixels } from '../src/runtime/types';
import { measureCeiling, type Ceiling } from './ceiling';

export interface MeasureOptions {
  backend: BackendName;
  wasmPaths?: string;
  wasmThreads?: boolean;
  sftSteps: number;
  decodeBatches: number[];
  promptLen: number;
  newTokens: number;
  /** Skip the rest when one measurement exceeds this (slow software backends). */
  budgetMs: number;
  /** Also measure the backend's GEMM ceiling and decode-shape ops (ceiling.ts). */
  ceiling?: boolean;
}

export interface BackendResult {
  backend: string;
  reason?: string;
  sftStepMs?: number;
  sftLoss?: number;
  decodeTokensPerSec?: Record<string, number>;
  prefillMs?: Record<string, number>;
  /** GFLOP/s achieved by the SFT step and by decoding, from the analytic counts of flops.ts. */
  achievedGflops?: { sftStep?: number; decode?: Record<string, number> };
  ceiling?: Ceiling;
  notes?: string[];
  error?: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Deterministic synthetic SFT batch with the same shape as the PyTorch twin's. */
export function syntheticBatch(c: ModelConfig, s: SftBatchShape, seed = 1): TrainBatch {
  let state = seed;
  const rnd = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  const { batchSize: B, seqLen: T } = s;
  const ids = new Int32Array(B * T);
  const lossMask = new Uint8Array(B * T);
  for (let i = 0; i < B * T; i++) {
    ids[i] = Math.floor(rnd() * (c.vocabSize - 10));
    lossMask[i] = i % T > 0 && rnd() < s.lossShare ? 1 : 0;
  }
  const K = visualTokens(c);
  const images: Pixels[] = [];
  const imagePositions: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < s.imagesPerSequence; i++) {
      const data = new Uint8Array(96 * 80 * 3);
      for (let j = 0; j < data.length; j++) data[j] = Math.floor(rnd() * 256);
      images.push({ width: 96, height: 80, channels: 3, data });
      const start = b * T + 10 + i * (K + 20);
      imagePositions.push(start);
      lossMask.fill(0, start, start + K);
    }
  }
  return { batchSize: B, seqLen: T, ids, lossMask, images, imagePositions };
}

export async function measure(opts: MeasureOptions): Promise<BackendResult> {
  const result: BackendResult = { backend: opts.backend, notes: [] };
  try {
    const choice = await selectBackend({ force: opts.backend, wasmPaths: opts.wasmPaths, wasmThreads: opts.wasmThreads, timeoutMs: 30_000 });
    if (choice.name !== opts.backend) throw new Error(`got ${choice.name} instead: ${choice.reason}`);
    result.reason = choice.reason;
    if (opts.backend === 'wasm') result.notes!.push(`wasm threads: ${(await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount()} (multithread support: ${await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')})`);
  } catch (err) {
    return { backend: opts.backend, error: String(err instanceof Error ? err.message : err) };
  }
  const c = DEFAULT_CONFIG;
  const model = TinyVLM.create(c, 0);
  try {
    const batch = syntheticBatch(c, DEFAULT_SFT_BATCH);
    const opt = new AdamW();
    const times: number[] = [];
    for (let i = 0; i <= opts.sftSteps; i++) {
      const t0 = performance.now();
      const r = await sftStep(model, opt, batch);
      const ms = performance.now() - t0;
      result.sftLoss = r.loss;
      if (i > 0 || opts.sftSteps === 0) times.push(ms); // the first step also builds kernels/caches
      if (ms > opts.budgetMs) {
        result.notes!.push(`SFT step took ${Math.round(ms)} ms: fewer repetitions`);
        if (times.length === 0) times.push(ms);
        break;
      }
    }
    result.sftStepMs = median(times);
    opt.dispose();
    const gflops = (flops: number, ms: number) => Math.round((flops / ms / 1e6) * 10) / 10;
    result.achievedGflops = { sftStep: gflops(sftStepFlops(c, DEFAULT_SFT_BATCH).total, result.sftStepMs), decode: {} };
    const perToken = decodeRunFlopsPerToken(c, opts.promptLen, opts.newTokens);

    const tok = trainTokenizer(['the policy writes code and answers'], { vocabSize: 300 });
    result.decodeTokensPerSec = {};
    result.prefillMs = {};
    for (const B of opts.decodeBatches) {
      const ctx = new DecodeContext(model, tok, B);
      try {
        const prompt = Array.from({ length: opts.promptLen }, (_, i) => 1 + ((i * 7) % 250));
        let t0 = performance.now();
        await ctx.prefill(Array.from({ length: B }, () => ({ ids: prompt })));
        result.prefillMs[String(B)] = performance.now() - t0;
        await ctx.generate({ maxNewTokens: 2, stop: [], seed: 1 }); // warm the decode kernels
        t0 = performance.now();
        const rows = await ctx.generate({ maxNewTokens: opts.newTokens, stop: [], seed: 2, temperature: 1 });
        const ms = performance.now() - t0;
        const n = rows.reduce((s, r) => s + r.ids.length, 0);
        result.decodeTokensPerSec[String(B)] = (n / ms) * 1000;
        result.achievedGflops.decode![String(B)] = gflops(n * perToken, ms);
      } finally {
        ctx.dispose();
      }
    }
    if (opts.ceiling) result.ceiling = measureCeiling(c);
  } catch (err) {
    result.error = String(err instanceof Error ? (err.stack ?? err.message) : err);
  } finally {
    model.dispose();
  }
  result.notes!.push(`tensors alive after: ${tf.memory().numTensors}`);
  return result;
}
