/**
 * The tiny PyVision policy: a Policy (kind 'tiny') over TinyVLM + Tokenizer.
 *
 * Each turn formats the whole conversation (chatFormat.ts) and generates one assistant turn,
 * streaming text through ctx.onText. The KV cache of the previous turn is reused when the new
 * stream extends it (the usual case: previous context + this policy's own turn + the new
 * observation), so each turn only prefills the observation. A few contexts are kept, keyed by
 * their token stream, so trajectories that interleave on one policy still hit their cache.
 */
import type { Pixels } from '../runtime/types';
import type { Policy, PolicyContext, PolicyTurn } from '../agent/types';
import { hashSeed } from '../tasks/rng';
import { formatConversation } from './chatFormat';
import { visualTokens } from './config';
import { DecodeContext, DEFAULT_STOPS } from './generate';
import { turnLimitsFor } from './grammar';
import type { Tokenizer } from './tokenizer';
import type { TinyVLM } from './transformer';

export interface TinyPolicyOptions {
  name?: string;
  /** 0 = greedy. */
  temperature?: number;
  topP?: number;
  /** Tokens per turn. */
  maxNewTokens?: number;
  seed?: number;
  stop?: string[];
  /** Contexts kept for prefix reuse. */
  cacheSlots?: number;
  /** Constrained decoding: only well-formed PyVision turns (grammar.ts). Default true. */
  constrained?: boolean;
}

interface CachedContext {
  ctx: DecodeContext;
  /** Token stream the context holds (including its pending last token). */
  ids: number[];
  images: Pixels[];
}

const isPrefix = <T>(a: readonly T[], b: readonly T[]) => a.length <= b.length && a.every((x, i) => x === b[i]);

export class TinyPolicy implements Policy {
  readonly kind = 'tiny' as const;
  readonly name: string;
  readonly model: TinyVLM;
  readonly tokenizer: Tokenizer;
  private readonly opts: Required<Omit<TinyPolicyOptions, 'name'>>;
  private cached: CachedContext[] = [];

  constructor(model: TinyVLM, tokenizer: Tokenizer, opts: TinyPolicyOptions = {}) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.name = opts.name ?? 'tiny';
    this.opts = {
      temperature: opts.temperature ?? 0.7,
      topP: opts.topP ?? 0.95,
      maxNewTokens: opts.maxNewTokens ?? 384,
      seed: opts.seed ?? 0,
      stop: opts.stop ?? DEFAULT_STOPS,
      cacheSlots: opts.cacheSlots ?? 4,
      constrained: opts.constrained ?? true,
    };
  }

  async next(ctx: PolicyContext): Promise<PolicyTurn> {
    if (ctx.signal.aborted) throw abortError();
    const conv = formatConversation(this.tokenizer, ctx.messages, ctx.images, { generationPrompt: true });
    const entry = await this.contextFor(conv.ids, conv.images);
    try {
      const [row] = await entry.ctx.generate({
        maxNewTokens: this.opts.maxNewTokens,
        temperature: this.opts.temperature,
        topP: this.opts.topP,
        stop: this.opts.stop,
        grammar: this.opts.constrained,
        // A turn that always completes within its tokens and the context; near the end of the
        // context, and on the last turn, only an answer (never OVER_LENGTH or no answer at all).
        turnLimits: turnLimitsFor(this.model.config.maxSeq - entry.ctx.rowLength(0), ctx.turn >= ctx.maxTurns - 1, this.opts.maxNewTokens),
        seed: hashSeed(this.opts.seed, ctx.turn, conv.ids.length),
        signal: ctx.signal,
        onToken: (_row, piece) => {
          if (piece) ctx.onText?.(piece);
        },
      });
      if (!row || row.finish === 'aborted' || ctx.signal.aborted) throw abortError();
      entry.ids = [...conv.ids, ...row.ids];
      entry.images = conv.images;
      return { text: row.text, tokens: { count: row.ids.length, ids: row.ids, logprobs: row.logprobs, pieces: row.pieces } };
    } catch (err) {
      // A context in an unknown state (aborted mid-way, overflow) is not reused.
      this.drop(entry);
      throw err;
    }
  }

  /** A context holding exactly `ids`: a cached one extended by the missing suffix, or a new one. */
  private async contextFor(ids: number[], images: Pixels[]): Promise<CachedContext> {
    const hit = this.cached.find((c) => isPrefix(c.ids, ids) && isPrefix(c.images, images));
    if (hit) {
      this.cached = [hit, ...this.cached.filter((c) => c !== hit)];
      const newIds = ids.slice(hit.ids.length);
      const newImages = images.slice(hit.images.length);
      if (newIds.length) await hit.ctx.prefill([{ ids: newIds, images: newImages }]);
      hit.ids = ids;
      hit.images = images;
      return hit;
    }
    const entry: CachedContext = { ctx: new DecodeContext(this.model, this.tokenizer, 1), ids, images };
    try {
      await entry.ctx.prefill([{ ids, images }]);
    } catch (err) {
      entry.ctx.dispose();
      throw err;
    }
    this.cached.unshift(entry);
    while (this.cached.length > this.opts.cacheSlots) this.cached.pop()!.ctx.dispose();
    return entry;
  }

  private drop(entry: CachedContext): void {
    entry.ctx.dispose();
    this.cached = this.cached.filter((c) => c !== entry);
  }

  visualTokens(_image: Pixels): number {
    return visualTokens(this.model.config);
  }

  textTokens(text: string): number {
    return this.tokenizer.encode(text).length;
  }

  /** Frees the cached contexts (the model and tokenizer belong to the caller). */
  dispose(): void {
    for (const c of this.cached) c.ctx.dispose();
    this.cached = [];
  }
}

function abortError(): Error {
  return new DOMException('The generation was cancelled.', 'AbortError');
}
