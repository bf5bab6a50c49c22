/**
 * What counts as an answer: the one rule every policy's final answer must pass (the tiny model,
 * a remote endpoint, a human, a scripted expert alike). parseTurn applies it, so the loop treats
 * junk exactly like a turn with neither code nor answer: a format reminder in interactive
 * ('feed-back') mode, ERROR_IN_ACTION in training ('end').
 *
 * Why: a model that has learned the protocol's shape but not its content emits things like
 * `\boxed{</interpreter>}` or `\boxed{.}`. Ending such an episode DONE would show a green
 * "answered" for nothing and, in RL, reward the format of answering without an answer.
 */

/** Protocol markup: tags of PyVision's turn format and code fences. */
const PROTOCOL_MARKUP = /<\/?\s*(?:code|answer|interpreter|image|image_clue_\d+|frame(?:\s+\d+)?)\s*>|```|\\boxed\b/i;

/**
 * Something other than punctuation, spaces and invisible characters: a letter, a digit, or a
 * symbol (so `>`, `+`, `∞` or `$` stay valid answers; `.`, `?`, `-`, `…` alone do not).
 */
const CONTENTFUL = /[\p{L}\p{N}\p{S}]/u;

/**
 * Why `answer` (the content of \boxed{…}) is not an answer, or null when it is one.
 * Empty, punctuation only, or containing protocol markup.
 */
export function answerProblem(answer: string): string | null {
  const trimmed = answer.trim();
  if (trimmed === '') return 'The \\boxed{} answer is empty.';
  if (PROTOCOL_MARKUP.test(trimmed)) return `The answer "${preview(trimmed)}" contains protocol markup (tags such as <interpreter> or a code fence), not an answer.`;
  if (!CONTENTFUL.test(trimmed)) return `The answer "${preview(trimmed)}" is only punctuation, not an answer.`;
  return null;
}

function preview(s: string): string {
  const oneLine = s.replace(/\s+/g, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine;
}
