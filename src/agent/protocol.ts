/**
 * The PyVision protocol (DESIGN.md §1) as text: the prompt, turn parsing, the observation fed
 * back, and token accounting. Pure functions; nothing here runs code or talks to a policy.
 *
 * Reference behaviour checked against the upstream code:
 * - observation text: PyVision-RL `safe_persis_python_exe_tool*.py` builds
 *   `<interpreter>Text Result:\n{stdout.strip()}\nImage Result:\n<image_clue_k><image></image_clue_k>…</interpreter>`
 *   and, when no figure was shown, `<interpreter>Text Result:\n{stdout.strip()}</interpreter>`;
 *   the clue index continues after the input images (PyVision `update_messages_with_excu_content`).
 * - a turn with neither code nor answer gets "No Python code or final answer found…" back
 *   (PyVision-RL's env); we use that reminder in feed-back mode (see loop.ts).
 */
import type { Task } from '../tasks/types';
import { answerProblem } from './answerRules';
import type { ContentPart, Message } from './types';

export const CODE_OPEN = '<code>';
export const CODE_CLOSE = '</code>';
export const ANSWER_OPEN = '<answer>';
export const ANSWER_CLOSE = '</answer>';
/** Marks the question in the first user message, so imports can find it again. */
export const QUESTION_MARKER = 'Question: ';

export interface PromptOptions {
  /** Mention the turn budget in the system message. */
  maxTurns?: number;
  /** Index of the input image in Trajectory.images (0 for a fresh trajectory). */
  inputImageIndex?: number;
  /**
   * Video only: frames shown in the first message (the uniform-sampling baseline of VLM video
   * pipelines, against which on-demand fetching is compared). `image` indexes Trajectory.images.
   */
  videoFrames?: Array<{ frame: number; image: number }>;
}

const SYSTEM_PROMPT = [
  'You answer questions about an image or a video. Think step by step, and whenever it helps, write Python code that runs in a sandbox and look at what it prints and shows.',
  '',
  'How to work:',
  '- Reason first: say what you need to find out and how. After every result, reflect on what it tells you before going on.',
  '- To run code, end your message with exactly one code block written like this:',
  '<code>',
  '```python',
  '# your code',
  '```',
  '</code>',
  '- The code runs when the block closes. Its results come back in the next message inside <interpreter>…</interpreter>: printed text after "Text Result:", and the figures you displayed after "Image Result:", numbered <image_clue_1>, <image_clue_2>, … after the inputs.',
  '- Python state is kept between your code blocks: variables, imports and functions stay defined.',
  '- You only see what you print() and what you display: use print() for values, and matplotlib (`plt.imshow(...)` then `plt.show()`) to look at an image, a crop or a frame. Do not save files or open the inputs from disk; `plt` (matplotlib.pyplot) and `Image` (PIL) are already imported.',
  '- Vision tools are bound too (they print key=value fields and show what they saw): `detect(img)` lists the objects an 80-class COCO detector sees (object, colour, score, box); `find(img, "the cup")` says found=yes/no and where the named thing is, with its colour (a category such as "animal" works too); `count(img, "the birds")` prints count=N; `read_text(img)` reads text (text=…); `zoom(img, box)` crops and enlarges; `scan_video(video, "animals")` samples a video and prints what comes and goes, in order, and when. On generated shape tasks, `find(img, "the red star")`, `count(img, "the red stars")` and `scan_video(video)` find flat coloured shapes.',
  '- Use the tools whenever they could improve your answer: crop and zoom into small details, adjust contrast, measure or count with code. If the answer is already clear, answer directly.',
  '- When you are sure, end with the final answer in exactly this form:',
  '<answer>',
  '\\boxed{your answer}',
  '</answer>',
  'Every message must contain either one code block or the final answer.',
].join('\n');

/** The system message and the first user message for a task (image attached; video: metadata only). */
export function buildPrompt(task: Task, opts: PromptOptions = {}): Message[] {
  const budget =
    opts.maxTurns !== undefined
      ? `\nYou have at most ${opts.maxTurns} messages in total, the final answer included.`
      : '';
  const system: Message = { role: 'system', content: [{ type: 'text', text: SYSTEM_PROMPT + budget }] };
  const question = `${QUESTION_MARKER}${task.question}`;
  const closing = 'Finish with <answer>\n\\boxed{…}\n</answer>.';
  if (task.media.kind === 'image') {
    const { width, height } = task.media.image;
    const text = [
      '</image_clue_0>',
      `The image above is bound in Python as \`image_clue_0\` (a PIL image; width ${width}, height ${height}).`,
      `Image width: ${width}; image height: ${height}`,
      '',
      question,
      '',
      closing,
    ].join('\n');
    const content: ContentPart[] = [
      { type: 'text', text: '<image_clue_0>' },
      { type: 'image', image: opts.inputImageIndex ?? 0 },
      { type: 'text', text },
    ];
    return [system, { role: 'user', content }];
  }
  // Video: on-demand context construction. Only metadata; frames cost visual tokens only when
  // the model's own code fetches and shows them.
  const { width, height, frameCount, fps } = task.media.video.meta;
  const seconds = fps > 0 ? frameCount / fps : 0;
  const shown = opts.videoFrames ?? [];
  const text = [
    shown.length
      ? 'The video is also available in Python as `video_clue_0`: fetch any other frames you need with code and display them with plt.show().'
      : 'A video is available in Python as `video_clue_0`. No frame of it is shown to you: fetch the frames you need with code and display them with plt.show().',
    `Frame width: ${width}; frame height: ${height}; frame count: ${frameCount}; fps: ${fmtNum(fps)} (about ${fmtNum(seconds)} s)`,
    '`video_clue_0` works like a decord VideoReader: `len(video_clue_0)` is the number of frames, `video_clue_0.get_avg_fps()` the frame rate, `video_clue_0[i]` frame i (height × width × 3, RGB) and `video_clue_0.get_batch([i, j, …])` several frames; `.asnumpy()` turns them into arrays. Frame indices go from 0 to frame count − 1.',
    '',
    question,
    '',
    closing,
  ].join('\n');
  const frames = shown;
  if (!frames.length) return [system, { role: 'user', content: [{ type: 'text', text }] }];
  const content: ContentPart[] = [{ type: 'text', text: `${frames.length} evenly spaced frames of the video:\n` }];
  for (const f of frames) content.push({ type: 'text', text: `<frame ${f.frame}>` }, { type: 'image', image: f.image }, { type: 'text', text: `</frame ${f.frame}>\n` });
  content.push({ type: 'text', text });
  return [system, { role: 'user', content }];
}

function fmtNum(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

// ---------------------------------------------------------------------------------------------
// Parsing

export interface ParsedTurn {
  /** The code to execute (the last <code> block), or null. */
  code: string | null;
  /** The content of \boxed{…} in the final <answer>, or null. */
  answer: string | null;
  /** True when the text contains a <code> tag at all (even an unusable one). */
  hasCodeTag: boolean;
  /** Why the turn cannot be used, or null. Set exactly when code and answer are both null. */
  parseError: string | null;
}

/** A code block found in a turn: [start, end) of the whole block and of its code. */
export interface CodeSpan {
  start: number;
  end: number;
  codeStart: number;
  codeEnd: number;
}

// Sticky/global regexes run from an offset, and searches stop at the next block, so huge texts
// with many blocks stay linear. An opening fence right after <code>: ```, an optional language, a newline.
const FENCE_OPEN = /\s*```[ \t]*([A-Za-z0-9_+.-]*)[ \t]*\r?\n/y;
// A closing fence: ``` alone at the start of a line. The one followed by </code> (or the end of
// the text) is preferred, so a line "```" inside a Python string does not end the block.
const FENCE_CLOSE = /\r?\n[ \t]*```[ \t]*(?=\r?\n|$|<\/code>)/g;
const CLOSE_TAG_AFTER_FENCE = /\s*<\/code>/y;
const AT_END = /\s*$/y;
// Where the next fenced block starts: a closing fence is never looked for beyond it.
const NEXT_BLOCK = /<code>\s*```/g;

/** The closing fence of a block whose code starts at `from`, or null. */
function findClosingFence(text: string, from: number): { index: number; length: number } | null {
  NEXT_BLOCK.lastIndex = from;
  const bound = NEXT_BLOCK.exec(text)?.index ?? text.length;
  // Search only up to the next block (a slice keeps the total work linear in the text).
  const region = text.slice(from, bound);
  FENCE_CLOSE.lastIndex = 0;
  let first: { index: number; length: number } | null = null;
  for (let m = FENCE_CLOSE.exec(region); m; m = FENCE_CLOSE.exec(region)) {
    const found = { index: from + m.index, length: m[0].length };
    const after = found.index + found.length;
    CLOSE_TAG_AFTER_FENCE.lastIndex = after;
    AT_END.lastIndex = after;
    if (CLOSE_TAG_AFTER_FENCE.test(text) || AT_END.test(text)) return found;
    first ??= found;
  }
  return first;
}

/**
 * Every <code> block, in order. A fenced block ends at its closing fence, so a `</code>` inside
 * a Python string does not cut it; a missing `</code>` at the very end is tolerated because
 * generation stops there; a block without a fence runs to `</code>` (or the end).
 */
export function findCodeBlocks(text: string): CodeSpan[] {
  const spans: CodeSpan[] = [];
  let pos = 0;
  for (;;) {
    const start = text.indexOf(CODE_OPEN, pos);
    if (start < 0) break;
    const bodyStart = start + CODE_OPEN.length;
    FENCE_OPEN.lastIndex = bodyStart;
    const open = FENCE_OPEN.exec(text);
    let codeStart: number;
    let codeEnd: number;
    let end: number;
    if (open) {
      codeStart = bodyStart + open[0].length;
      // Start at the newline that ends the opener, so an empty block's fence is found too.
      const close = findClosingFence(text, codeStart - 1);
      if (close) {
        codeEnd = close.index;
        const after = close.index + close.length;
        CLOSE_TAG_AFTER_FENCE.lastIndex = after;
        const tail = CLOSE_TAG_AFTER_FENCE.exec(text);
        end = tail ? after + tail[0].length : after;
      } else {
        // Unclosed fence: the code runs to </code> or to the end of the text.
        const closeTag = text.indexOf(CODE_CLOSE, codeStart);
        codeEnd = closeTag < 0 ? text.length : closeTag;
        end = closeTag < 0 ? text.length : closeTag + CODE_CLOSE.length;
      }
    } else {
      codeStart = bodyStart;
      const closeTag = text.indexOf(CODE_CLOSE, bodyStart);
      codeEnd = closeTag < 0 ? text.length : closeTag;
      end = closeTag < 0 ? text.length : closeTag + CODE_CLOSE.length;
    }
    if (codeEnd < codeStart) codeEnd = codeStart;
    spans.push({ start, end, codeStart, codeEnd });
    pos = Math.max(end, bodyStart);
  }
  return spans;
}

/** Trims blank lines around code, and stray fence or bare "python" lines of an unfenced block. */
function cleanCode(raw: string): string {
  let code = raw.replace(/^\s*\n/, '').replace(/\s+$/, '');
  code = code.replace(/^[ \t]*(```[ \t]*[A-Za-z0-9_+.-]*|python)[ \t]*(\r?\n|$)/, '').replace(/(\r?\n|^)[ \t]*```[ \t]*$/, '');
  return code.replace(/^\s*\n/, '').replace(/\s+$/, '');
}

/** Whether offset i lies in a code block (spans are sorted and disjoint: binary search). */
function inside(spans: CodeSpan[], i: number): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid]!;
    if (i < s.start) hi = mid - 1;
    else if (i >= s.end) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * Parses one assistant turn. The last <code> block is the code to run; the answer is the
 * \boxed{…} of the last <answer> outside code blocks (a missing `</answer>` at the end is
 * tolerated). When a turn has both, the one that comes last wins (generation stops at
 * `</code>`, so a turn ending in code is still working). Never throws.
 */
export function parseTurn(text: string): ParsedTurn {
  try {
    return parseTurnUnsafe(typeof text === 'string' ? text : String(text));
  } catch (err) {
    // Defensive: the parser is total by construction, but a model's text must never crash the loop.
    return { code: null, answer: null, hasCodeTag: false, parseError: `unparseable turn (${String(err)})` };
  }
}

function parseTurnUnsafe(text: string): ParsedTurn {
  const spans = findCodeBlocks(text);
  const hasCodeTag = spans.length > 0;
  const last = spans[spans.length - 1];
  const code = last ? cleanCode(text.slice(last.codeStart, last.codeEnd)) : '';

  let answerAt = -1;
  let answer: string | null = null;
  let from = text.length;
  for (;;) {
    const i = text.lastIndexOf(ANSWER_OPEN, from);
    if (i < 0) break;
    if (!inside(spans, i)) {
      answerAt = i;
      break;
    }
    from = i - 1;
    if (from < 0) break;
  }
  if (answerAt >= 0) {
    const bodyStart = answerAt + ANSWER_OPEN.length;
    const close = text.indexOf(ANSWER_CLOSE, bodyStart);
    const body = text.slice(bodyStart, close < 0 ? text.length : close);
    const boxed = extractBoxed(body);
    // Strict on purpose: the protocol's answer is \boxed{…}; a bare <answer>42</answer> is a
    // format error the model should learn to avoid, as in PyVision-RL's verifier.
    answer = boxed !== null ? boxed.trim() : null;
  }

  const codeOk = last !== undefined && code.trim().length > 0;
  if (answer !== null && (!codeOk || answerAt > last!.start)) {
    // A junk answer (empty, punctuation, protocol tags) ending the turn is a format error, never
    // DONE; nor does it fall back to earlier code: the turn's last word was the junk.
    const problem = answerProblem(answer);
    if (problem !== null) return { code: null, answer: null, hasCodeTag, parseError: `${problem} Put only the answer itself inside \\boxed{…}.` };
    return { code: null, answer, hasCodeTag, parseError: null };
  }
  if (codeOk) return { code, answer: null, hasCodeTag, parseError: null };
  let parseError: string;
  if (hasCodeTag) parseError = 'The <code> block is empty: write Python inside ```python … ``` between <code> and </code>.';
  else if (answerAt >= 0) parseError = 'The <answer> block has no \\boxed{…} answer.';
  else if (/```\s*python/i.test(text)) parseError = 'The python block is not inside <code> … </code>.';
  else parseError = 'Neither a <code> block nor an <answer> was found.';
  return { code: null, answer: null, hasCodeTag, parseError };
}

/**
 * The content of the last \boxed{…} in `text`, braces balanced (nested braces kept, `\{` and `\}`
 * are literal), or null when there is none or it is unclosed.
 */
export function extractBoxed(text: string): string | null {
  // One pass matches every brace (a stack), then the last \boxed{ whose brace closes wins:
  // linear even for adversarial input such as thousands of unclosed \boxed{.
  const match = new Map<number, number>();
  const stack: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 92 /* \ */ && (text[i + 1] === '{' || text[i + 1] === '}')) i++;
    else if (ch === 123 /* { */) stack.push(i);
    else if (ch === 125 /* } */ && stack.length) match.set(stack.pop()!, i);
  }
  const re = /\\boxed\s*\{/g;
  let result: string | null = null;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const brace = m.index + m[0].length - 1;
    const close = match.get(brace);
    if (close !== undefined) result = text.slice(brace + 1, close);
  }
  return result;
}

/**
 * The observation fed back for an unusable turn (feed-back mode): why, then PyVision-RL's own
 * reminder ("No Python code or final answer found…").
 */
export const FORMAT_REMINDER =
  'No Python code or final answer found. Write reasoning, then either one <code>\n```python\n…\n```\n</code> block or <answer>\n\\boxed{…}\n</answer>.';

export function formatReminder(parseError: string | null): string {
  return parseError ? `${parseError} ${FORMAT_REMINDER}` : FORMAT_REMINDER;
}

/** The code block formatted the way the protocol wants it. */
export function formatCodeBlock(code: string): string {
  return `${CODE_OPEN}\n\`\`\`python\n${code.replace(/\s+$/, '')}\n\`\`\`\n${CODE_CLOSE}`;
}

/** The final answer formatted the way the protocol wants it. */
export function formatAnswer(answer: string): string {
  return `${ANSWER_OPEN}\n\\boxed{${answer}}\n${ANSWER_CLOSE}`;
}

/**
 * Replaces the code of the last <code> block in `text` with `code` (keeping the reasoning), or
 * appends a new block when the text has none. Used when the user edits a turn's code.
 */
export function replaceLastCode(text: string, code: string): string {
  const spans = findCodeBlocks(text);
  const last = spans[spans.length - 1];
  if (!last) return `${text.replace(/\s+$/, '')}${text.trim() ? '\n\n' : ''}${formatCodeBlock(code)}`;
  return text.slice(0, last.start) + formatCodeBlock(code) + text.slice(last.end);
}

// Observations live in ./observation.ts and token accounting in ./tokens.ts; both are part of
// the protocol's surface.
export {
  IMAGE_PLACEHOLDER,
  contentFromObservationText,
  contentToText,
  formatErrorObservation,
  formatObservation,
  observationContent,
  observationTextResult,
  parseObservationText,
  type ObservationInput,
} from './observation';
export { estimateTextTokens, pixelsVisualTokens, qwenResize, qwenVisualTokens, QWEN_FACTOR, QWEN_MAX_PIXELS, QWEN_MIN_PIXELS } from './tokens';

/** A turn's reasoning for display: its text without code blocks and the answer block. */
export function reasoningOf(text: string): string {
  let out = '';
  let at = 0;
  for (const span of findCodeBlocks(text)) {
    out += text.slice(at, span.start);
    at = span.end;
  }
  out += text.slice(at);
  return out.replace(/<answer>[\s\S]*?(<\/answer>|$)/g, '').replace(/\n{3,}/g, '\n\n').trim();
}
