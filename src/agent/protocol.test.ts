/**
 * The protocol as text: prompt shape, observation text (checked against PyVision-RL's exact
 * strings), format → parse round trips, and fuzz/property tests of the parser with random and
 * adversarial model text (it must never throw, and its results must satisfy the invariants).
 */
import { describe, expect, it } from 'vitest';
import type { FrameProvider, Pixels, RunResult } from '../runtime/types';
import type { Task } from '../tasks/types';
import {
  buildPrompt,
  contentFromObservationText,
  contentToText,
  estimateTextTokens,
  extractBoxed,
  findCodeBlocks,
  formatAnswer,
  formatCodeBlock,
  formatObservation,
  observationContent,
  parseObservationText,
  parseTurn,
  qwenResize,
  qwenVisualTokens,
  replaceLastCode,
} from './protocol';

const image: Pixels = { width: 640, height: 480, channels: 3, data: new Uint8Array(640 * 480 * 3) };
const imageTask: Task = {
  id: 't-1',
  family: 'visual-search',
  seed: 1,
  question: 'What colour is the small square?',
  answer: 'red',
  answerSpec: { kind: 'text', accepted: ['red'] },
  difficulty: 'small',
  media: { kind: 'image', image },
  truth: {},
  ability: 'visual_search',
  dataSource: 'test',
};
const video: FrameProvider = {
  meta: { width: 320, height: 240, frameCount: 90, fps: 30 },
  getFrame: () => Promise.reject(new Error('the prompt must not read frames')),
};
const videoTask: Task = { ...imageTask, id: 'v-1', family: 'video-events', media: { kind: 'video', video } };

function result(output: string, figures = 0, error: RunResult['error'] = null): RunResult {
  const fig = { pixels: image, titles: [], downscaled: false };
  return { ok: !error, output, outputTruncated: false, figures: Array.from({ length: figures }, () => fig), figuresDropped: 0, error, wallMs: 1 };
}

describe('buildPrompt', () => {
  it('attaches the image as image_clue_0 and states the rules', () => {
    const [system, user] = buildPrompt(imageTask);
    expect(system!.role).toBe('system');
    const rules = contentToText(system!.content);
    for (const s of ['<code>', '```python', '</code>', '<interpreter>', 'print()', 'plt.show()', '<answer>', '\\boxed{', '</answer>']) expect(rules).toContain(s);
    expect(user!.role).toBe('user');
    expect(user!.content[0]).toEqual({ type: 'text', text: '<image_clue_0>' });
    expect(user!.content[1]).toEqual({ type: 'image', image: 0 });
    const text = contentToText(user!.content);
    expect(text).toContain('`image_clue_0`');
    expect(text).toContain('width 640, height 480');
    expect(text).toContain('Question: What colour is the small square?');
  });

  it('gives a video only as metadata, never frames', () => {
    const msgs = buildPrompt(videoTask);
    expect(msgs.flatMap((m) => m.content).some((p) => p.type === 'image')).toBe(false);
    const text = contentToText(msgs[1]!.content);
    expect(text).toContain('`video_clue_0`');
    expect(text).toContain('Frame width: 320; frame height: 240; frame count: 90; fps: 30');
    expect(text).toMatch(/get_avg_fps\(\)/);
    expect(text).toMatch(/get_batch/);
  });

  it('uniform-sampling baseline: frames given up front come first, in order, each tagged with its index', () => {
    const msgs = buildPrompt(videoTask, { videoFrames: [{ frame: 5, image: 0 }, { frame: 50, image: 1 }] });
    const parts = msgs[1]!.content;
    expect(parts.filter((p) => p.type === 'image')).toEqual([{ type: 'image', image: 0 }, { type: 'image', image: 1 }]);
    const text = contentToText(parts);
    expect(text.indexOf('<frame 5>')).toBeLessThan(text.indexOf('<frame 50>'));
    expect(text).toContain('2 evenly spaced frames');
    expect(text).toContain('Frame width: 320');
  });
});

describe('formatObservation (PyVision-RL exact text)', () => {
  it('text only: no Image Result part, stdout stripped like upstream', () => {
    expect(formatObservation(result('(640, 480)\n'), 1)).toBe('<interpreter>Text Result:\n(640, 480)</interpreter>');
  });

  it('figures are numbered after the inputs', () => {
    expect(formatObservation(result('crop\n', 2), 1)).toBe(
      '<interpreter>Text Result:\ncrop\nImage Result:\n<image_clue_1><image></image_clue_1><image_clue_2><image></image_clue_2></interpreter>',
    );
    expect(formatObservation(result('', 1), 0)).toBe('<interpreter>Text Result:\n\nImage Result:\n<image_clue_0><image></image_clue_0></interpreter>');
  });

  it('puts the traceback in the Text Result after the stdout', () => {
    const err = { kind: 'python' as const, type: 'ZeroDivisionError', message: 'division by zero', traceback: 'Traceback (most recent call last):\nZeroDivisionError: division by zero\n' };
    expect(formatObservation(result('before\n', 0, err), 1)).toBe(
      '<interpreter>Text Result:\nbefore\nTraceback (most recent call last):\nZeroDivisionError: division by zero</interpreter>',
    );
    const timeout = { kind: 'timeout' as const, type: 'TimeoutError', message: 'TimeoutError: too slow', traceback: '' };
    expect(formatObservation(result('', 0, timeout), 1)).toBe('<interpreter>Text Result:\nTimeoutError: too slow</interpreter>');
  });

  it('message content and text agree; a printed "<image>" is not taken for a figure', () => {
    const content = observationContent('I print <image> myself', 1, [7, 8]);
    expect(content.filter((p) => p.type === 'image')).toEqual([{ type: 'image', image: 7 }, { type: 'image', image: 8 }]);
    const text = contentToText(content);
    expect(contentFromObservationText(text, [7, 8])).toEqual(content.reduce(mergeText, []));
    expect(parseObservationText(text)).toBe('I print <image> myself');
  });
});

function mergeText(acc: ReturnType<typeof observationContent>, p: ReturnType<typeof observationContent>[number]) {
  const last = acc[acc.length - 1];
  if (p.type === 'text' && last?.type === 'text') acc[acc.length - 1] = { type: 'text', text: last.text + p.text };
  else acc.push(p);
  return acc;
}

describe('parseTurn', () => {
  it('round-trips formatted code and answers', () => {
    const codes = ['print(1)', 'x = "</code>"\nprint(x)', 'for i in range(3):\n    print(i)', 's = """\n```\n"""  # fence in a string, indented', '# only a comment'];
    for (const code of codes) {
      const p = parseTurn(`Let me look.\n${formatCodeBlock(code)}`);
      expect(p).toEqual({ code, answer: null, hasCodeTag: true, parseError: null });
    }
    for (const ans of ['red', '42', '\\frac{1}{2}', '{a, {b}}', 'top-left', 'ünïcødé 猫']) {
      expect(parseTurn(`So the answer is clear.\n${formatAnswer(ans)}`)).toEqual({ code: null, answer: ans, hasCodeTag: false, parseError: null });
    }
  });

  it('runs the last block; tolerates a missing </code>, a missing language and no fence', () => {
    const two = `a\n${formatCodeBlock('print(1)')}\nthen\n${formatCodeBlock('print(2)')}`;
    expect(parseTurn(two).code).toBe('print(2)');
    expect(parseTurn('<code>\n```python\nprint(3)\n```').code).toBe('print(3)');
    expect(parseTurn('<code>\n```python\nprint(4)\n').code).toBe('print(4)');
    expect(parseTurn('<code>\n```\nprint(5)\n```\n</code>').code).toBe('print(5)');
    expect(parseTurn('<code>\nprint(6)\n</code>').code).toBe('print(6)');
    expect(parseTurn('<code>\npython\nprint(8)\n</code>').code).toBe('print(8)');
    expect(parseTurn('<code>```python\nprint(7)\n```</code>').code).toBe('print(7)');
  });

  it('ignores answers and tags inside code', () => {
    const t = `${formatCodeBlock('print("<answer>\\\\boxed{no}</answer>")\nprint("<code>")')}`;
    const p = parseTurn(t);
    expect(p.answer).toBeNull();
    expect(p.code).toContain('<answer>');
  });

  it('when both appear, the later one wins', () => {
    expect(parseTurn(`${formatCodeBlock('print(1)')}\n${formatAnswer('7')}`)).toMatchObject({ code: null, answer: '7' });
    expect(parseTurn(`I will answer as ${formatAnswer('7')} after checking:\n${formatCodeBlock('print(1)')}`)).toMatchObject({ code: 'print(1)', answer: null });
  });

  it('a turn with neither is an error, with a reason', () => {
    expect(parseTurn('I think it is red.').parseError).toMatch(/Neither/);
    expect(parseTurn('```python\nprint(1)\n```').parseError).toMatch(/not inside <code>/);
    expect(parseTurn('<code>\n```python\n```\n</code>')).toMatchObject({ code: null, hasCodeTag: true });
    expect(parseTurn('<answer>red</answer>').parseError).toMatch(/no \\boxed/);
    expect(parseTurn('').parseError).not.toBeNull();
  });

  it('replaceLastCode rewrites only the last block, keeping the reasoning', () => {
    const t = `think\n${formatCodeBlock('a = 1')}\nmore\n${formatCodeBlock('b = 2')}`;
    const r = replaceLastCode(t, 'b = 3');
    expect(parseTurn(r).code).toBe('b = 3');
    expect(r.startsWith(`think\n${formatCodeBlock('a = 1')}\nmore\n`)).toBe(true);
    expect(parseTurn(replaceLastCode('no code yet', 'print(0)')).code).toBe('print(0)');
  });
});

describe('extractBoxed', () => {
  it('handles nesting, escapes, several boxes and unclosed ones', () => {
    expect(extractBoxed('\\boxed{\\frac{1}{2}}')).toBe('\\frac{1}{2}');
    expect(extractBoxed('\\boxed{a} and \\boxed{b}')).toBe('b');
    expect(extractBoxed('\\boxed{\\{x\\}}')).toBe('\\{x\\}');
    expect(extractBoxed('\\boxed{a} \\boxed{unclosed')).toBe('a');
    expect(extractBoxed('\\boxed {spaced}')).toBe('spaced');
    expect(extractBoxed('no box')).toBeNull();
    expect(extractBoxed('\\boxed{}')).toBe('');
  });
});

// ---- fuzzing ----

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['<code>', '</code>', '```python\n', '```\n', '```', '<answer>', '</answer>', '\\boxed{', '}', '{', '\\{', '\n', ' ', 'print(1)', '"</code>"', '<code', 'code>', '<<answer>>', '猫', '😀', '\u0000', '\r\n', 'x'];

function randomText(r: () => number, maxLen: number): string {
  const n = Math.floor(r() * maxLen);
  let s = '';
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.6) s += PIECES[Math.floor(r() * PIECES.length)];
    else s += String.fromCodePoint(Math.floor(r() * (k < 0.9 ? 128 : 0x2ffff)));
  }
  return s;
}

function checkInvariants(text: string) {
  const p = parseTurn(text);
  const set = [p.code, p.answer, p.parseError].filter((v) => v !== null);
  expect(set).toHaveLength(1); // exactly one of code / answer / error
  expect(p.hasCodeTag).toBe(text.includes('<code>'));
  if (p.code !== null) {
    expect(p.code.trim().length).toBeGreaterThan(0);
    expect(text).toContain(p.code);
  }
  if (p.answer !== null) expect(text).toContain(p.answer);
  for (const s of findCodeBlocks(text)) {
    expect(s.start).toBeLessThanOrEqual(s.codeStart);
    expect(s.codeStart).toBeLessThanOrEqual(s.codeEnd);
    expect(s.codeEnd).toBeLessThanOrEqual(s.end);
    expect(s.end).toBeLessThanOrEqual(text.length);
  }
}

describe('parser fuzzing', () => {
  it('never throws on random tag soup and satisfies the invariants (3000 cases)', () => {
    const r = rng(1234);
    for (let i = 0; i < 3000; i++) checkInvariants(randomText(r, 60));
  });

  it('any code or answer survives a format → parse round trip inside random reasoning', () => {
    const r = rng(99);
    for (let i = 0; i < 500; i++) {
      const reasoning = randomText(r, 20).replace(/<code>|<answer>|```/g, '');
      const code = `x = ${i}\nprint("</code>" * ${i % 3}, x)`;
      expect(parseTurn(`${reasoning}\n${formatCodeBlock(code)}`).code).toBe(code);
      const ans = `v{${i}}`;
      expect(parseTurn(`${reasoning}\n${formatAnswer(ans)}`).answer).toBe(ans);
    }
  });

  it('stays fast and correct on huge and deeply adversarial inputs', () => {
    const cases = [
      '<code>'.repeat(50_000),
      '\\boxed{'.repeat(50_000) + '<answer>',
      '<answer>' + '{'.repeat(100_000) + '\\boxed{' + '}'.repeat(3),
      formatCodeBlock('print(1)').repeat(10_000),
      'x'.repeat(1_000_000) + formatAnswer('ok'),
      '```python\n'.repeat(20_000) + '<code>' + '\n'.repeat(100_000),
      '<code>```python\n'.repeat(50_000),
      '<code>\n```python\nx\n' + '```\n'.repeat(50_000),
    ];
    // Catastrophic (super-linear) parsing would blow the test's time limit below.
    for (const c of cases) checkInvariants(c);
    expect(parseTurn(cases[3]!).code).toBe('print(1)');
    expect(parseTurn(cases[4]!).answer).toBe('ok');
  }, 20_000);
});

describe('token accounting', () => {
  it('follows Qwen2.5-VL smart_resize (28-px patches, min/max pixels)', () => {
    expect(qwenResize(640, 480)).toEqual({ width: 644, height: 476 }); // round(640/28)=23 → 644; 480/28=17.14 → 476
    expect(qwenVisualTokens(640, 480)).toBe(23 * 17);
    expect(qwenVisualTokens(28, 28)).toBe(4); // below MIN_PIXELS = 4·28² → scaled up to 56×56
    expect(qwenVisualTokens(10, 10)).toBe(4);
    expect(qwenVisualTokens(14 * 28 * 2, 14 * 28 * 2)).toBe(28 * 28); // 784² exactly
    // Above MAX_PIXELS = 16384·28²: scaled down to fit.
    const big = qwenVisualTokens(8000, 8000);
    expect(big).toBeLessThanOrEqual(16384);
    expect(big).toBeGreaterThan(16000);
    // Python rounds halves to even: 42/28 = 1.5 → 2, 70/28 = 2.5 → 2.
    expect(qwenResize(70, 42 * 4)).toEqual({ width: 56, height: 168 });
  });

  it('estimates text tokens without a tokenizer', () => {
    expect(estimateTextTokens('')).toBe(0);
    expect(estimateTextTokens('abcd')).toBe(1);
    expect(estimateTextTokens('abcde')).toBe(2);
    expect(estimateTextTokens('猫猫')).toBe(2);
  });
});
