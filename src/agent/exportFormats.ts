/**
 * Trajectory files.
 * - Our record (`toRecordJson` / `fromRecordJson`): the Trajectory as JSON, images as PNG data
 *   URLs (lossless, so export → import is deep-equal, pixels included). Import validates the
 *   whole file with zod plus cross-references, and builds nothing until all of it is valid.
 * - OpenAI chat messages (`toOpenAIMessages` / `fromOpenAIMessages`): the JSON array PyVision's
 *   `main.py` saves and its data-view space reads: `{role, content: [{type: 'text', text} |
 *   {type: 'image_url', image_url: {url: 'data:…;base64,…'}}]}`. It carries the conversation
 *   only (no timings, token log-probs, rewards), so import rebuilds what the messages hold.
 */
import { z } from 'zod';
import { decodeImage, encodePngBytes } from '../imaging/codec';
import type { Pixels } from '../runtime/types';
import { contentFromObservationText, contentToText, estimateTextTokens, parseObservationText, parseTurn, pixelsVisualTokens, QUESTION_MARKER } from './protocol';
import { INTERACTIVE_LOOP, type ContentPart, type LoopConfig, type Message, type PolicyKind, type Trajectory, type TrajectoryTaskInfo, type TurnRecord } from './types';

export const RECORD_FORMAT = 'pyvision-playground/trajectory';

// ---- images as data URLs ----

const urlCache = new WeakMap<Pixels, string>();

/** PNG data URL of an image (cached per Pixels object: the input image is re-sent every turn). */
export function pixelsToDataUrl(p: Pixels): string {
  let url = urlCache.get(p);
  if (!url) {
    url = `data:image/png;base64,${bytesToBase64(encodePngBytes(p))}`;
    urlCache.set(p, url);
  }
  return url;
}

/** Decodes a PNG/JPEG data URL (the declared MIME type is not trusted: PyVision labels PNGs jpeg). */
export function dataUrlToPixels(url: string): Pixels {
  const m = /^data:([^;,]*)(;[^,]*)?,/.exec(url);
  if (!m || !/;base64/i.test(m[2] ?? '')) throw new Error('not a base64 data URL');
  const bytes = base64ToBytes(url.slice(m[0].length));
  const img = decodeImage(bytes);
  return { width: img.width, height: img.height, channels: img.channels, data: new Uint8Array(img.data) };
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64.replace(/\s+/g, ''));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// ---- our record ----

const int = z.number().int().nonnegative();
const num = z.number();
const contentPart = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string() }),
  z.strictObject({ type: z.literal('image'), image: int }),
]);
const message = z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.array(contentPart) });
const runError = z.strictObject({
  kind: z.enum(['python', 'timeout', 'session-lost']),
  type: z.string(),
  message: z.string(),
  traceback: z.string(),
});
const observation = z.strictObject({
  text: z.string(),
  output: z.string(),
  error: runError.nullable(),
  images: z.array(int),
  outputTruncated: z.boolean(),
  figuresDropped: int,
});
const turn = z.strictObject({
  index: int,
  text: z.string(),
  code: z.string().nullable(),
  answer: z.string().nullable(),
  parseError: z.string().nullable(),
  observation: observation.nullable(),
  tokens: z.strictObject({
    count: int,
    ids: z.array(z.number().int()).optional(),
    // JSON has no -Infinity (a token of probability 0): written as null.
    logprobs: z.array(z.number().nullable().transform((v) => v ?? -Infinity)).optional(),
    pieces: z.array(z.string()).optional(),
    visual: int,
  }),
  timings: z.strictObject({ generateMs: num.nonnegative(), executeMs: num.nonnegative() }),
  edited: z.boolean().optional(),
});
const loopConfig = z.strictObject({
  maxTurns: int,
  errorMode: z.enum(['end', 'feed-back']),
  maxImages: int,
  maxContextTokens: int,
  toolRewardCoef: num,
});
const policyKind = z.enum(['scripted', 'baseline', 'remote', 'human', 'tiny']);
const taskInfo = z.strictObject({
  id: z.string(),
  family: z.enum(['visual-search', 'counting', 'video-events', 'user']),
  question: z.string(),
  answer: z.string().nullable(),
  difficulty: z.enum(['small', 'medium', 'large']).nullable(),
  media: z.strictObject({
    kind: z.enum(['image', 'video']),
    width: int,
    height: int,
    frameCount: int.optional(),
    fps: num.optional(),
  }),
});
const trajectoryFile = z.strictObject({
  format: z.literal(RECORD_FORMAT),
  trajectory: z.strictObject({
    version: z.literal(1),
    id: z.string().min(1),
    task: taskInfo,
    policy: z.strictObject({ name: z.string(), kind: policyKind }),
    config: loopConfig,
    images: z.array(z.string()),
    prompt: z.array(message).min(1),
    turns: z.array(turn),
    endReason: z.enum(['DONE', 'EXCEED_MAX_TURNS', 'OVER_LENGTH', 'EXCEED_MAX_IMAGES', 'ERROR_IN_ACTION', 'CANCELLED']).nullable(),
    reward: z.strictObject({ accuracy: num, toolCalls: int, toolBonus: num, total: num }).nullable(),
    visualTokens: int,
    textTokens: int,
    startedAt: z.string(),
    wallMs: num.nonnegative(),
    branch: z.strictObject({ parentId: z.string(), fromTurn: int }).optional(),
    error: z.string().optional(),
  }),
});

/** Compile-time guard: the schema and the Trajectory type must describe the same thing. */
type Parsed = Omit<z.output<typeof trajectoryFile>['trajectory'], 'images'> & { images: Pixels[] };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _schemaMatchesType: Same<Parsed, Trajectory> = true;
void _schemaMatchesType;

/** Our record as JSON text (pretty-printed: people open these files). */
export function toRecordJson(traj: Trajectory): string {
  const images = traj.images.map(pixelsToDataUrl);
  return JSON.stringify({ format: RECORD_FORMAT, trajectory: { ...traj, images } }, null, 1);
}

/** Parses our record; throws an Error naming the first problems (and builds nothing) when malformed. */
export function fromRecordJson(text: string): Trajectory {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`Not a trajectory file: the JSON is malformed (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = trajectoryFile.safeParse(raw);
  if (!parsed.success) throw new Error(`Invalid trajectory file: ${describeIssues(parsed.error)}`);
  const t = parsed.data.trajectory;
  const images = t.images.map((url, i) => {
    try {
      return dataUrlToPixels(url);
    } catch (err) {
      throw new Error(`Invalid trajectory file: trajectory.images[${i}]: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const problems = crossCheck(t.prompt, t.turns, images.length);
  if (problems.length) throw new Error(`Invalid trajectory file: ${problems.slice(0, 5).join('; ')}`);
  return { ...t, images };
}

function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((i) => {
    const msg = /received undefined$/.test(i.message) ? 'missing' : i.message;
    return `${formatPath(i.path)}: ${msg}`;
  });
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''})` : '');
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '') || '(root)';
}

/** References the schema cannot see: image indices in range, turn indices in order. */
function crossCheck(prompt: Message[], turns: z.output<typeof turn>[], nImages: number): string[] {
  const problems: string[] = [];
  const checkImage = (i: number, where: string) => {
    if (i >= nImages) problems.push(`${where}: image ${i} does not exist (the file has ${nImages})`);
  };
  prompt.forEach((m, mi) => m.content.forEach((p, pi) => p.type === 'image' && checkImage(p.image, `trajectory.prompt[${mi}].content[${pi}]`)));
  turns.forEach((t, ti) => {
    if (t.index !== ti) problems.push(`trajectory.turns[${ti}].index: expected ${ti}, found ${t.index}`);
    t.observation?.images.forEach((i, k) => checkImage(i, `trajectory.turns[${ti}].observation.images[${k}]`));
  });
  return problems;
}

// ---- OpenAI chat messages ----

export type OpenAIContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
export interface OpenAIMessage {
  role: 'system' | 'user' | 'assistant';
  content: OpenAIContentPart[];
}

/** Our message content as OpenAI content parts (images as PNG data URLs). */
export function toOpenAIContent(content: ContentPart[], images: readonly Pixels[]): OpenAIContentPart[] {
  return content.map((p) => {
    if (p.type === 'text') return { type: 'text', text: p.text };
    const img = images[p.image];
    if (!img) throw new Error(`message refers to image ${p.image}, which does not exist`);
    return { type: 'image_url', image_url: { url: pixelsToDataUrl(img) } };
  });
}

/** The conversation of a trajectory as messages the way the policy saw it. */
export function trajectoryMessages(traj: Trajectory): Message[] {
  const out: Message[] = [...traj.prompt];
  for (const t of traj.turns) {
    out.push({ role: 'assistant', content: [{ type: 'text', text: t.text }] });
    if (t.observation) out.push({ role: 'user', content: contentFromObservationText(t.observation.text, t.observation.images) });
  }
  return out;
}

export function toOpenAIMessages(traj: Trajectory): OpenAIMessage[] {
  return trajectoryMessages(traj).map((m) => ({ role: m.role, content: toOpenAIContent(m.content, traj.images) }));
}

const openAIPart = z.union([
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image_url'), image_url: z.union([z.object({ url: z.string() }), z.string()]) }),
]);
const openAIMessages = z.array(
  z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.union([z.string(), z.array(openAIPart)]) }),
);

export interface OpenAIImportOptions {
  id?: string;
  task?: TrajectoryTaskInfo;
  policy?: { name: string; kind: PolicyKind };
  config?: LoopConfig;
  startedAt?: string;
}

/**
 * Rebuilds a trajectory from OpenAI chat messages (a JSON string or the parsed value; a bare
 * array or `{messages: [...]}`): the messages before the first assistant message are the prompt,
 * each assistant message is a turn and the user message after it its observation. Timings are
 * zero and token counts estimated; the end reason is DONE when the last turn answered.
 */
export function fromOpenAIMessages(json: unknown, opts: OpenAIImportOptions = {}): Trajectory {
  let raw = json;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (err) {
      throw new Error(`Not a messages file: the JSON is malformed (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'messages' in raw) raw = (raw as { messages: unknown }).messages;
  const parsed = openAIMessages.safeParse(raw);
  if (!parsed.success) throw new Error(`Invalid messages file: ${describeIssues(parsed.error)}`);
  const msgs = parsed.data;
  const firstAssistant = msgs.findIndex((m) => m.role === 'assistant');
  const promptEnd = firstAssistant < 0 ? msgs.length : firstAssistant;
  if (promptEnd === 0) throw new Error('Invalid messages file: the conversation must start with the prompt (a system or user message)');

  const images: Pixels[] = [];
  const convert = (m: (typeof msgs)[number], mi: number): Message => {
    const parts = typeof m.content === 'string' ? [{ type: 'text' as const, text: m.content }] : m.content;
    const content = parts.map((p, pi): ContentPart => {
      if (p.type === 'text') return { type: 'text', text: p.text };
      const url = typeof p.image_url === 'string' ? p.image_url : p.image_url.url;
      try {
        images.push(dataUrlToPixels(url));
      } catch (err) {
        throw new Error(`Invalid messages file: [${mi}].content[${pi}]: ${err instanceof Error ? err.message : String(err)}`);
      }
      return { type: 'image', image: images.length - 1 };
    });
    return { role: m.role, content };
  };

  const prompt = msgs.slice(0, promptEnd).map(convert);
  const turns: TurnRecord[] = [];
  for (let i = promptEnd; i < msgs.length; i++) {
    const m = msgs[i]!;
    if (m.role !== 'assistant') throw new Error(`Invalid messages file: [${i}]: expected an assistant message, found "${m.role}"`);
    const a = convert(m, i);
    if (a.content.some((p) => p.type === 'image')) throw new Error(`Invalid messages file: [${i}]: an assistant message cannot contain images`);
    const text = contentToText(a.content);
    const parsedTurn = parseTurn(text);
    const record: TurnRecord = {
      index: turns.length,
      text,
      code: parsedTurn.code,
      answer: parsedTurn.answer,
      parseError: parsedTurn.parseError,
      observation: null,
      tokens: { count: estimateTextTokens(text), visual: 0 },
      timings: { generateMs: 0, executeMs: 0 },
    };
    const next = msgs[i + 1];
    if (next && next.role === 'user') {
      const u = convert(next, i + 1);
      const obsText = contentToText(u.content);
      const indices = u.content.flatMap((p) => (p.type === 'image' ? [p.image] : []));
      record.observation = { text: obsText, output: parseObservationText(obsText) ?? '', error: null, images: indices, outputTruncated: false, figuresDropped: 0 };
      record.tokens.visual = indices.reduce((n, k) => n + pixelsVisualTokens(images[k]!), 0);
      i++;
    }
    turns.push(record);
  }

  const last = turns[turns.length - 1];
  const promptText = prompt.map((m) => contentToText(m.content)).join('\n');
  return {
    version: 1,
    id: opts.id ?? `imported-${Date.now().toString(36)}`,
    task: opts.task ?? guessTask(prompt, images, promptText),
    policy: opts.policy ?? { name: 'imported', kind: 'remote' },
    config: opts.config ?? { ...INTERACTIVE_LOOP },
    images,
    prompt,
    turns,
    endReason: last?.answer != null ? 'DONE' : null,
    reward: null,
    visualTokens: images.reduce((n, p) => n + pixelsVisualTokens(p), 0),
    textTokens:
      prompt.reduce((n, m) => n + estimateTextTokens(textOnly(m.content)), 0) +
      turns.reduce((n, t) => n + t.tokens.count + (t.observation ? estimateTextTokens(t.observation.text.replaceAll('<image>', '')) : 0), 0),
    startedAt: opts.startedAt ?? new Date().toISOString(),
    wallMs: 0,
  };
}

function textOnly(content: ContentPart[]): string {
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/** Task info from a prompt: our prompt marks the question; a foreign one is taken whole. */
function guessTask(prompt: Message[], images: Pixels[], promptText: string): TrajectoryTaskInfo {
  const firstUser = prompt.find((m) => m.role === 'user');
  const userText = firstUser ? textOnly(firstUser.content) : promptText;
  const at = userText.lastIndexOf(QUESTION_MARKER);
  let question = userText.trim();
  if (at >= 0) {
    const rest = userText.slice(at + QUESTION_MARKER.length);
    const end = rest.indexOf('\n\nFinish with <answer>');
    question = (end >= 0 ? rest.slice(0, end) : rest).trim();
  }
  const inputImage = firstUser?.content.find((p) => p.type === 'image');
  const base = { id: 'imported', family: 'user' as const, question, answer: null, difficulty: null };
  if (inputImage && inputImage.type === 'image') {
    const img = images[inputImage.image]!;
    return { ...base, media: { kind: 'image', width: img.width, height: img.height } };
  }
  const v = /Frame width: (\d+); frame height: (\d+); frame count: (\d+); fps: ([\d.]+)/i.exec(userText);
  return {
    ...base,
    media: v ? { kind: 'video', width: +v[1]!, height: +v[2]!, frameCount: +v[3]!, fps: +v[4]! } : { kind: 'video', width: 0, height: 0, frameCount: 0, fps: 0 },
  };
}
