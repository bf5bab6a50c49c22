/**
 * The fixed inputs of the backend-parity checks (WebGPU vs WASM in webgpu.test.ts; meant also for
 * fused vs op-by-op decoding and a GPU benchmark, issue 14, neither written yet): the shipped policy, a real visual-search prompt, an SFT example and a GRPO row
 * built from it, and the numbers to compare (first-token logits, a greedy continuation, one
 * SFT step, one GRPO step). Tests, benches and CLIs only; the app never imports this.
 */
import * as tf from '@tensorflow/tfjs';
import { buildPrompt } from '../agent/protocol';
import type { Message } from '../agent/types';
import { suiteTask } from '../tasks/suites';
import type { Pixels } from '../runtime/types';
import { packBatch, type Example } from './batch';
import { formatConversation } from './chatFormat';
import { visualTokens } from './config';
import { DecodeContext } from './generate';
import { Tokenizer } from './tokenizer';
import { AdamW, sftStep } from './trainStep';
import type { TinyVLM, TrainBatch } from './transformer';
import { loadModel, nodeFileHandler } from './weights';
import { ppoUpdate } from '../rl/grpo';

export const SHIPPED_WEIGHTS = 'public/models/tiny';

export interface ParityInputs {
  prompt: { ids: number[]; images: Pixels[] };
  /** The prompt plus one assistant turn (loss on the turn), as an example and as a batch of one. */
  example: Example;
  sft: TrainBatch;
}

/** The shipped model and its tokenizer, on the active backend (Node only). */
export async function loadShipped(dir = SHIPPED_WEIGHTS): Promise<{ model: TinyVLM; tokenizer: Tokenizer }> {
  const { model, meta } = await loadModel(nodeFileHandler(dir));
  if (!meta.tokenizer) throw new Error(`${dir} has no tokenizer in its metadata`);
  return { model, tokenizer: Tokenizer.fromJSON(meta.tokenizer) };
}

/** A visual-search prompt (its image included) and an SFT batch of that prompt plus an expert-style turn. */
export function parityInputs(model: TinyVLM, tokenizer: Tokenizer, seed = 101): ParityInputs {
  const task = suiteTask('visual-search', 0, seed);
  const messages = buildPrompt(task, { maxTurns: 5 });
  const images = task.media.kind === 'image' ? [task.media.image] : [];
  const prompt = formatConversation(tokenizer, messages, images, { generationPrompt: true });
  const turn: Message = { role: 'assistant', content: [{ type: 'text', text: 'The target may be small: let me search for it.\n<code>\n```python\nfind(image_clue_0, "the target")\n```\n</code>' }] };
  const full = formatConversation(tokenizer, [...messages, turn], images);
  const K = visualTokens(model.config);
  const example: Example = { ids: full.ids, lossMask: full.lossMask, images: full.images };
  const sft = packBatch([example], {
    seqLen: full.ids.length + full.images.length * (K - 1),
    imageId: tokenizer.imageId,
    padId: tokenizer.padId,
    K,
  });
  return { prompt: { ids: prompt.ids, images: prompt.images }, example, sft };
}

export interface ParityResults {
  /** Next-token scores after the prompt (the copy head's mixed log-probs, or logits without it), [V]. */
  firstLogprobs: Float32Array;
  greedy: { ids: number[]; logprobs: number[] };
  sft: { loss: number; gradNorm: number; grads: Map<string, Float32Array> };
  grpo: { loss: number; gradNorm: number; entropy: number };
}

/**
 * Runs the checks on the active backend with a fresh copy of the model per training step (so
 * each step starts from the shipped weights). `fresh()` builds that copy.
 */
export async function runParity(fresh: () => Promise<TinyVLM>, tokenizer: Tokenizer, greedyTokens = 64): Promise<ParityResults> {
  let model = await fresh();
  const inputs = parityInputs(model, tokenizer);
  const ctx = new DecodeContext(model, tokenizer, 1);
  let first: Float32Array;
  let greedy: ParityResults['greedy'];
  try {
    await ctx.prefill([inputs.prompt]);
    first = ctx.nextLogits(0)!;
    // Unconstrained and without stops, so the continuation is always greedyTokens long.
    const [row] = await ctx.generate({ maxNewTokens: greedyTokens, temperature: 0, stop: [] });
    greedy = { ids: row!.ids, logprobs: row!.logprobs };
  } finally {
    ctx.dispose();
  }

  // SFT: gradients of the loss (compared elementwise) and one optimizer step (loss, norm).
  const names = [...model.params.keys()];
  const { value, grads } = tf.variableGrads(() => model.loss(inputs.sft, { training: true }).loss, names.map((n) => model.p(n)));
  const gradData = new Map<string, Float32Array>();
  for (const n of names) {
    const g = grads[model.p(n).name];
    if (g) gradData.set(n, (await g.data()) as Float32Array);
  }
  tf.dispose([value, ...Object.values(grads)]);
  const opt = new AdamW();
  const step = await sftStep(model, opt, inputs.sft);
  opt.dispose();
  model.dispose();

  // GRPO: one PPO update on the SFT example as a rollout with advantage 0.5.
  model = await fresh();
  const grpoOpt = new AdamW();
  const rows = [{ example: inputs.example, advantage: 0.5 }];
  const stats = await ppoUpdate(model, grpoOpt, tokenizer, rows, { clipEps: 0.2, klCoef: 0, entropyCoef: 0, ppoEpochs: 1, miniBatches: 1, microBatch: 1, temperature: 1 });
  grpoOpt.dispose();
  model.dispose();
  return {
    firstLogprobs: first,
    greedy,
    sft: { loss: step.loss, gradNorm: step.gradNorm, grads: gradData },
    grpo: { loss: stats.loss, gradNorm: stats.gradNorm, entropy: stats.entropy },
  };
}
