import { describe, expect, it } from 'vitest';
import { checkAnswer, normalizeAnswer, parseNumber } from './check';
import { colourAccepted, shapeAccepted } from './palette';
import { partAccepted } from './videoEvents';
import { quadrantAccepted } from './visualSearch';

describe('normalizeAnswer', () => {
  it.each([
    ['Red', 'red'],
    ['  The red. ', 'red'],
    ['\\text{red}', 'red'],
    ['\\textbf{ Blue }', 'blue'],
    ['$5$', '5'],
    ['top-left', 'top left'],
    ['Top–Left', 'top left'],
    ['a star', 'star'],
    ['green colour', 'green'],
    ['circle shape', 'circle'],
    ['"purple"', 'purple'],
    ['3.5', '3.5'],
  ])('%j → %j', (input, out) => {
    expect(normalizeAnswer(input)).toBe(out);
  });
});

describe('parseNumber', () => {
  it.each([
    ['5', 5],
    ['5.0', 5],
    [' 7 shapes', 7],
    ['five', 5],
    ['Twelve', 12],
    ['1,024', 1024],
    ['-2', -2],
    ['$3$', 3],
    ['\\text{4}', 4],
  ])('%j → %d', (input, n) => {
    expect(parseNumber(input)).toBe(n);
  });
  it.each(['', 'red', '3 or 4', 'no idea'])('%j → null', (input) => {
    expect(parseNumber(input)).toBeNull();
  });
});

describe('checkAnswer', () => {
  it('accepts synonyms and formatting variants of text answers', () => {
    const spec = { kind: 'text' as const, accepted: colourAccepted('purple') };
    for (const a of ['purple', 'Purple', 'violet', 'The purple.', '\\text{Purple}']) expect(checkAnswer(spec, a)).toBe(true);
    for (const a of ['blue', 'purple star', '', 'pink']) expect(checkAnswer(spec, a)).toBe(false);
    expect(checkAnswer(spec, null)).toBe(false);
  });

  it('knows shape, quadrant and clip-part synonyms', () => {
    expect(checkAnswer({ kind: 'text', accepted: shapeAccepted('diamond') }, 'rhombus')).toBe(true);
    expect(checkAnswer({ kind: 'text', accepted: shapeAccepted('circle') }, 'circles')).toBe(true);
    expect(checkAnswer({ kind: 'text', accepted: quadrantAccepted('top-left') }, 'upper left')).toBe(true);
    expect(checkAnswer({ kind: 'text', accepted: quadrantAccepted('top-left') }, 'Top-Left corner')).toBe(true);
    expect(checkAnswer({ kind: 'text', accepted: quadrantAccepted('top-left') }, 'top right')).toBe(false);
    expect(checkAnswer({ kind: 'text', accepted: partAccepted('beginning') }, 'At the start')).toBe(true);
    expect(checkAnswer({ kind: 'text', accepted: partAccepted('end') }, 'middle')).toBe(false);
  });

  it('compares numbers within the tolerance', () => {
    const exact = { kind: 'number' as const, value: 5, tolerance: 0 };
    expect(checkAnswer(exact, '5')).toBe(true);
    expect(checkAnswer(exact, 'five')).toBe(true);
    expect(checkAnswer(exact, '5.0')).toBe(true);
    expect(checkAnswer(exact, '6')).toBe(false);
    expect(checkAnswer(exact, 'about 5 or 6')).toBe(false);
    const loose = { kind: 'number' as const, value: 2.5, tolerance: 0.1 };
    expect(checkAnswer(loose, '2.6')).toBe(true);
    expect(checkAnswer(loose, '2.4')).toBe(true);
    expect(checkAnswer(loose, '2.7')).toBe(false);
    expect(checkAnswer(loose, 'x')).toBe(false);
  });
});
