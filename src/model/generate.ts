/**
 * Batched, KV-cached generation.
 *
 * A DecodeContext holds B rows that decode together (a GRPO group, or one interactive
 * trajectory). `prefill` appends text/images to every row (ragged: each row its own length; the
 * agent loop appends observations this way, they are never generated), `generate` samples one
 * token per row per step until each row stops. Tokens sampled but not yet fed to the model (the
 * last one of every generate call, e.g. the `</code>` that stopped it) are kept per row and fed
 * at the start of the next prefill or generate, so a context continues exactly.
 *
 * Stops: a stop string is checked on the decoded text after every token; the row's text is cut
 * right after it (the tokenizer keeps the protocol tags whole, so the cut falls on a token
 * boundary and text === pieces.join('')). Control tokens other than `<eos>` can never be
 * sampled (they are masked); `<eos>` ends a row. Cancellation: the AbortSignal is checked
 * between steps, with a yield to the event loop each step so an abort can arrive.
 */
import * as tf from '@tensorflow/tfjs';
import type { Pixels } from '../runtime/types';
import { hashSeed, Rng } from '../tasks/rng';
import { headDim, tokenShift, visualTokens } from './config';
import { expandImages } from './batch';
import { KVCache } from './kvCache';
import { HostKVCache } from './hostKvCache';
import { fusedDecodeStep } from './decodeStep';
import { hostView } from './hostKernels';
import { hasDecodeKernels } from './kernels';
import { inferenceMode } from './ops';
import { sampleToken } from './sampling';
import { CONTROL_SPECIALS, EOS, type Tokenizer } from './tokenizer';
import { CopyMemory, copyDim } from './copyHead';
import { advance, allowedTokens, initialState, type GrammarState, type TurnLimits } from './grammar';
import { inferenceBlock, inferenceCopyKeys, inferenceLogits, type InferenceWeights } from './inference';
import type { TinyVLM } from './transformer';

export interface PromptRow {
  /** Token ids with one `<image>` id per image. */
  ids: number[];
  images?: Pixels[];
}

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 = greedy. Default 1. */
  temperature?: number;
  /** Default 1 (off). */
  topP?: number;
  /** Default ['</code>', '</answer>']. */
  stop?: string[];
  seed?: number;
  /**
   * Per-row seeds (override `seed`): a row's samples then depend on its own seed and length only,
   * not on which other rows share the batch (GRPO batches whatever trajectories are waiting).
   */
  rowSeeds?: number[];
  signal?: AbortSignal;
  /** Streaming: each row's new text as it is decoded (may be '' inside a multi-byte character). */
  onToken?: (row: number, piece: string, id: number, logprob: number) => void;
  /**
   * Constrained decoding (grammar.ts): every row writes one well-formed PyVision turn (reasoning,
   * then one code block or one boxed answer) and `<eos>` is never chosen. Default false.
   */
  grammar?: boolean;
  /** With `grammar`: what this turn may write (grammar.ts turnLimitsFor), the same for every row. */
  turnLimits?: TurnLimits;
}

export type FinishReason = 'stop' | 'eos' | 'length' | 'aborted' | 'context';

export interface GeneratedRow {
  ids: number[];
  logprobs: number[];
  /** Text of each token; pieces.join('') === text. */
  pieces: string[];
  text: string;
  finish: FinishReason;
}

export const DEFAULT_STOPS = ['</code>', '</answer>'];

/** The context would exceed the model's maxSeq positions. */
export class ContextOverflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextOverflowError';
  }
}

/** A macrotask boundary (so AbortSignal listeners and UI events run between steps). */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (g.setImmediate) return new Promise((r) => g.setImmediate!(r));
  if (typeof MessageChannel !== 'undefined') {
    return new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        r();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

export class DecodeContext {
  readonly model: TinyVLM;
  readonly tokenizer: Tokenizer;
  readonly batchSize: number;
  /** On WASM/CPU with the policy's kernels, a JS-side cache that decodes in one dispatch per step (decodeStep.ts). */
  private readonly cache: KVCache | HostKVCache;
  /** Next-token logits of each row (null until its first prefill). */
  private readonly next: Array<Float32Array | null>;
  /** Sampled tokens not yet fed to the model. */
  private readonly pending: number[][];
  private readonly nextPos: number[];
  /** Each row's last tokenShift(config) fed ids (the token-shift embeddings read them). */
  private readonly history: number[][];
  /** With the copy head: each row's copy keys and ids (copyHead.ts). */
  private readonly copyMemory: CopyMemory[] | null;
  private readonly banned: number[];
  private disposed = false;

  constructor(model: TinyVLM, tokenizer: Tokenizer, batchSize: number) {
    if (tokenizer.vocabSize > model.config.vocabSize) {
      throw new Error(`tokenizer has ${tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize}`);
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.batchSize = batchSize;
    const c = model.config;
    this.cache = hasDecodeKernels() ? new HostKVCache(batchSize, c.nLayers, c.nHeads, headDim(c)) : new KVCache(batchSize, c.nLayers, c.nHeads, headDim(c));
    this.next = Array.from({ length: batchSize }, () => null);
    this.pending = Array.from({ length: batchSize }, () => []);
    this.nextPos = new Array<number>(batchSize).fill(0);
    this.history = Array.from({ length: batchSize }, () => []);
    this.copyMemory = c.copyHead ? Array.from({ length: batchSize }, () => new CopyMemory(copyDim(c))) : null;
    this.banned = CONTROL_SPECIALS.filter((s) => s !== EOS).map((s) => tokenizer.tokenId(s));
    // Ids past the tokenizer's vocabulary (a model sized larger) are never valid output either.
    for (let i = tokenizer.vocabSize; i < c.vocabSize; i++) this.banned.push(i);
  }

  /** Positions used by row b, counting tokens still pending. */
  rowLength(b: number): number {
    return this.nextPos[b]! + this.pending[b]!.length;
  }

  /** A copy of row b's next-token scores (what sampling reads), or null before its first prefill. */
  nextLogits(b: number): Float32Array | null {
    return this.next[b]?.slice() ?? null;
  }

  /** Appends tokens and images to rows (null or empty = nothing for that row). */
  async prefill(rows: Array<PromptRow | null>): Promise<void> {
    this.checkAlive();
    await this.model.prepareInference(); // before any state is read: nothing awaits in between
    this.checkAlive();
    if (rows.length !== this.batchSize) throw new Error(`prefill got ${rows.length} rows for a batch of ${this.batchSize}`);
    const c = this.model.config;
    const K = visualTokens(c);
    const chunks = rows.map((r, b) => {
      const ids = [...this.pending[b]!, ...(r?.ids ?? [])];
      return expandImages(ids, null, r?.images?.length ?? 0, this.tokenizer.imageId, K);
    });
    const Tq = Math.max(...chunks.map((ch) => ch.ids.length));
    if (Tq === 0) return;
    chunks.forEach((ch, b) => {
      if (this.nextPos[b]! + ch.ids.length > c.maxSeq) {
        throw new ContextOverflowError(`row ${b} would need ${this.nextPos[b]! + ch.ids.length} positions; the model has ${c.maxSeq}`);
      }
    });
    // One position per row (the pending token of the last generate call, fed at the start of
    // every call) is exactly a decode step: on the host path the fused one (holes for rows
    // without a token), not ≈ 40 composed ops over tensors rebuilt from the host cache.
    if (Tq === 1 && this.cache instanceof HostKVCache && chunks.every((ch) => ch.imageStarts.length === 0)) {
      return this.step(chunks.map((ch) => ch.ids[0] ?? this.tokenizer.padId), chunks.map((ch) => ch.ids.length === 1), this.model.inferenceWeights());
    }
    const B = this.batchSize;
    const ids = new Int32Array(B * Tq).fill(this.tokenizer.padId);
    const positions = new Int32Array(B * Tq);
    const chunkValid = chunks.map(() => new Array<number>(Tq).fill(0));
    const images: Pixels[] = [];
    const imagePositions: number[] = [];
    chunks.forEach((ch, b) => {
      ch.ids.forEach((id, i) => {
        ids[b * Tq + i] = id;
        positions[b * Tq + i] = this.nextPos[b]! + i;
        chunkValid[b]![i] = 1;
      });
      ch.imageStarts.forEach((s, i) => {
        images.push(rows[b]!.images![i]!);
        imagePositions.push(b * Tq + s);
      });
    });
    const last = chunks.map((ch, b) => (ch.ids.length ? b * Tq + ch.ids.length - 1 : -1));
    const withInput = last.map((x, b) => (x >= 0 ? b : -1)).filter((b) => b >= 0);

    this.cache.consolidate();
    const weights = this.model.inferenceWeights();
    const { nHeads: H, layerNormEps: eps } = c;
    const dh = headDim(c);
    const outs = inferenceMode(() =>
      tf.tidy(() => {
        let x = this.model.embed(ids, B, Tq, images, imagePositions, positions, false, this.history);
        weights.layers.forEach((w, l) => {
          x = inferenceBlock(x, w, eps, (qkv) => {
            const heads = tf.transpose(tf.reshape(qkv, [B, Tq, 3 * H, dh]), [0, 2, 1, 3]);
            const [q, k, v] = tf.split(heads, 3, 1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
            const o = this.cache.attendChunk(l, q, k, tf.transpose(v, [0, 1, 3, 2]), chunkValid);
            return tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [B * Tq, H * dh]);
          });
        });
        const logits = inferenceLogits(tf.gather(x, withInput.map((b) => last[b]!)), weights, eps);
        // The copy head needs every new position's key, but logits only at the last ones.
        return this.copyMemory ? [logits, inferenceCopyKeys(x, weights, eps)] : [logits];
      }),
    );
    this.cache.commitChunk(chunkValid);
    const [data, keys] = (await Promise.all(outs.map((t) => t.data()))) as Float32Array[];
    tf.dispose(outs);
    const V = c.vocabSize;
    if (this.copyMemory) {
      const dc = copyDim(c);
      chunks.forEach((ch, b) => {
        const image = new Uint8Array(ch.ids.length);
        for (const s of ch.imageStarts) image.fill(1, s, s + K);
        ch.ids.forEach((id, i) => this.copyMemory![b]!.push(keys!, (b * Tq + i) * dc, id, image[i] === 1));
      });
    }
    withInput.forEach((b, i) => {
      this.next[b] = this.copyMemory ? this.mixCopy(b, data!, i, weights) : data!.slice(i * V, (i + 1) * V);
      this.nextPos[b] = this.nextPos[b]! + chunks[b]!.ids.length;
      this.pending[b] = [];
      this.remember(b, chunks[b]!.ids);
    });
  }

  /** Generates one continuation per row. Every row must have been prefilled. */
  async generate(opts: GenerateOptions): Promise<GeneratedRow[]> {
    this.checkAlive();
    await this.model.prepareInference();
    this.checkAlive();
    if (this.pending.some((p) => p.length)) await this.prefill(this.pending.map(() => null));
    if (this.next.some((n) => n === null)) throw new Error('generate: every row needs a prefill first');
    const B = this.batchSize;
    const c = this.model.config;
    const V = c.vocabSize;
    const stops = opts.stop ?? DEFAULT_STOPS;
    const sampling = { temperature: opts.temperature ?? 1, topP: opts.topP ?? 1 };
    if (opts.rowSeeds && opts.rowSeeds.length !== B) throw new Error(`generate got ${opts.rowSeeds.length} row seeds for a batch of ${B}`);
    const rngs = Array.from({ length: B }, (_, b) => new Rng(opts.rowSeeds ? hashSeed(opts.rowSeeds[b]!, this.rowLength(b)) : hashSeed(opts.seed ?? 0, b, this.rowLength(b))));
    const decoders = Array.from({ length: B }, () => this.tokenizer.streamDecoder());
    const out: GeneratedRow[] = Array.from({ length: B }, () => ({ ids: [], logprobs: [], pieces: [], text: '', finish: 'length' }));
    const active = new Array<boolean>(B).fill(true);
    const weights = this.model.inferenceWeights();
    const grammar: GrammarState[] | null = opts.grammar ? Array.from({ length: B }, () => initialState(opts.turnLimits)) : null;
    const tokenBytes = grammar ? tokenBytesOf(this.tokenizer, V) : [];
    const allowed = grammar ? new Uint8Array(V) : undefined;
    for (let step = 0; step < opts.maxNewTokens; step++) {
      if (opts.signal?.aborted) {
        active.forEach((a, b) => a && (out[b]!.finish = 'aborted'));
        break;
      }
      const fed = new Array<number>(B).fill(this.tokenizer.padId);
      for (let b = 0; b < B; b++) {
        if (!active[b]) continue;
        const logits = this.next[b]!;
        for (const id of this.banned) logits[id] = -Infinity;
        if (grammar) allowedTokens(grammar[b]!, tokenBytes, allowed!);
        const { id, logprob } = sampleToken(logits, 0, V, sampling, () => rngs[b]!.next(), allowed);
        if (grammar) grammar[b] = advance(grammar[b]!, tokenBytes[id]!)!;
        const row = out[b]!;
        let piece = id === this.tokenizer.eosId ? '' : decoders[b]!.push(id);
        const before = row.text.length;
        row.text += piece;
        let finish: FinishReason | null = id === this.tokenizer.eosId ? 'eos' : null;
        for (const s of stops) {
          const at = row.text.indexOf(s, Math.max(0, before - s.length + 1));
          if (at >= 0 && finish === null) {
            row.text = row.text.slice(0, at + s.length);
            piece = row.text.slice(before);
            finish = 'stop';
          }
        }
        row.ids.push(id);
        row.logprobs.push(logprob);
        row.pieces.push(piece);
        this.pending[b] = [id];
        opts.onToken?.(b, piece, id, logprob);
        if (finish === null && step === opts.maxNewTokens - 1) finish = 'length';
        if (finish === null && this.rowLength(b) >= c.maxSeq) finish = 'context';
        if (finish !== null) {
          row.finish = finish;
          active[b] = false;
        } else fed[b] = id;
      }
      if (!active.some(Boolean)) break;
      await this.step(fed, active, weights);
      await yieldToEventLoop();
    }
    return out;
  }

  /** Feeds one token per active row (inactive rows get a hole) and updates the next logits. */
  private async step(fed: number[], active: boolean[], weights: InferenceWeights): Promise<void> {
    const B = this.batchSize;
    const c = this.model.config;
    const H = c.nHeads;
    const dh = headDim(c);
    const positions = Int32Array.from(active.map((a, b) => (a ? this.nextPos[b]! : 0)));
    const eps = c.layerNormEps;
    const logits = inferenceMode(() =>
      tf.tidy(() => {
        const cache = this.cache;
        if (cache instanceof HostKVCache) return fusedDecodeStep(this.model, weights, cache, Int32Array.from(fed), positions, this.history);
        let x = this.model.embed(Int32Array.from(fed), B, 1, [], [], positions, false, this.history);
        weights.layers.forEach((w, l) => {
          x = inferenceBlock(x, w, eps, (qkv) => {
            const [q, k, v] = tf.split(qkv, 3, 1);
            const o = cache.attendStep(l, tf.reshape(q!, [B, H, 1, dh]), tf.reshape(k!, [B, H, 1, dh]), tf.reshape(v!, [B, H, dh, 1]));
            return tf.reshape(o, [B, H * dh]);
          });
        });
        return inferenceLogits(x, weights, eps);
      }),
    );
    this.cache.commitStep(active.map((a) => (a ? 1 : 0)));
    // Host path: read the logits in place (no copy; valid until the next TF.js allocation, and
    // none happens before the dispose below).
    const data = this.cache instanceof HostKVCache ? hostView(logits) : ((await logits.data()) as Float32Array);
    if (this.copyMemory) {
      const W = c.vocabSize + 2 * copyDim(c) + 1;
      active.forEach((a, b) => a && this.copyMemory![b]!.push(data, b * W + c.vocabSize + copyDim(c), fed[b]!));
    }
    active.forEach((a, b) => {
      if (!a) return;
      this.next[b] = this.copyMemory ? this.mixCopy(b, data, b, weights) : data.slice(b * c.vocabSize, (b + 1) * c.vocabSize);
      this.nextPos[b] = this.nextPos[b]! + 1;
      this.pending[b] = [];
      this.remember(b, [fed[b]!]);
    });
    logits.dispose();
  }

  /** Row b's next log-probs from output row `r` of [logits | q | k | gate] (the copy head's mixture). */
  private mixCopy(b: number, data: Float32Array, r: number, weights: InferenceWeights): Float32Array {
    const c = this.model.config;
    const V = c.vocabSize;
    const dc = copyDim(c);
    const W = V + 2 * dc + 1;
    return this.copyMemory![b]!.mix(data, r * W, V, data, r * W + V, data[r * W + V + 2 * dc]!, weights.heads!.recencySlope, weights.heads!.matchCum);
  }

  private remember(b: number, ids: number[]): void {
    const n = tokenShift(this.model.config);
    if (n > 0) this.history[b] = [...this.history[b]!, ...ids.slice(-n)].slice(-n);
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('this DecodeContext was disposed');
  }

  dispose(): void {
    this.cache.dispose();
    this.disposed = true;
  }
}

const tokenBytesCache = new WeakMap<Tokenizer, Uint8Array[]>();

/** Every id's bytes for the grammar; control specials (`<eos>`, …) and ids past the tokenizer's vocabulary are empty: never allowed. */
function tokenBytesOf(tokenizer: Tokenizer, V: number): Uint8Array[] {
  let table = tokenBytesCache.get(tokenizer);
  if (!table || table.length !== V) {
    table = Array.from({ length: V }, (_, id) => (id < tokenizer.vocabSize && !tokenizer.isSpecial(id) ? tokenizer.tokenBytes(id) : new Uint8Array(0)));
    tokenBytesCache.set(tokenizer, table);
  }
  return table;
}

/** One-shot generation: a fresh context per call, disposed before returning. */
export async function generate(model: TinyVLM, tokenizer: Tokenizer, prompts: PromptRow[], opts: GenerateOptions): Promise<GeneratedRow[]> {
  const ctx = new DecodeContext(model, tokenizer, prompts.length);
  try {
    await ctx.prefill(prompts);
    return await ctx.generate(opts);
  } finally {
    ctx.dispose();
  }
}
