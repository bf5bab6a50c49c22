/** Shared fixtures of the src/model tests (tiny preset, WASM backend). Not used by the app. */
import type { Pixels } from '../runtime/types';
import { formatAnswer, formatCodeBlock } from '../agent/protocol';
import { Rng } from '../tasks/rng';
import { packBatch, type Example } from './batch';
import { TEST_CONFIG, visualTokens, type ModelConfig } from './config';
import { trainTokenizer, type Tokenizer } from './tokenizer';
import type { TrainBatch } from './transformer';

export const TEST_CORPUS = [
  'Let me crop the region and look closer.\n',
  formatCodeBlock('crop = image_clue_0.crop((0, 0, 64, 64))\nplt.imshow(crop)\nplt.show()'),
  '<interpreter>Text Result:\n(64, 64)\nImage Result:\n<image_clue_1><image></image_clue_1></interpreter>',
  formatAnswer('red'),
];

/** A tokenizer that fits TEST_CONFIG's vocabulary. */
export function testTokenizer(): Tokenizer {
  return trainTokenizer(Array.from({ length: 20 }, () => TEST_CORPUS.join('\n')), { vocabSize: TEST_CONFIG.vocabSize });
}

export function noiseImage(seed: number, width = 24, height = 20): Pixels {
  const rng = new Rng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(0, 255);
  return { width, height, channels: 3, data };
}

/** A batch of random tokens with one image per row and a random loss mask. */
export function randomBatch(c: ModelConfig, tok: Tokenizer, B: number, T: number, seed = 1): TrainBatch {
  const rng = new Rng(seed);
  const examples: Example[] = Array.from({ length: B }, (_, b) => {
    const n = T - visualTokens(c) + 1 - b; // ragged: later rows are padded
    const ids = Array.from({ length: n }, () => rng.int(0, 255));
    ids[3] = tok.imageId;
    const lossMask = ids.map((id, i) => (i > 4 && id !== tok.imageId && rng.chance(0.5) ? 1 : 0));
    return { ids, lossMask, images: [noiseImage(seed * 10 + b)] };
  });
  return packBatch(examples, { seqLen: T, imageId: tok.imageId, padId: tok.padId, K: visualTokens(c) });
}
