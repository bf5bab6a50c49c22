/**
 * Byte-level BPE for the tiny policy.
 *
 * Vocabulary layout (ids are stable across corpora for everything but the merges):
 *   0‥255            the 256 bytes: any UTF-8 text encodes (byte fallback);
 *   256‥             control specials (`<pad>`, `<bos>`, `<eos>`, `<image>`, role markers): never
 *                    produced from text unless `allowSpecial` is set, so a literal "<image>"
 *                    printed by user code can never be mistaken for an image slot;
 *   then             atomic pieces (protocol tags such as `</code>`): always one token when they
 *                    occur in text, so a stop string ends exactly on a token boundary;
 *   then             merges, in training order (rank = order).
 *
 * Text is split into atomic pieces, then into chunks by a GPT-2-like regex (words with their
 * leading space, single digits so numbers are copied digit by digit, punctuation runs,
 * whitespace); merges never cross chunks; chunks longer than MAX_CHUNK_BYTES bytes are cut so
 * encoding stays linear on adversarial input. Training is deterministic: the most frequent pair
 * wins, ties go to the smallest (left id, right id).
 *
 * Round trip: decode(encode(s)) === s for every well-formed string (lone UTF-16 surrogates are
 * not Unicode scalar values; UTF-8 turns them into U+FFFD).
 */
import { z } from 'zod';

export const PAD = '<pad>';
export const BOS = '<bos>';
export const EOS = '<eos>';
export const IMAGE = '<image>';
export const ROLE_SYSTEM = '<|system|>';
export const ROLE_USER = '<|user|>';
export const ROLE_ASSISTANT = '<|assistant|>';
export const CONTROL_SPECIALS = [PAD, BOS, EOS, IMAGE, ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT] as const;
/** Protocol tags kept whole: the stop strings and their partners. */
/**
 * Ids the policy never outputs: the control specials but <eos> (256 + their index; every
 * tokenizer lists them first, in this order). Generation bans them; the copy head never copies
 * them, so that training's distribution is generation's.
 */
export const NEVER_OUTPUT_IDS: ReadonlySet<number> = new Set(CONTROL_SPECIALS.flatMap((s, i) => (s === EOS ? [] : [256 + i])));

export const DEFAULT_ATOMIC = ['<code>', '</code>', '<answer>', '</answer>', '<interpreter>', '</interpreter>', '```python'];

const MAX_CHUNK_BYTES = 64;
const PRETOKENIZE = / ?\p{L}+| ?\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const CACHE_LIMIT = 100_000;

const utf8 = new TextEncoder();

const TokenizerJson = z.object({
  type: z.literal('byte-bpe'),
  version: z.literal(1),
  specials: z.array(z.string().min(1)),
  atomic: z.array(z.string().min(1)),
  merges: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
});
export type TokenizerJson = z.infer<typeof TokenizerJson>;

export interface TrainOptions {
  /** Total vocabulary size: 256 bytes + specials + atomic pieces + merges. */
  vocabSize: number;
  atomic?: string[];
}

const pairKey = (a: number, b: number) => a * 65536 + b;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Splits text into [piece, isAtomic] segments. */
function splitAtomic(text: string, re: RegExp | null): Array<[string, number]> {
  if (!re) return [[text, -1]];
  const out: Array<[string, number]> = [];
  let pos = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > pos) out.push([text.slice(pos, m.index), -1]);
    out.push([m[0], m.index]);
    pos = m.index + m[0].length;
  }
  if (pos < text.length) out.push([text.slice(pos), -1]);
  return out;
}

/** Regex chunks of plain text; any gap the regex leaves becomes a chunk of its own. */
function pretokenize(text: string, each: (chunk: string) => void): void {
  let pos = 0;
  PRETOKENIZE.lastIndex = 0;
  for (let m = PRETOKENIZE.exec(text); m; m = PRETOKENIZE.exec(text)) {
    if (m[0].length === 0) {
      PRETOKENIZE.lastIndex++;
      continue;
    }
    if (m.index > pos) each(text.slice(pos, m.index));
    each(m[0]);
    pos = m.index + m[0].length;
  }
  if (pos < text.length) each(text.slice(pos));
}

/** Byte blocks of a chunk, each at most MAX_CHUNK_BYTES long. */
function chunkBytes(chunk: string): number[][] {
  const bytes = utf8.encode(chunk);
  const out: number[][] = [];
  for (let i = 0; i < bytes.length; i += MAX_CHUNK_BYTES) out.push(Array.from(bytes.subarray(i, i + MAX_CHUNK_BYTES)));
  return out;
}

export class Tokenizer {
  readonly specials: readonly string[];
  readonly atomic: readonly string[];
  readonly merges: ReadonlyArray<readonly [number, number]>;
  readonly vocabSize: number;
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly imageId: number;
  private readonly firstMergeId: number;
  private readonly rank = new Map<number, number>();
  private readonly bytesOf: Uint8Array[];
  private readonly specialIds = new Map<string, number>();
  private readonly atomicIds = new Map<string, number>();
  private readonly atomicRe: RegExp | null;
  private readonly specialRe: RegExp | null;
  private readonly cache = new Map<string, number[]>();

  constructor(json: TokenizerJson) {
    const parsed = TokenizerJson.safeParse(json);
    if (!parsed.success) throw new Error(`tokenizer JSON is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const { specials, atomic, merges } = parsed.data;
    for (const s of CONTROL_SPECIALS) if (!specials.includes(s)) throw new Error(`tokenizer JSON lacks the special token ${s}`);
    // The control specials' ids are part of the model's contract (copyHead.ts never copies them).
    if (CONTROL_SPECIALS.some((s, i) => specials[i] !== s)) throw new Error(`tokenizer JSON must list the control specials first, in the order ${CONTROL_SPECIALS.join(' ')}`);
    const all = [...specials, ...atomic];
    if (new Set(all).size !== all.length) throw new Error('tokenizer JSON has duplicate special/atomic tokens');
    this.specials = specials;
    this.atomic = atomic;
    this.merges = merges;
    this.bytesOf = [];
    for (let b = 0; b < 256; b++) this.bytesOf.push(Uint8Array.of(b));
    specials.forEach((s) => {
      this.specialIds.set(s, this.bytesOf.length);
      this.bytesOf.push(utf8.encode(s));
    });
    atomic.forEach((s) => {
      this.atomicIds.set(s, this.bytesOf.length);
      this.bytesOf.push(utf8.encode(s));
    });
    this.firstMergeId = this.bytesOf.length;
    merges.forEach(([a, b], i) => {
      const id = this.firstMergeId + i;
      const mergeable = (x: number) => x < 256 || x >= this.firstMergeId;
      if (a >= id || b >= id || !mergeable(a) || !mergeable(b)) throw new Error(`tokenizer JSON: merge ${i} refers to an invalid id`);
      if (this.rank.has(pairKey(a, b))) throw new Error(`tokenizer JSON: merge ${i} is a duplicate`);
      this.rank.set(pairKey(a, b), i);
      const bytes = new Uint8Array(this.bytesOf[a]!.length + this.bytesOf[b]!.length);
      bytes.set(this.bytesOf[a]!);
      bytes.set(this.bytesOf[b]!, this.bytesOf[a]!.length);
      this.bytesOf.push(bytes);
    });
    this.vocabSize = this.bytesOf.length;
    this.padId = this.specialIds.get(PAD)!;
    this.bosId = this.specialIds.get(BOS)!;
    this.eosId = this.specialIds.get(EOS)!;
    this.imageId = this.specialIds.get(IMAGE)!;
    // Longest first, so a tag that is a prefix of another never wins over it.
    const alt = (xs: readonly string[]) => (xs.length ? new RegExp([...xs].sort((x, y) => y.length - x.length).map(escapeRe).join('|'), 'g') : null);
    this.atomicRe = alt(atomic);
    this.specialRe = alt(specials);
  }

  /** Id of a special or atomic token by its text. */
  tokenId(text: string): number {
    const id = this.specialIds.get(text) ?? this.atomicIds.get(text);
    if (id === undefined) throw new Error(`unknown special token ${text}`);
    return id;
  }

  isSpecial(id: number): boolean {
    return id >= 256 && id < 256 + this.specials.length;
  }

  /** Token ids of `text`. With allowSpecial, literal special-token strings map to their ids. */
  encode(text: string, opts: { allowSpecial?: boolean } = {}): number[] {
    const out: number[] = [];
    const parts = opts.allowSpecial ? splitAtomic(text, this.specialRe) : [[text, -1] as [string, number]];
    for (const [part, at] of parts) {
      if (at >= 0) {
        out.push(this.specialIds.get(part)!);
        continue;
      }
      for (const [piece, pat] of splitAtomic(part, this.atomicRe)) {
        if (pat >= 0) out.push(this.atomicIds.get(piece)!);
        else pretokenize(piece, (chunk) => this.encodeChunk(chunk, out));
      }
    }
    return out;
  }

  private encodeChunk(chunk: string, out: number[]): void {
    let ids = this.cache.get(chunk);
    if (!ids) {
      ids = [];
      for (const block of chunkBytes(chunk)) ids.push(...this.applyMerges(block));
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(chunk, ids);
    }
    for (const id of ids) out.push(id);
  }

  /** Repeatedly merges the lowest-ranked adjacent pair (blocks are ≤ 64 bytes: quadratic is fine). */
  private applyMerges(ids: number[]): number[] {
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.rank.get(pairKey(ids[i]!, ids[i + 1]!));
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) return ids;
      const [a, b] = this.merges[bestRank]!;
      const merged: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
          merged.push(this.firstMergeId + bestRank);
          i++;
        } else merged.push(ids[i]!);
      }
      ids = merged;
    }
  }

  /** The bytes of a token (specials give their literal text). */
  tokenBytes(id: number): Uint8Array {
    const b = this.bytesOf[id];
    if (!b) throw new Error(`token id ${id} is outside the vocabulary (size ${this.vocabSize})`);
    return b;
  }

  /** Text of ids; invalid UTF-8 (possible in sampled output) decodes to U+FFFD. */
  decode(ids: readonly number[], opts: { skipSpecial?: boolean } = {}): string {
    let n = 0;
    for (const id of ids) if (!(opts.skipSpecial && this.isSpecial(id))) n += this.tokenBytes(id).length;
    const bytes = new Uint8Array(n);
    let o = 0;
    for (const id of ids) {
      if (opts.skipSpecial && this.isSpecial(id)) continue;
      const b = this.tokenBytes(id);
      bytes.set(b, o);
      o += b.length;
    }
    return new TextDecoder().decode(bytes);
  }

  /** Incremental decoder: push ids one at a time, get the text they complete (UTF-8-safe). */
  streamDecoder(): { push(id: number): string; flush(): string } {
    const dec = new TextDecoder();
    return {
      push: (id) => dec.decode(this.tokenBytes(id), { stream: true }),
      flush: () => dec.decode(),
    };
  }

  toJSON(): TokenizerJson {
    return { type: 'byte-bpe', version: 1, specials: [...this.specials], atomic: [...this.atomic], merges: this.merges.map(([a, b]) => [a, b]) };
  }

  static fromJSON(json: unknown): Tokenizer {
    return new Tokenizer(json as TokenizerJson);
  }
}

/**
 * Learns merges from a corpus. Incremental pair counting: each merge only revisits the chunks
 * that contain the merged pair, so a few MB of protocol text trains in seconds.
 */
export function trainTokenizer(corpus: Iterable<string>, opts: TrainOptions): Tokenizer {
  const specials = [...CONTROL_SPECIALS];
  const atomic = opts.atomic ?? DEFAULT_ATOMIC;
  const base = 256 + specials.length + atomic.length;
  const nMerges = opts.vocabSize - base;
  if (nMerges < 0) throw new Error(`vocabSize ${opts.vocabSize} is below the base vocabulary (${base})`);
  const atomicRe = atomic.length ? new RegExp([...atomic].sort((x, y) => y.length - x.length).map(escapeRe).join('|'), 'g') : null;

  const chunkFreq = new Map<string, number>();
  for (const text of corpus) {
    for (const [piece, at] of splitAtomic(text, atomicRe)) {
      if (at < 0) pretokenize(piece, (c) => chunkFreq.set(c, (chunkFreq.get(c) ?? 0) + 1));
    }
  }
  // Words: byte blocks with their frequency (sorted keys keep training order-independent).
  const words: number[][] = [];
  const freqs: number[] = [];
  for (const chunk of [...chunkFreq.keys()].sort()) {
    for (const block of chunkBytes(chunk)) {
      if (block.length < 2) continue;
      words.push(block);
      freqs.push(chunkFreq.get(chunk)!);
    }
  }
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addWord = (w: number, sign: number) => {
    const ids = words[w]!;
    for (let i = 0; i + 1 < ids.length; i++) {
      const k = pairKey(ids[i]!, ids[i + 1]!);
      pairCount.set(k, (pairCount.get(k) ?? 0) + sign * freqs[w]!);
      if (sign > 0) {
        let s = pairWords.get(k);
        if (!s) pairWords.set(k, (s = new Set()));
        s.add(w);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addWord(w, 1);

  const merges: Array<[number, number]> = [];
  for (let m = 0; m < nMerges; m++) {
    let bestKey = -1;
    let bestCount = 0;
    for (const [k, c] of pairCount) {
      if (c > bestCount || (c === bestCount && c > 0 && k < bestKey)) {
        bestCount = c;
        bestKey = k;
      }
    }
    if (bestKey < 0 || bestCount < 2) break; // nothing worth merging: the vocabulary stays smaller
    const a = Math.floor(bestKey / 65536);
    const b = bestKey % 65536;
    const id = base + m;
    merges.push([a, b]);
    for (const w of [...(pairWords.get(bestKey) ?? [])].sort((x, y) => x - y)) {
      addWord(w, -1);
      const ids = words[w]!;
      const next: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
          next.push(id);
          i++;
        } else next.push(ids[i]!);
      }
      words[w] = next;
      addWord(w, 1);
    }
    pairCount.delete(bestKey);
    pairWords.delete(bestKey);
  }
  return new Tokenizer({ type: 'byte-bpe', version: 1, specials, atomic: [...atomic], merges });
}
