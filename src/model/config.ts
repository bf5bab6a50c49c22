/**
 * The tiny PyVision policy's architecture, in one documented object.
 *
 * A decoder-only, pre-LayerNorm transformer over text tokens and visual tokens. Every image in
 * the context is encoded by a small patch encoder (visual.ts) into `visualTokens(config)` tokens
 * that take the place of one `<image>` placeholder. Token embeddings are tied to the output
 * projection (halves the vocabulary parameters, the usual choice for small models).
 *
 * Presets:
 * - `test`: tiny, for unit tests (a training step takes milliseconds).
 * - `default`: the app's model. Sized by measurement on the 2-core dev VM with the Node WASM
 *   backend (see bench/policy.ts and DEFAULT_SFT_BATCH's comment) so that a few thousand SFT
 *   steps of DEFAULT_SFT_BATCH fit in ~25 minutes.
 */

export interface VisualEncoderConfig {
  /** Images are resized (Pillow-exact bicubic, aspect not kept) to imageSide × imageSide RGB. */
  imageSide: number;
  /** Side of the non-overlapping patches of the first stage (a stride-p p×p conv). */
  patchSize: number;
  /**
   * Widths of the encoder stages. Stage 0 embeds p×p×3 patches; every further stage and the
   * final projection to dModel merge 2×2 neighbours (a stride-2 2×2 conv), so the output grid
   * side is imageSide / (patchSize · 2^channels.length).
   */
  channels: number[];
}

export interface ModelConfig {
  /** Tokenizer vocabulary size (bytes + merges + specials); must equal the tokenizer's. */
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Hidden width of the GELU MLP. */
  dFF: number;
  /** Longest context (text + visual positions) the learned position table covers. */
  maxSeq: number;
  visual: VisualEncoderConfig;
  /** Dropout on the embeddings and on each residual branch (attention, MLP) in training; 0 disables it. */
  dropout: number;
  layerNormEps: number;
  /** Std of the normal weight init; residual projections are further scaled by 1/√(2·nLayers). */
  initStd: number;
  /**
   * Token shift: each position also adds learned embeddings of the n tokens before it
   * (`shift1_emb` … `shiftN_emb`, one row per token plus one for "no token"). A key then knows
   * what preceded it without a learned previous-token head, which is what a copy (induction)
   * head needs: "find where `colour=` was printed and copy what follows". Measured: without it,
   * the default model learned every protocol template but not to copy values in 1,600 SFT steps.
   * Absent (older files) = 0.
   */
  tokenShift?: number;
  /**
   * A copy (pointer) head mixes the vocabulary softmax with copies of earlier tokens of the
   * context (copyHead.ts). Absent (older files) = off.
   */
  copyHead?: boolean;
  /**
   * With the copy head: how many tokens of context a copy candidate is matched on (its preceding
   * tokens against the query's latest ones; copyHead.ts). Absent (older files) = 0, off.
   */
  copyMatch?: number;
}

/** Token-shift depth n (0 when the config predates the field). */
export function tokenShift(c: ModelConfig): number {
  return c.tokenShift ?? 0;
}

/** Side of the visual token grid: g, with g² = visual tokens per image. */
export function visualGrid(c: ModelConfig): number {
  return c.visual.imageSide / (c.visual.patchSize * 2 ** c.visual.channels.length);
}

/** Visual tokens per image, K = g². Every `<image>` placeholder becomes K positions. */
export function visualTokens(c: ModelConfig): number {
  return visualGrid(c) ** 2;
}

export function headDim(c: ModelConfig): number {
  return c.dModel / c.nHeads;
}

/** Throws a clear error when a config is inconsistent; returns it for chaining. */
export function validateConfig(c: ModelConfig): ModelConfig {
  const ints: Array<[string, number]> = [
    ['vocabSize', c.vocabSize],
    ['dModel', c.dModel],
    ['nLayers', c.nLayers],
    ['nHeads', c.nHeads],
    ['dFF', c.dFF],
    ['maxSeq', c.maxSeq],
    ['visual.imageSide', c.visual.imageSide],
    ['visual.patchSize', c.visual.patchSize],
  ];
  for (const [name, v] of ints) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`model config: ${name} must be a positive integer (got ${v})`);
  }
  if (!Array.isArray(c.visual.channels) || c.visual.channels.some((w) => !Number.isInteger(w) || w <= 0)) {
    throw new Error('model config: visual.channels must be a list of positive integers');
  }
  if (c.dModel % c.nHeads !== 0) throw new Error(`model config: dModel ${c.dModel} is not divisible by nHeads ${c.nHeads}`);
  const g = visualGrid(c);
  if (!Number.isInteger(g) || g < 1) {
    throw new Error(
      `model config: imageSide ${c.visual.imageSide} must be divisible by patchSize·2^stages = ${c.visual.patchSize * 2 ** c.visual.channels.length}`,
    );
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`model config: dropout must be in [0, 1) (got ${c.dropout})`);
  if (!(c.layerNormEps > 0)) throw new Error('model config: layerNormEps must be > 0');
  if (!(c.initStd > 0)) throw new Error('model config: initStd must be > 0');
  const n = tokenShift(c);
  if (!Number.isInteger(n) || n < 0 || n > 4) throw new Error(`model config: tokenShift must be an integer in 0…4 (got ${c.tokenShift})`);
  const m = c.copyMatch ?? 0;
  if (!Number.isInteger(m) || m < 0 || m > 8) throw new Error(`model config: copyMatch must be an integer in 0…8 (got ${c.copyMatch})`);
  return c;
}

/** Tiny: unit tests. 2 layers of width 32, 16×16 images → 4 visual tokens, token shift 2, copy head. */
export const TEST_CONFIG: ModelConfig = {
  vocabSize: 320,
  dModel: 32,
  nLayers: 2,
  nHeads: 4,
  dFF: 64,
  maxSeq: 128,
  visual: { imageSide: 16, patchSize: 4, channels: [16] },
  dropout: 0,
  layerNormEps: 1e-5,
  initStd: 0.02,
  tokenShift: 2,
  copyHead: true,
  copyMatch: 3,
};

/**
 * The app's model: d=128, 4 layers, 4 heads, MLP 512, 1024-token vocabulary, contexts up to 1024
 * positions, 64×64 images → 16 visual tokens (patch 4 → 16×16×32 → 8×8×64 → 4×4×128).
 * Token shift 2 and the copy head with 3-token context matching (see the fields). ≈1.37 M parameters (0.79 M in the blocks,
 * 0.13 M tied embeddings, 0.26 M token-shift tables, 0.13 M positions, 45 k encoder, 8 k copy head).
 */
export const DEFAULT_CONFIG: ModelConfig = {
  vocabSize: 1024,
  dModel: 128,
  nLayers: 4,
  nHeads: 4,
  dFF: 512,
  maxSeq: 1024,
  visual: { imageSide: 64, patchSize: 4, channels: [32, 64] },
  dropout: 0,
  layerNormEps: 1e-5,
  initStd: 0.02,
  tokenShift: 2,
  copyHead: true,
  copyMatch: 3,
};

export const PRESETS = { test: TEST_CONFIG, default: DEFAULT_CONFIG } as const;
export type PresetName = keyof typeof PRESETS;

/**
 * The SFT batch the default preset is sized for (and that bench/policy.ts times): `batchSize`
 * sequences of `seqLen` positions per step, `imagesPerSequence` images each, about `lossShare`
 * of the positions being the policy's own tokens.
 *
 * Measured SFT step of DEFAULT_CONFIG, Node WASM backend (one thread), this 2-core VM while other
 * jobs ran (±20 %): 1×512 ≈ 0.35–0.40 s, 2×384 ≈ 0.42–0.45 s, 2×512 ≈ 0.60–0.70 s,
 * 4×384 ≈ 0.87–0.89 s, 4×512 ≈ 1.26–1.33 s. So 2×512 gives ~2 200–2 500 steps in 25 min
 * (~1 k tokens per step); 2×384 ~3 400 steps when trajectories fit in 384 positions.
 */
export interface SftBatchShape {
  batchSize: number;
  seqLen: number;
  imagesPerSequence: number;
  lossShare: number;
}

export const DEFAULT_SFT_BATCH: SftBatchShape = { batchSize: 2, seqLen: 512, imagesPerSequence: 3, lossShare: 0.4 };
export const TEST_SFT_BATCH: SftBatchShape = { batchSize: 4, seqLen: 32, imagesPerSequence: 1, lossShare: 0.5 };

export function cloneConfig(c: ModelConfig): ModelConfig {
  return { ...c, visual: { ...c.visual, channels: [...c.visual.channels] } };
}
