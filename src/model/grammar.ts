/**
 * Constrained decoding: the tiny policy can only write well-formed PyVision turns.
 *
 *   turn   := reasoning ( code | answer )
 *   code   := "<code>\n```python\n" body "\n```\n</code>"
 *   answer := "<answer>\n\\boxed{" value "}\n</answer>"
 *
 * - reasoning: free text without `<`, a backtick, a backslash or a brace (so no tag, fence or
 *   \boxed{…} can start inside it: `motorcycle}` in prose was the start of a degenerate turn), at
 *   most MAX_REASONING bytes; then only `<code>` or `<answer>` may follow.
 * - body: Python; `</` cannot occur (no stray closing tag) and a line starting with ``` closes
 *   the block; past MAX_CODE bytes the closing fence is forced. A quoted string cannot run past
 *   its line (quotes are tracked outside `#` comments): the commonest slip of a small copying
 *   model is to copy a question's tail, `?` and newlines included, into `find(img, "…` and never
 *   close it, a SyntaxError that ends the episode. Triple-quoted strings are not in the language.
 *   Outside strings and comments the body keeps to what Python could parse: a closing bracket
 *   must match the innermost open one (at most MAX_DEPTH deep), the fence cannot close a block
 *   with a bracket open, no line starts with `<`, and a backslash (a line continuation; brackets
 *   continue lines here) is not written. These rule out the degenerate bodies a small model
 *   falls into (`<answer>` lines, rows of `}`), which would otherwise fill its context.
 * - value: at most MAX_ANSWER bytes (not characters) without braces, `<`, backslash, backtick
 *   or newline, and it must hold a letter or digit before `}` may close it: protocol debris
 *   (`</interpreter>`, `.`, an empty box) cannot be an answer. A value is one phrase: a space
 *   cannot follow a full stop (`\boxed{truck. too}` was the tiny policy's run-on after copying
 *   "truck."), and a full stop after a word of two or more letters ends it (`bus.able.back…`),
 *   while "3.5" and "U.S.A." stay possible. Nor can it hold the characters of code
 *   (`= _ ( ) [ ] " ; ^ | ~`): the tiny policy's wrong answers on real videos were code and
 *   tracebacks copied from its own turns (`feature_version=.botalid syntax`, `^^^^.j`,
 *   `optimize=optimize=…`), while what the tools print to be copied (object=, colour=, count=,
 *   text= values) never holds them. It cannot start with `.`, `,`, `:`, `!` or `?` (`.Image`).
 * - reasoning and value: no unit of 3+ bytes holding a letter written twice in a row
 *   (textRepeat.ts: the copy loop `MUSEUMUSEUM…` for "MUSEUM ISLAND").
 * - limits count bytes, not characters: each byte may be its own token.
 *
 * Per-turn limits (turnLimitsFor): when the model's context is nearly full, or on the last turn,
 * the turn must be an answer and its parts shrink to fit, so no turn can run an episode out of
 * context; a turn ends with a boxed answer instead of OVER_LENGTH.
 *
 * The grammar runs over bytes (the tokenizer is byte-level BPE), as a small state machine: each
 * step masks every token whose bytes would leave the language, and `<eos>` is never allowed
 * (a turn ends only by completing). Forced stretches ("\n```python\n" after `<code>`) are
 * ordinary masked steps where one token (or a few splits of the string) remains.
 * Log-probs stay the model's own (sampling.ts): the mask chooses, it does not reweight what
 * GRPO's ratio compares.
 */
import { endsInRepeat, REPEAT_TAIL } from './textRepeat';

export const MAX_REASONING = 240;
export const MAX_CODE = 480;
export const MAX_ANSWER = 48;
/** Brackets open at once in a code body (the tools API needs three). */
export const MAX_DEPTH = 8;

/** Context kept after a code turn for its observation. */
const OBSERVATION_ROOM = 160;
const MIN_REASONING = 48;
const MIN_CODE = 64;

/** What one turn may write (initialState). Defaults: the MAX_* limits, code or answer. */
export interface TurnLimits {
  answerOnly?: boolean;
  maxReasoning?: number;
  maxCode?: number;
}

/**
 * The limits for a turn with `room` positions left in the model's context and at most
 * `maxTurnTokens` tokens to write (each byte is at most one token, so byte limits bound tokens).
 * A code turn only while it, an observation and a closing answer fit the context; else, and on
 * the last turn, an answer whose reasoning fits what is left. Its parts shrink to the turn's
 * tokens too, so a turn so limited completes (given at least ~140 tokens for it).
 */
export function turnLimitsFor(room: number, lastTurn: boolean, maxTurnTokens = Infinity): TurnLimits {
  const contextBudget = room - OBSERVATION_ROOM - ANSWER_ROOM - CODE_FRAME;
  if (lastTurn || contextBudget < MIN_REASONING + MIN_CODE) {
    return { answerOnly: true, maxReasoning: Math.max(0, Math.min(MAX_REASONING, room - ANSWER_FRAME, maxTurnTokens - ANSWER_FRAME)) };
  }
  const codeBudget = Math.min(contextBudget, maxTurnTokens - CODE_FRAME);
  const maxReasoning = Math.min(MAX_REASONING, Math.max(MIN_REASONING, Math.floor(codeBudget * 0.4)));
  return { answerOnly: false, maxReasoning, maxCode: Math.max(MIN_CODE, Math.min(MAX_CODE, codeBudget - maxReasoning)) };
}

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);
const CODE_TAG = bytes('<code>');
const ANSWER_TAG = bytes('<answer>');
const CODE_OPEN = bytes('\n```python\n');
const CODE_CLOSE = bytes('```\n</code>');
const ANSWER_OPEN = bytes('\n\\boxed{');
const ANSWER_CLOSE = bytes('}\n</answer>');
const LT = 0x3c;
const BACKTICK = 0x60;
const BACKSLASH = 0x5c;
const NL = 0x0a;
const SLASH = 0x2f;
/** Bytes an answer value cannot hold: the syntax of code and tracebacks (see the header). */
const CODE_IN_ANSWER = new Set([...'=_()[]";^|~'].map((c) => c.charCodeAt(0)));
/** Bytes a value cannot start with: punctuation that only ever began debris (`.Image`). */
const NOT_FIRST_IN_ANSWER = new Set([...'.,:!?'].map((c) => c.charCodeAt(0)));
/** Appends an ASCII byte to the prose tail (reasoning or value) and says whether it starts a repeat. */
function repeats(s: GrammarState, b: number): boolean {
  s.tail = (s.tail.length >= REPEAT_TAIL ? s.tail.slice(1) : s.tail) + String.fromCharCode(b);
  return endsInRepeat(s.tail);
}

/** Bytes of the fixed parts of an answer turn and of a code turn (upper bounds on their tokens). */
const ANSWER_FRAME = ANSWER_TAG.length + ANSWER_OPEN.length + MAX_ANSWER + ANSWER_CLOSE.length;
const CODE_FRAME = CODE_TAG.length + CODE_OPEN.length + 1 + CODE_CLOSE.length; // + the body's last newline
/** Context kept after a code turn for an answer turn after it (its reasoning up to 64 bytes). */
const ANSWER_ROOM = ANSWER_FRAME + 64;

type Mode =
  | 'reason' // free reasoning text
  | 'tag' // inside `<code>` or `<answer>` (which one: `tag` bytes)
  | 'forced' // a fixed string, then `next`
  | 'code'
  | 'answer'
  | 'done';

export interface GrammarState {
  mode: Mode;
  /** reason: bytes so far; code: bytes of body; answer: bytes of value. */
  n: number;
  /** tag / forced: the string being matched and how much of it is matched. */
  fixed: Uint8Array | null;
  at: number;
  /** After a forced string: what comes next. */
  next: Mode;
  /** code: last byte was `<`; the body is at a line start; backticks at line start. */
  lt: boolean;
  lineStart: boolean;
  ticks: number;
  /** answer: a letter or digit was written; code: a non-blank byte was written. */
  alnum: boolean;
  /** code: the open string's quote byte (0: none), a backslash escape pending, inside a `#` comment. */
  quote: number;
  esc: boolean;
  comment: boolean;
  /** answer: the last byte was a full stop; ASCII letters just before; a word's full stop ended it. */
  dot: boolean;
  letters: number;
  mustClose: boolean;
  /** code: the open brackets, innermost last (outside strings and comments). */
  brackets: string;
  /** reason / answer: the last ASCII bytes of the text (repeat check); reset at each part. */
  tail: string;
  /** This turn's limits (TurnLimits, resolved). */
  answerOnly: boolean;
  maxReasoning: number;
  maxCode: number;
  /** UTF-8 continuation bytes still expected (text is always valid UTF-8), and the next one's range. */
  cont: number;
  lo: number;
  hi: number;
}

export function initialState(limits: TurnLimits = {}): GrammarState {
  return {
    mode: 'reason',
    n: 0,
    fixed: null,
    at: 0,
    next: 'done',
    lt: false,
    lineStart: true,
    ticks: 0,
    alnum: false,
    quote: 0,
    esc: false,
    comment: false,
    dot: false,
    letters: 0,
    mustClose: false,
    brackets: '',
    tail: '',
    answerOnly: limits.answerOnly ?? false,
    maxReasoning: Math.min(MAX_REASONING, limits.maxReasoning ?? MAX_REASONING),
    maxCode: Math.min(MAX_CODE, limits.maxCode ?? MAX_CODE),
    cont: 0,
    lo: 0x80,
    hi: 0xbf,
  };
}

const OPENERS = '([{';
const CLOSERS = ')]}';

const clone = (s: GrammarState): GrammarState => ({ ...s });

function force(s: GrammarState, str: Uint8Array, next: Mode, at = 0): GrammarState {
  s.mode = 'forced';
  s.fixed = str;
  s.at = at;
  s.next = next;
  s.n = 0;
  return s;
}

/** Control bytes other than newline and tab (byte tokens can produce any byte). */
const isControl = (b: number) => (b < 0x20 && b !== NL && b !== 0x09) || b === 0x7f;
const isAlnumByte = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b >= 0x80;

/** Continuation bytes a UTF-8 lead byte announces; -1 for a byte that cannot start a character. */
function utf8Tail(b: number): number {
  if (b < 0x80) return 0;
  if (b >= 0xc2 && b <= 0xdf) return 1;
  if (b >= 0xe0 && b <= 0xef) return 2;
  if (b >= 0xf0 && b <= 0xf4) return 3;
  return -1;
}

/** The state after one byte, or null when the byte leaves the language. Mutates `s`. */
function step(s: GrammarState, b: number): GrammarState | null {
  // Valid UTF-8 everywhere: a continuation byte only where one is due, nothing else meanwhile.
  // Continuation bytes belong to a character already counted and allowed: they always pass.
  if (s.cont > 0) {
    if (b < s.lo || b > s.hi) return null;
    s.cont--;
    s.lo = 0x80;
    s.hi = 0xbf;
    return s;
  }
  if (b >= 0x80) {
    const tail = utf8Tail(b);
    if (tail < 0) return null;
    s.cont = tail;
    // No overlong forms, no surrogates, nothing past U+10FFFF (what TextDecoder would replace).
    s.lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    s.hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
  }
  switch (s.mode) {
    case 'reason':
      if (b === LT) {
        s.mode = 'tag';
        s.fixed = null;
        s.at = 1;
        return s;
      }
      if (b === BACKTICK || b === BACKSLASH || b === 0x7b || b === 0x7d || isControl(b) || s.n >= s.maxReasoning) return null;
      if (b >= 0x80) {
        // Counted in bytes at the lead byte, as the value is: each byte may be its own token, and
        // the turn's limits bound tokens by bytes (a tight turn once ran out at `</answe`).
        if (s.n + 1 + s.cont > s.maxReasoning) return null;
        s.n += 1 + s.cont;
        return s;
      }
      if (repeats(s, b)) return null;
      s.n++;
      return s;
    case 'tag': {
      // Which tag is still possible after `<` + at-1 matched bytes.
      const code = !s.answerOnly && (s.fixed === null || s.fixed === CODE_TAG) ? CODE_TAG[s.at] === b : false;
      const answer = s.fixed === null || s.fixed === ANSWER_TAG ? ANSWER_TAG[s.at] === b : false;
      if (!code && !answer) return null;
      s.fixed = code && answer ? null : code ? CODE_TAG : ANSWER_TAG;
      s.at++;
      if (s.fixed && s.at === s.fixed.length) {
        return s.fixed === CODE_TAG ? force(s, CODE_OPEN, 'code') : force(s, ANSWER_OPEN, 'answer');
      }
      return s;
    }
    case 'forced': {
      if (s.fixed![s.at] !== b) return null;
      s.at++;
      if (s.at === s.fixed!.length) {
        s.mode = s.next;
        s.fixed = null;
        s.n = 0;
        s.lineStart = true;
        s.ticks = 0;
        s.lt = false;
        s.alnum = false;
        s.quote = 0;
        s.esc = false;
        s.comment = false;
        s.tail = '';
      }
      return s;
    }
    case 'code': {
      if (s.lineStart && b === BACKTICK) {
        // A fence at a line start closes the block; an empty body, or one with a bracket open, cannot be closed.
        if (!s.alnum || s.brackets) return null;
        s.ticks++;
        return s.ticks === 3 ? force(s, CODE_CLOSE, 'done', 3) : s;
      }
      if (s.ticks > 0) return null; // `` or ` followed by anything else
      if (s.lt && b === SLASH) return null; // no `</…` inside code
      // A string ends on its line; past the limit only its closing quote may come.
      if (s.quote && b === NL) return null;
      const closesString = s.quote !== 0 && !s.esc && b === s.quote;
      const code = !s.quote && !s.comment;
      const closer = CLOSERS.indexOf(String.fromCharCode(b));
      const closesBracket = code && closer >= 0 && s.brackets.endsWith(OPENERS[closer]!);
      // Past the limit: finish an open string (its pending escape, its quote), close the open
      // brackets, a newline (unless at a line start already), then the closing fence.
      if (s.n >= s.maxCode && !(s.quote ? (s.esc ? b !== NL : closesString) : closesBracket || (b === NL && !s.lineStart))) return null;
      const blank = b === NL || b === 0x20 || b === 0x09;
      // A body that is still blank must become non-blank while it can still close.
      if (isControl(b) || (blank && !s.alnum && s.n >= 8)) return null;
      if (code) {
        if (closer >= 0 && !closesBracket) return null;
        if (b === BACKSLASH) return null;
        if (b === LT && s.lineStart) return null;
        const opener = OPENERS.indexOf(String.fromCharCode(b));
        if (opener >= 0 && s.brackets.length >= MAX_DEPTH) return null;
        if (opener >= 0) s.brackets += OPENERS[opener];
        else if (closesBracket) s.brackets = s.brackets.slice(0, -1);
      }
      if (s.quote) {
        if (closesString) s.quote = 0;
        s.esc = !s.esc && b === BACKSLASH;
      } else if (s.comment) {
        if (b === NL) s.comment = false;
      } else if (b === 0x22 || b === 0x27) {
        s.quote = b;
      } else if (b === 0x23) {
        s.comment = true;
      }
      if (b >= 0x80 && s.n + 1 + s.cont > s.maxCode) return null;
      s.lt = b === LT;
      s.n += b >= 0x80 ? 1 + s.cont : 1; // bytes, as in reasoning
      if (!blank) s.alnum = true;
      s.lineStart = b === NL;
      return s;
    }
    case 'answer':
      if (b === 0x7d) return s.alnum ? force(s, ANSWER_CLOSE, 'done', 1) : null;
      if (s.mustClose) return null;
      if (b >= 0x80) {
        s.letters = 0;
        // A non-ASCII character, counted in bytes at its lead byte: the turn's room (ANSWER_FRAME)
        // is reckoned in bytes, each at most one token, so a value of 48 three-byte characters
        // could otherwise outrun a tight turn's budget before its box closes.
        const size = 1 + s.cont;
        if (s.n + size > MAX_ANSWER) return null;
        s.n += size;
        s.alnum = true;
        return s;
      }
      if (b === LT || b === BACKSLASH || b === BACKTICK || b === 0x7b || isControl(b) || b === NL || s.n >= MAX_ANSWER) return null;
      if (CODE_IN_ANSWER.has(b)) return null;
      if (s.n === 0 && NOT_FIRST_IN_ANSWER.has(b)) return null;
      if (repeats(s, b)) return null;
      if (s.dot && b === 0x20) return null;
      s.dot = b === 0x2e;
      // A full stop after a word of two or more letters ends the value ("truck."): the debris
      // `bus.able.back.back…` cannot be written, while "3.5" and "U.S.A." still can.
      if (s.dot && s.letters >= 2) s.mustClose = true;
      s.letters = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ? s.letters + 1 : 0;
      // The last character must be a letter or digit if none came yet, or the box could never close.
      if (!s.alnum && s.n === MAX_ANSWER - 1 && !isAlnumByte(b)) return null;
      s.n++;
      if (isAlnumByte(b)) s.alnum = true;
      return s;
    case 'done':
      return null;
  }
}

/** The state after a token's bytes, or null. Does not mutate `s`. */
export function advance(s: GrammarState, tokenBytes: Uint8Array): GrammarState | null {
  if (!tokenBytes.length) return null;
  let t: GrammarState | null = clone(s);
  for (const b of tokenBytes) {
    t = step(t, b);
    if (!t) return null;
  }
  return t;
}

export function isComplete(s: GrammarState): boolean {
  return s.mode === 'done';
}

/** Fills `allowed` (length V) with 1 for the tokens that keep the turn in the language. */
export function allowedTokens(s: GrammarState, tokenBytes: readonly Uint8Array[], allowed: Uint8Array): number {
  let n = 0;
  for (let id = 0; id < allowed.length; id++) {
    const tb = tokenBytes[id];
    const ok = tb !== undefined && advance(s, tb) !== null;
    allowed[id] = ok ? 1 : 0;
    if (ok) n++;
  }
  return n;
}

/** Whether a whole turn text is in the language (for tests and for checking other policies' turns). */
export function isWellFormedTurn(text: string): boolean {
  const s = advance(initialState(), bytes(text));
  return s !== null && isComplete(s);
}
