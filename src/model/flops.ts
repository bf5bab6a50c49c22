/**
 * Analytic FLOP counts of the tiny policy, so a benchmark can say how close a measured time is
 * to the engine's arithmetic limit (bench/policy.ts prints achieved GFLOP/s beside the GEMM
 * ceiling it measured).
 *
 * What is counted: the model's dense arithmetic as PyTorch's twin (bench/policy_torch.py) also
 * computes it — every projection, full T×T attention scores and weighted sums (masked, not
 * skipped: both implementations compute them), the vocabulary projection at the loss positions
 * only, the copy head's projections and scores, the patch encoder. 1 multiply-add = 2 FLOPs.
 * Not counted: elementwise work (LayerNorm, softmax, GELU, Adam: O(size), a few % here),
 * gathers, and the copy head's scatter of attention mass onto token ids (an index operation;
 * the TF.js training path does it as a one-hot matmul, which is implementation overhead, not
 * model arithmetic). A training step counts as 3× its forward pass (the backward pass of a
 * matmul is two matmuls of the same size), the usual convention.
 */
import { type ModelConfig, type SftBatchShape, headDim } from './config';

export interface Flops {
  total: number;
  /** The same total by part of the model, for reading where the time should go. */
  parts: Record<string, number>;
}

const sum = (parts: Record<string, number>): Flops => ({ total: Object.values(parts).reduce((a, b) => a + b, 0), parts });

/** Per-token FLOPs of the blocks' projections (qkv, out, fc, proj) over all layers. */
export function blockProjectionFlops(c: ModelConfig): number {
  const d = c.dModel;
  return 2 * c.nLayers * (d * 3 * d + d * d + 2 * d * c.dFF);
}

/** FLOPs of encoding one image with the patch encoder (visual.ts). */
export function imageEncoderFlops(c: ModelConfig): number {
  const { imageSide, patchSize, channels } = c.visual;
  let grid = imageSide / patchSize;
  let flops = 2 * grid * grid * patchSize * patchSize * 3 * channels[0]!;
  for (let s = 1; s < channels.length; s++) {
    grid /= 2;
    flops += 2 * grid * grid * 4 * channels[s - 1]! * channels[s]!;
  }
  grid /= 2;
  return flops + 2 * grid * grid * 4 * channels[channels.length - 1]! * c.dModel;
}

/**
 * Forward FLOPs of a training batch: B rows of T positions, `lossPositions` of them projected
 * onto the vocabulary (and scored by the copy head), `images` images encoded.
 */
export function forwardFlops(c: ModelConfig, B: number, T: number, lossPositions: number, images: number): Flops {
  const d = c.dModel;
  const dc = headDim(c);
  const parts: Record<string, number> = {
    projections: B * T * blockProjectionFlops(c),
    attention: c.nLayers * B * 2 * (2 * T * T * d), // q·kᵀ and p·v, every head, full T×T
    vocabulary: 2 * lossPositions * d * c.vocabSize,
    visual: images * imageEncoderFlops(c),
  };
  if (c.copyHead) parts.copyHead = 2 * B * T * d * dc + 2 * lossPositions * (d * dc + d + T * dc);
  return sum(parts);
}

/** One SFT step at a batch shape (loss positions: lossShare of B·T): 3× the forward pass. */
export function sftStepFlops(c: ModelConfig, s: SftBatchShape): Flops {
  const f = forwardFlops(c, s.batchSize, s.seqLen, Math.round(s.batchSize * s.seqLen * s.lossShare), s.batchSize * s.imagesPerSequence);
  return { total: 3 * f.total, parts: Object.fromEntries(Object.entries(f.parts).map(([k, v]) => [k, 3 * v])) };
}

/**
 * FLOPs of decoding one token that attends to `context` positions (itself included): the
 * blocks, attention over the KV cache, the output head (vocabulary logits, and with the copy
 * head its query, key and gate) and the copy head's scores over the row.
 */
export function decodeTokenFlops(c: ModelConfig, context: number): Flops {
  const d = c.dModel;
  const dc = headDim(c);
  const parts: Record<string, number> = {
    projections: blockProjectionFlops(c),
    attention: c.nLayers * 2 * (2 * context * d),
    head: 2 * d * (c.vocabSize + (c.copyHead ? 2 * dc + 1 : 0)),
  };
  if (c.copyHead) parts.copyScores = 2 * context * dc;
  return sum(parts);
}

/** Mean FLOPs per token of decoding `newTokens` after a prompt of `promptLen` positions. */
export function decodeRunFlopsPerToken(c: ModelConfig, promptLen: number, newTokens: number): number {
  let total = 0;
  for (let i = 0; i < newTokens; i++) total += decodeTokenFlops(c, promptLen + i + 1).total;
  return total / newTokens;
}
