/**
 * The SFT loop (framework-free: the same code runs headless in Node and, later, in the browser).
 *
 * 1. A tokenizer trained on the dataset's own text (the conversations as formatConversation
 *    sees them), with the model's vocabulary size at most (fewer when merges run out).
 * 2. Every record → one example via formatConversation (loss on the assistant's text only).
 * 3. TinyVLM.create(config, seed), AdamW with warmup + cosine over `steps`, batches of
 *    `batchSize` examples (an rng-seeded permutation per epoch) packed to `seqLen` positions.
 * 4. Stops at `steps`, at the time budget or on `signal`; logs every `logEvery` steps.
 *
 * Deterministic from the seed for a given number of steps (a time budget can only cut a run
 * short; the card records how many steps were taken).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, hashSeed } from '../../tasks/rng';
import { packBatch, type Example } from '../batch';
import { formatConversation, compressSystemPrompt } from '../chatFormat';
import { visualTokens, type ModelConfig } from '../config';
import { trainTokenizer, type Tokenizer } from '../tokenizer';
import { AdamW, sftStep, type OptimConfig } from '../trainStep';
import { TinyVLM } from '../transformer';
import { withCounterfactuals } from './augment';
import type { SftRecord } from './dataset';

export interface SftTrainConfig {
  model: ModelConfig;
  batchSize: number;
  seqLen: number;
  /** Step budget. */
  steps: number;
  /** Wall-clock budget in ms (Infinity: none). */
  timeBudgetMs: number;
  seed: number;
  optim: Partial<OptimConfig>;
  logEvery: number;
  /** Counterfactual copies per record (augment.ts: answer words renamed, images kept); 0: none. */
  copyAugment?: number;
}

export interface SftLogEntry {
  step: number;
  /** Mean loss over the steps since the last log. */
  loss: number;
  lr: number;
  gradNorm: number;
  elapsedMs: number;
}

export interface SftResult {
  model: TinyVLM;
  tokenizer: Tokenizer;
  steps: number;
  stoppedBy: 'steps' | 'time' | 'cancelled';
  log: SftLogEntry[];
  /** Mean loss of the last logged window. */
  finalLoss: number;
  wallMs: number;
  examples: number;
  /** Records left out: no whole image or no loss token within seqLen positions. */
  unusableExamples: number;
  /** Examples longer than seqLen (their tail left the loss). */
  truncatedExamples: number;
  /** Share of the packed positions that carry loss, over the run. */
  lossShare: number;
}

/** The text of a record as the tokenizer will meet it (kept system text, user text, assistant text). */
export function recordTexts(r: SftRecord): string[] {
  const out: string[] = [];
  for (const m of r.messages) {
    const text = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
    out.push(m.role === 'system' ? compressSystemPrompt(text) : text);
  }
  return out;
}

export function trainSftTokenizer(records: SftRecord[], vocabSize: number): Tokenizer {
  return trainTokenizer(
    records.flatMap((r) => recordTexts(r)),
    { vocabSize },
  );
}

export function recordToExample(tok: Tokenizer, r: SftRecord): Example {
  const f = formatConversation(tok, r.messages, r.images);
  return { ids: f.ids, lossMask: f.lossMask, images: f.images };
}

/**
 * Whether an example trains anything within the first seqLen positions (images expanded to K):
 * a loss token before the window ends or before an image that would not fit whole (packBatch
 * cuts the row there). An example need not show an image: a video question whose scan found
 * nothing has none, and those ("no", "none") are answers the policy must learn; a batch without
 * images simply leaves the encoder out of that step (AdamW skips parameters without a gradient).
 */
export function usableInWindow(ex: Example, seqLen: number, K: number, imageId: number): boolean {
  let pos = 0;
  for (let i = 0; i < ex.ids.length && pos < seqLen; i++) {
    if (ex.ids[i] === imageId) {
      if (pos + K > seqLen) return false;
      pos += K;
    } else {
      if (ex.lossMask[i]) return true;
      pos++;
    }
  }
  return false;
}

/** Rng-seeded permutations, epoch after epoch. */
function* batchOrder(n: number, batchSize: number, seed: number): Generator<number[]> {
  const rng = new Rng(hashSeed('sft-order', seed));
  for (;;) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let i = 0; i + batchSize <= n || (i === 0 && n > 0); i += batchSize) {
      const b = order.slice(i, i + batchSize);
      while (b.length < batchSize) b.push(order[b.length % n]!); // n < batchSize: repeat
      yield b;
    }
  }
}

export interface TrainSftOptions {
  signal?: AbortSignal;
  onLog?: (e: SftLogEntry) => void;
  /** Called before every step (e.g. to yield to a UI). */
  beforeStep?: (step: number) => void | Promise<void>;
  /** Use this tokenizer instead of training one (its vocabulary must match the config). */
  tokenizer?: Tokenizer;
  /**
   * Fine-tune this model instead of a fresh one (its config replaces cfg.model; `tokenizer`
   * must be the one it was trained with). It is trained in place and returned as the result's model.
   */
  init?: TinyVLM;
  now?: () => number;
}

export async function trainSft(records: SftRecord[], cfg: SftTrainConfig, opts: TrainSftOptions = {}): Promise<SftResult> {
  if (!records.length) throw new Error('SFT: the dataset is empty');
  const now = opts.now ?? (() => (typeof performance !== 'undefined' ? performance.now() : Date.now()));
  const t0 = now();
  if (opts.init && !opts.tokenizer) throw new Error('SFT: fine-tuning a model needs the tokenizer it was trained with');
  const tokenizer = opts.tokenizer ?? trainSftTokenizer(records, cfg.model.vocabSize);
  const baseConfig = opts.init?.config ?? cfg.model;
  if (opts.tokenizer && tokenizer.vocabSize !== baseConfig.vocabSize) throw new Error(`SFT: tokenizer vocabulary ${tokenizer.vocabSize} ≠ model vocabSize ${baseConfig.vocabSize}`);
  // A narrow corpus runs out of merges (pairs seen twice) before vocabSize: the model then gets
  // the tokenizer's smaller vocabulary (the config travels with the weights).
  const modelConfig: ModelConfig = { ...baseConfig, vocabSize: tokenizer.vocabSize };
  const K = visualTokens(modelConfig);
  const seqLen = Math.min(cfg.seqLen, modelConfig.maxSeq);
  // Every row must carry loss inside the window (a batch without loss is 0/0).
  const all = withCounterfactuals(records, cfg.copyAugment ?? 0, new Rng(hashSeed('sft-augment', cfg.seed))).map((r) => recordToExample(tokenizer, r));
  const examples = all.filter((ex) => usableInWindow(ex, seqLen, K, tokenizer.imageId));
  if (!examples.length) throw new Error(`SFT: no example carries loss within ${seqLen} positions`);
  const model = opts.init ?? TinyVLM.create(modelConfig, cfg.seed);
  const opt = new AdamW({ totalSteps: cfg.steps, warmupSteps: Math.min(100, Math.max(1, Math.floor(cfg.steps / 10))), ...cfg.optim });
  const order = batchOrder(examples.length, cfg.batchSize, cfg.seed);
  const log: SftLogEntry[] = [];
  let logWindow: { loss: number; n: number; gradNorm: number; lr: number } = { loss: 0, n: 0, gradNorm: 0, lr: 0 };
  let stoppedBy: SftResult['stoppedBy'] = 'steps';
  let step = 0;
  let lossPositions = 0;
  let positions = 0;
  const truncated = new Set<number>();
  const flush = () => {
    if (!logWindow.n) return;
    const e: SftLogEntry = { step, loss: logWindow.loss / logWindow.n, lr: logWindow.lr, gradNorm: logWindow.gradNorm / logWindow.n, elapsedMs: now() - t0 };
    log.push(e);
    opts.onLog?.(e);
    logWindow = { loss: 0, n: 0, gradNorm: 0, lr: 0 };
  };
  try {
    while (step < cfg.steps) {
      if (opts.signal?.aborted) {
        stoppedBy = 'cancelled';
        break;
      }
      if (now() - t0 >= cfg.timeBudgetMs) {
        stoppedBy = 'time';
        break;
      }
      await opts.beforeStep?.(step);
      const idx = order.next().value as number[];
      const batch = packBatch(
        idx.map((i) => examples[i]!),
        { seqLen, imageId: tokenizer.imageId, padId: tokenizer.padId, K },
      );
      idx.forEach((i) => {
        const ex = examples[i]!;
        if (ex.ids.length + ex.images.length * (K - 1) > seqLen) truncated.add(i);
      });
      for (const m of batch.lossMask) lossPositions += m;
      positions += batch.lossMask.length;
      const r = await sftStep(model, opt, batch);
      step++;
      logWindow.loss += r.loss;
      logWindow.gradNorm += r.gradNorm;
      logWindow.lr = r.lr;
      logWindow.n++;
      if (step % cfg.logEvery === 0) flush();
    }
    flush();
  } catch (err) {
    opt.dispose();
    if (!opts.init) model.dispose();
    throw err;
  }
  opt.dispose();
  return {
    model,
    tokenizer,
    steps: step,
    stoppedBy,
    log,
    finalLoss: log.length ? log[log.length - 1]!.loss : NaN,
    wallMs: now() - t0,
    examples: examples.length,
    unusableExamples: all.length - examples.length,
    truncatedExamples: truncated.size,
    lossShare: positions ? lossPositions / positions : 0,
  };
}

/** Tensors alive now (for the flat-memory checks). */
export const liveTensors = (): number => tf.memory().numTensors;
