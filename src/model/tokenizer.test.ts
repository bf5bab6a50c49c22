import { describe, expect, it } from 'vitest';
import { formatAnswer, formatCodeBlock, formatObservation } from '../agent/protocol';
import { Rng } from '../tasks/rng';
import { DEFAULT_ATOMIC, IMAGE, Tokenizer, trainTokenizer } from './tokenizer';

const protocolText = [
  'I need to find the small red square. Let me crop the top-left region and zoom in.\n',
  formatCodeBlock('crop = image_clue_0.crop((0, 0, 512, 512))\nplt.imshow(crop)\nplt.show()\nprint(crop.size)'),
  formatObservation({ output: '(512, 512)\n', error: null, figures: [1] }, 1),
  'The target is at the left. ',
  formatAnswer('left'),
];

function randomUnicode(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const kind = rng.int(0, 5);
    let cp: number;
    if (kind === 0) cp = rng.int(0x20, 0x7e);
    else if (kind === 1) cp = rng.int(0x80, 0x7ff);
    else if (kind === 2) cp = rng.int(0x800, 0xd7ff); // below the surrogates
    else if (kind === 3) cp = rng.int(0xe000, 0xfffd);
    else if (kind === 4) cp = rng.int(0x10000, 0x10ffff); // astral: emoji, CJK ext.
    else cp = rng.pick([0x0a, 0x09, 0x20, 0x3c, 0x3e, 0x2f]); // whitespace and tag characters
    s += String.fromCodePoint(cp);
  }
  return s;
}

describe('byte-level BPE tokenizer', () => {
  const corpus = Array.from({ length: 50 }, () => protocolText.join('\n'));
  const tok = trainTokenizer(corpus, { vocabSize: 400 });

  it('learns merges deterministically and compresses protocol text', () => {
    const again = trainTokenizer(corpus, { vocabSize: 400 });
    expect(again.toJSON()).toEqual(tok.toJSON());
    // Training stops early when no pair occurs twice: the vocabulary is at most the size asked.
    expect(tok.vocabSize).toBeGreaterThan(300);
    expect(tok.vocabSize).toBeLessThanOrEqual(400);
    const text = protocolText.join('\n');
    expect(tok.encode(text).length).toBeLessThan(text.length / 2.5);
  });

  it('round-trips random Unicode and protocol text exactly', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 200; i++) {
      const s = randomUnicode(rng, rng.int(0, 60));
      expect(tok.decode(tok.encode(s))).toBe(s);
    }
    for (const t of protocolText) expect(tok.decode(tok.encode(t))).toBe(t);
  });

  it('falls back to bytes for text it never saw', () => {
    const s = '日本語のテキスト 🤖🧪 ∑x² naïve';
    const ids = tok.encode(s);
    expect(tok.decode(ids)).toBe(s);
    expect(ids.every((id) => id >= 0 && id < tok.vocabSize)).toBe(true);
    expect(ids.some((id) => id < 256)).toBe(true); // raw bytes were needed
  });

  it('keeps protocol tags whole and never produces control tokens from text', () => {
    const ids = tok.encode('x</code>y');
    expect(ids).toContain(tok.tokenId('</code>'));
    for (const tag of DEFAULT_ATOMIC) expect(tok.encode(tag)).toEqual([tok.tokenId(tag)]);
    expect(tok.encode(`a ${IMAGE} b`)).not.toContain(tok.imageId);
    expect(tok.encode(`a ${IMAGE} b`, { allowSpecial: true })).toContain(tok.imageId);
    expect(tok.decode(tok.encode(`a ${IMAGE} b`))).toBe(`a ${IMAGE} b`);
  });

  it('streams UTF-8 safely: pieces join to the decoded text', () => {
    const s = 'héllo 🤖 wörld';
    const ids = tok.encode(s);
    const dec = tok.streamDecoder();
    expect(ids.map((id) => dec.push(id)).join('') + dec.flush()).toBe(s);
  });

  it('serialises to JSON and rejects malformed JSON', () => {
    const copy = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    const text = protocolText.join('');
    expect(copy.encode(text)).toEqual(tok.encode(text));
    expect(() => Tokenizer.fromJSON({ type: 'byte-bpe', version: 1 })).toThrow(/malformed/);
    const bad = tok.toJSON();
    bad.merges[3] = [99999, 1];
    expect(() => Tokenizer.fromJSON(bad)).toThrow(/invalid id/);
    expect(() => Tokenizer.fromJSON({ ...tok.toJSON(), specials: ['<pad>'] })).toThrow(/lacks the special token/);
  });

  it('encodes a large corpus exactly', () => {
    const big = Array.from({ length: 1000 }, (_, i) => `${protocolText.join('\n')}\nstep ${i}: value=${(i * 37) % 1000}\n`).join('');
    expect(big.length).toBeGreaterThan(300_000);
    expect(tok.decode(tok.encode(big))).toBe(big);
  }, 30_000);

  it('is robust to long runs without spaces (chunks are capped)', () => {
    const s = '#'.repeat(20_000) + 'a'.repeat(20_000);
    // Uncapped chunks would make this quadratic and blow the test's time limit.
    expect(tok.decode(tok.encode(s))).toBe(s);
  }, 20_000);
});
