/**
 * The "small" fine-tune the UI can run from scratch in a minute or two.
 *
 * The model is the `test` preset's shape (d=32, 2 layers, 16-px images → 4 visual tokens), with
 * a larger vocabulary and context: with `test`'s 320-token vocabulary (bytes + a few merges) and
 * 128 positions no expert trajectory shows its image and an assistant token inside the window,
 * so trainSft has nothing to learn from. 512 tokens × 256 positions fits them (checked in Node:
 * 8 tasks, 30 steps ≈ 3 s on the WASM backend).
 */
import { cloneConfig, TEST_CONFIG, type ModelConfig } from '../../src/model/config';
import type { SftTrainConfig } from '../../src/model/sft/trainer';

export const SMALL_MODEL: ModelConfig = { ...cloneConfig(TEST_CONFIG), vocabSize: 512, maxSeq: 256 };

export interface SmallSftOptions {
  tasks: number;
  steps: number;
  seed: number;
}

export const DEFAULT_SMALL_SFT: SmallSftOptions = { tasks: 12, steps: 150, seed: 1 };
export const SMALL_SFT_LIMITS = { tasks: { min: 2, max: 200 }, steps: { min: 1, max: 5000 }, seed: { min: 0, max: 2 ** 31 - 1 } } as const;

export function smallTrainConfig(o: SmallSftOptions): SftTrainConfig {
  return {
    model: cloneConfig(SMALL_MODEL),
    batchSize: 4,
    seqLen: SMALL_MODEL.maxSeq,
    steps: o.steps,
    timeBudgetMs: 30 * 60_000,
    seed: o.seed,
    optim: {},
    logEvery: Math.max(1, Math.min(10, Math.floor(o.steps / 20))),
  };
}
