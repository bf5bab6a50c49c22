/**
 * Answer checking. The protocol layer extracts the content of `\boxed{…}` (agent/protocol.ts);
 * this module only decides whether that content matches a task's AnswerSpec.
 *
 * Normalisation is deliberately modest — case, LaTeX text wrappers, punctuation, hyphens,
 * leading articles, a trailing "colour"/"shape" — so that "The Red." and "\text{red}" match
 * "red", while "red star" does not match "red" (synonyms are listed in `accepted` instead).
 */
import type { AnswerSpec } from './types';

const NUMBER_WORDS: Record<string, number> = {
  zero: 0, none: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
};

/** Canonical form of an answer or an accepted string. */
export function normalizeAnswer(text: string): string {
  let s = text.normalize('NFKC').toLowerCase();
  // LaTeX wrappers a model may put inside \boxed{}: \text{red}, \textbf{red}, \mathrm{red}.
  for (let i = 0; i < 3; i++) s = s.replace(/\\(?:text|textbf|textit|mathrm|mathbf|operatorname)\s*\{([^{}]*)\}/g, '$1');
  s = s.replace(/\\[,;:! ]/g, ' ').replace(/[$]/g, '');
  // Hyphens and dashes separate words ("top-left"), but a leading minus sign stays.
  s = s.replace(/[‐‑‒–—_]+|(?<=[a-z0-9])-|-(?!\d)/g, ' ');
  // Punctuation goes, but a decimal point or a sign inside a number stays.
  s = s.replace(/(?<!\d)[.](?!\d)|[.](?=\s|$)/g, ' ').replace(/[!?,;:'"`“”‘’()[\]{}*]/g, ' ');
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/^(?:the|a|an)\s+/, '');
  s = s.replace(/\s+(?:colou?r|shape)$/, '');
  return s.trim();
}

/**
 * The number an answer states: digits ("5", "5.0", "-2", "1,024", "5 shapes") or a number
 * word ("five"). Null when there is no number or more than one different number.
 */
export function parseNumber(text: string): number | null {
  const s = normalizeAnswer(text.replace(/(\d),(?=\d{3}\b)/g, '$1'));
  const found: number[] = [];
  for (const m of s.matchAll(/[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g)) found.push(Number(m[0]));
  if (found.length === 0) {
    for (const w of s.split(' ')) if (w in NUMBER_WORDS) found.push(NUMBER_WORDS[w]!);
  }
  const distinct = [...new Set(found.filter((n) => Number.isFinite(n)))];
  return distinct.length === 1 ? distinct[0]! : null;
}

/** Whether an extracted answer (the boxed content; null when there was none) is correct. */
export function checkAnswer(spec: AnswerSpec, answer: string | null): boolean {
  if (answer === null) return false;
  if (spec.kind === 'number') {
    const n = parseNumber(answer);
    return n !== null && Math.abs(n - spec.value) <= spec.tolerance + 1e-9;
  }
  const got = normalizeAnswer(answer);
  if (!got) return false;
  return spec.accepted.some((a) => normalizeAnswer(a) === got);
}
