import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatAnswer, formatCodeBlock, parseTurn } from '../agent/protocol';
import { selectBackend } from './backend';
import { TEST_CONFIG } from './config';
import { generate } from './generate';
import { advance, allowedTokens, initialState, isWellFormedTurn, MAX_ANSWER, MAX_CODE, MAX_DEPTH, MAX_REASONING, turnLimitsFor } from './grammar';
import { testTokenizer } from './testHelpers';
import { TinyVLM } from './transformer';

const tok = testTokenizer();
const bytes = (s: string) => new TextEncoder().encode(s);

describe('the turn grammar', () => {
  it('accepts the protocol turns the expert writes', () => {
    expect(isWellFormedTurn(`Let me look.\n${formatCodeBlock('hits = find(image_clue_0, "the cup")')}`)).toBe(true);
    expect(isWellFormedTurn(`find() printed colour=white.\n${formatAnswer('white')}`)).toBe(true);
    expect(isWellFormedTurn(formatAnswer('FRESH BREAD 24'))).toBe(true);
    expect(isWellFormedTurn(`x\n${formatCodeBlock('if a < b:\n    print(a)')}`)).toBe(true);
  });

  it('rejects protocol debris as an answer, empty code, stray tags and over-long parts', () => {
    expect(isWellFormedTurn('<answer>\n\\boxed{</interpreter>}\n</answer>')).toBe(false);
    expect(isWellFormedTurn('<answer>\n\\boxed{.}\n</answer>')).toBe(false);
    // One phrase: no sentence after a full stop; decimals and abbreviations stay possible.
    expect(isWellFormedTurn('<answer>\n\\boxed{truck. too}\n</answer>')).toBe(false);
    expect(isWellFormedTurn('<answer>\n\\boxed{truck.}\n</answer>')).toBe(true);
    expect(isWellFormedTurn('<answer>\n\\boxed{3.5}\n</answer>')).toBe(true);
    expect(isWellFormedTurn('<answer>\n\\boxed{U.S.A}\n</answer>')).toBe(true);
    expect(isWellFormedTurn('<answer>\n\\boxed{FRESH BREAD}\n</answer>')).toBe(true);
    expect(isWellFormedTurn('<answer>\n\\boxed{}\n</answer>')).toBe(false);
    // Code and tracebacks are not answers (the tiny policy's real-video debris); OCR-like text is.
    for (const debris of ['feature_version=.botalid syntax', '^^^^.j', 'scanvideo((video_clue_0)', 'x = "cat"', 'a; b', 'list[0]'])
      expect(isWellFormedTurn(formatAnswer(debris)), debris).toBe(false);
    for (const debris of ['bus.able.back', 'feature.able.back.back.', 'zebra or the giraffe.back'])
      expect(isWellFormedTurn(formatAnswer(debris)), debris).toBe(false);
    for (const ok of ['99 4202', 'A, B, C', "it's 3:15", '50%', '$5', 'e-mail @ home', 'dining table', 'v2.0', 'U.S.A.', 'bus.'])
      expect(isWellFormedTurn(formatAnswer(ok)), ok).toBe(true);
    expect(isWellFormedTurn('<code>\n```python\n\n```\n</code>')).toBe(false);
    expect(isWellFormedTurn('<code>\n```python\nprint(1)</code>')).toBe(false);
    expect(isWellFormedTurn('I see </interpreter> <answer>\n\\boxed{red}\n</answer>')).toBe(false);
    expect(isWellFormedTurn('The answer is \\boxed{red}.')).toBe(false);
    expect(isWellFormedTurn('no code, no answer')).toBe(false);
    expect(isWellFormedTurn(`${'a'.repeat(MAX_REASONING + 1)}${formatAnswer('red')}`)).toBe(false);
    expect(isWellFormedTurn(formatAnswer('a'.repeat(MAX_ANSWER + 1)))).toBe(false);
  });

  it('a quoted string ends on its line (outside comments), even at the code limit', () => {
    const code = (body: string) => `x\n<code>\n\`\`\`python\n${body}\n\`\`\`\n</code>`;
    // The slip seen on real photos: the question's tail copied into the string, never closed.
    expect(advance(initialState(), bytes(code('hits = find(image_clue_0, "the locomotive?\n')))).toBeNull();
    expect(advance(initialState(), bytes(`x\n<code>\n\`\`\`python\nprint('it\n`))).toBeNull();
    expect(isWellFormedTurn(code('hits = find(image_clue_0, "the locomotive")'))).toBe(true);
    expect(isWellFormedTurn(code(`print("say \\"hi\\"", 'it\\'s')  # it's "quoted"\nprint(1)`))).toBe(true);
    // At the limit inside a string: only the closing quote may come, then the newline and fence.
    const open = advance(initialState(), bytes(`x\n<code>\n\`\`\`python\nprint("${'a'.repeat(MAX_CODE - 7)}`))!;
    expect(open.n).toBe(MAX_CODE);
    expect(advance(open, bytes('a'))).toBeNull();
    expect(advance(open, bytes('\n'))).toBeNull();
    expect(isWellFormedTurn(`x\n<code>\n\`\`\`python\nprint("${'a'.repeat(MAX_CODE - 7)}")\n\`\`\`\n</code>`)).toBe(true);
    // A pending escape at the limit is finished first, so the string can still close.
    const esc = advance(initialState(), bytes(`x\n<code>\n\`\`\`python\nprint("${'a'.repeat(MAX_CODE - 8)}\\`))!;
    expect(advance(esc, bytes('"'))).not.toBeNull();
    expect(advance(esc, bytes('"")\n```\n</code>'))).not.toBeNull();
  });

  it('a code body keeps to what Python parses: matched brackets, no `<` line, no backslash outside strings', () => {
    const code = (body: string) => `x\n<code>\n\`\`\`python\n${body}\n\`\`\`\n</code>`;
    expect(isWellFormedTurn(code('print(f(a[1], {"k": (2)}))'))).toBe(true);
    expect(isWellFormedTurn(code('hits = find(\n    image_clue_0,\n    "the cup",\n)'))).toBe(true);
    expect(isWellFormedTurn(code('print(")]}", "a\\\\b")  # ) ] } in a comment'))).toBe(true);
    // The degenerate bodies the retrained tiny policy wrote on real photos (they filled its context).
    expect(advance(initialState(), bytes('x\n<code>\n```python\n<answer>'))).toBeNull();
    expect(advance(initialState(), bytes('x\n<code>\n```python\nevents = 1\n}'))).toBeNull();
    expect(advance(initialState(), bytes('x\n<code>\n```python\nprint(a]'))).toBeNull();
    expect(advance(initialState(), bytes('x\n<code>\n```python\nx = a \\'))).toBeNull();
    // An open bracket keeps the block from closing; too deep a nesting is refused.
    expect(advance(initialState(), bytes('x\n<code>\n```python\nprint(1\n```'))).toBeNull();
    expect(advance(initialState(), bytes(`x\n<code>\n\`\`\`python\n${'('.repeat(MAX_DEPTH)}`))).not.toBeNull();
    expect(advance(initialState(), bytes(`x\n<code>\n\`\`\`python\n${'('.repeat(MAX_DEPTH + 1)}`))).toBeNull();
    // At the code limit with brackets open: close them, then the newline and the fence.
    const open = advance(initialState(), bytes(`x\n<code>\n\`\`\`python\nprint(f(${'a'.repeat(MAX_CODE - 8)}`))!;
    expect(open.n).toBe(MAX_CODE);
    expect(advance(open, bytes(']'))).toBeNull();
    expect(advance(open, bytes('\n```'))).toBeNull();
    expect(advance(open, bytes('\n\n'))).toBeNull();
    expect(advance(open, bytes('))\n```\n</code>'))?.mode).toBe('done');
  });

  it('reasoning holds no braces: `motorcycle}` in prose began a degenerate turn', () => {
    expect(isWellFormedTurn(`find() printed object=motorcycle}\n${formatAnswer('motorcycle')}`)).toBe(false);
    expect(isWellFormedTurn(`find() printed object=motorcycle.\n${formatAnswer('motorcycle')}`)).toBe(true);
  });

  it('no copy loops in prose or answers (`MUSEUMUSEUM…`), no value starting with punctuation (`.Image`)', () => {
    const answer = (v: string) => isWellFormedTurn(`read_text() printed it.\n${formatAnswer(v)}`);
    expect(answer('MUSEUM ISLAND')).toBe(true);
    expect(answer('MUSEUMUSEUM')).toBe(false); // USEUM twice in a row
    expect(answer('.Image')).toBe(false);
    expect(answer(',red')).toBe(false);
    // Repeats of digits, of one or two letters, and words that hold none stay possible.
    for (const ok of ['1010', '100100', 'banana', 'aaa', 'bye bye', '0.5', '-3', 'zz top']) expect(answer(ok), ok).toBe(true);
    expect(isWellFormedTurn(`text=MUSEUMUSEUMUSEUM\n${formatAnswer('MUSEUM')}`)).toBe(false);
    expect(isWellFormedTurn(`text=MUSEUM ISLAND, MUSEUM\n${formatAnswer('MUSEUM ISLAND')}`)).toBe(true);
    // Code may repeat itself (`[0][0]`, `image_clue_0` twice).
    expect(isWellFormedTurn(`x\n${formatCodeBlock('a = px[0][0][0]\nb = image_clue_0.size, image_clue_0.size')}`)).toBe(true);
  });

  it('reasoning and code are limited in bytes, not characters (each byte may be its own token)', () => {
    const s = initialState({ maxReasoning: 10 });
    expect(advance(s, bytes('éééé'))).not.toBeNull(); // 8 bytes
    expect(advance(s, bytes('ééééé'))).not.toBeNull(); // 10 bytes
    expect(advance(s, bytes('éééééé'))).toBeNull(); // 12 bytes
    expect(advance(s, bytes('abcdefghij'))).not.toBeNull();
    expect(advance(s, bytes('abcdefghijk'))).toBeNull();
    const c = advance(initialState({ maxCode: 64 }), bytes('x<code>\n```python\n# '))!;
    expect(advance(c, bytes('é'.repeat(31)))).not.toBeNull(); // 2 + 62 bytes
    expect(advance(c, bytes('é'.repeat(32)))).toBeNull();
  });

  it('turn limits: a code turn only while it, an observation and an answer fit; else an answer that fits', () => {
    const frame = { code: '<code>\n```python\n\n```\n</code>'.length, answer: '<answer>\n\\boxed{}\n</answer>'.length + MAX_ANSWER };
    const roomy = turnLimitsFor(900, false, 384);
    expect(roomy.answerOnly).toBe(false);
    // The worst-case code turn (every byte a token) fits the turn's tokens.
    expect(roomy.maxReasoning! + roomy.maxCode! + frame.code).toBeLessThanOrEqual(384);
    expect(roomy.maxReasoning).toBeGreaterThanOrEqual(109); // the longest reasoning in the SFT data
    for (const room of [1000, 700, 500, 450, 420]) {
      const l = turnLimitsFor(room, false, 384);
      if (!l.answerOnly) expect(l.maxReasoning! + l.maxCode! + frame.code + 160).toBeLessThan(room);
    }
    const tight = turnLimitsFor(300, false, 384);
    expect(tight.answerOnly).toBe(true);
    expect(tight.maxReasoning! + frame.answer).toBeLessThanOrEqual(300);
    expect(turnLimitsFor(900, true, 384).answerOnly).toBe(true);
    expect(turnLimitsFor(100, false).maxReasoning).toBe(100 - frame.answer);
    // An answer-only turn cannot open a code block, and its reasoning stops at its limit.
    const s = initialState({ answerOnly: true, maxReasoning: 5 });
    expect(advance(s, bytes('Done.<code>'))).toBeNull();
    expect(advance(s, bytes('Done!!'))).toBeNull();
    expect(advance(s, bytes(`Done.${formatAnswer('red')}`))?.mode).toBe('done');
  });

  it('after <code> only the opening fence may follow, one token at a time', () => {
    const s = advance(initialState(), bytes('Look.\n<code>'))!;
    const allowed = new Uint8Array(tok.vocabSize);
    const table = Array.from({ length: tok.vocabSize }, (_, id) => tok.tokenBytes(id));
    allowedTokens(s, table, allowed);
    const texts = [...allowed].flatMap((ok, id) => (ok ? [new TextDecoder().decode(table[id])] : []));
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) expect('\n```python\n'.startsWith(t)).toBe(true);
    expect(texts).not.toContain('<eos>');
  });
});

describe('constrained generation', () => {
  let model: TinyVLM;
  beforeAll(async () => {
    await selectBackend({ force: 'wasm' });
    // An untrained model: whatever it would write, the grammar turns it into a well-formed turn.
    model = TinyVLM.create({ ...TEST_CONFIG, maxSeq: 1200 }, 3);
  });

  it('an untrained model writes only well-formed turns, and its log-probs stay the model’s own', async () => {
    const prompt = tok.encode('Question: what colour is the cup?\n');
    const rows = await generate(model, tok, [0, 1, 2, 3].map(() => ({ ids: [tok.bosId, ...prompt] })), { maxNewTokens: 1100, temperature: 1, seed: 7, grammar: true });
    for (const row of rows) {
      expect(row.finish, row.text).toBe('stop');
      // The text is valid UTF-8 (so text and token bytes agree) and in the language.
      const raw = Uint8Array.from(row.ids.flatMap((id) => [...tok.tokenBytes(id)]));
      expect(new TextDecoder().decode(raw)).toBe(row.text);
      expect(isWellFormedTurn(row.text), row.text).toBe(true);
      const parsed = parseTurn(row.text);
      expect(parsed.parseError, row.text).toBeNull();
      if (parsed.answer !== null) expect(parsed.answer).toMatch(/[\p{L}\p{N}]/u);
      // Log-probs are of the model's full distribution: never above 0, finite.
      for (const lp of row.logprobs) expect(lp).toBeLessThanOrEqual(0);
    }
    // With a tight context's limits, an untrained model still completes an answer within them.
    const limits = turnLimitsFor(200, false, 384);
    const tight = await generate(model, tok, [0, 1].map(() => ({ ids: [tok.bosId, ...prompt] })), { maxNewTokens: 200, temperature: 1, seed: 3, grammar: true, turnLimits: limits });
    for (const row of tight) {
      expect(row.finish, row.text).toBe('stop');
      expect(parseTurn(row.text).answer, row.text).not.toBeNull();
      expect(row.ids.length).toBeLessThanOrEqual(200);
    }
    const free = await generate(model, tok, [{ ids: [tok.bosId, ...prompt] }], { maxNewTokens: 60, temperature: 1, seed: 7 });
    expect(isWellFormedTurn(free[0]!.text)).toBe(false);
    expect(tf.memory().numTensors).toBeGreaterThan(0);
  });
});
