/**
 * The "global view" baseline (kind 'baseline'): answers in ONE turn, without tools, from what
 * a VLM would see of the input — the image downscaled to GLOBAL_VIEW_MAX_SIDE (Pillow-exact
 * BICUBIC), or for a video VIDEO_GLOBAL_FRAMES uniformly sampled frames.
 *
 * It is honest: it never reads the answer or the target's box. It searches the view for the
 * object the question names (perception.findNamed), counts blobs, or looks for the object
 * that is present in only some of its frames, and answers from those pixels; when it sees
 * nothing usable it guesses (seeded). So its accuracy is what the global view supports: as
 * good as the expert on large targets, near chance on targets a few pixels wide there.
 */
import { formatAnswer } from '../agent/protocol';
import type { Policy, PolicyContext, PolicyTurn } from '../agent/types';
import { Resampling, resize } from '../imaging';
import type { Pixels } from '../runtime/types';
import { COLOURS, SHAPES, type ColourName, type ShapeName } from '../tasks/palette';
import { countBlobs, findBlobs, findNamed, type Blob } from '../tasks/perception';
import { Rng, hashSeed } from '../tasks/rng';
import type { Task } from '../tasks/types';
import { CLIP_PARTS, partOf, type VideoQuestion } from '../tasks/videoEvents';
import { QUADRANTS, quadrantOf, type VisualSearchQuestion } from '../tasks/visualSearch';

/** Longest side of the global view (a 448-px input is 256 Qwen2.5-VL visual tokens). */
export const GLOBAL_VIEW_MAX_SIDE = 448;
/** Frames a video baseline looks at (uniform sampling, as VLM video pipelines do). */
export const VIDEO_GLOBAL_FRAMES = 8;

/** The image as the model sees it without tools: aspect kept, never upscaled. */
export function globalView(p: Pixels, maxSide = GLOBAL_VIEW_MAX_SIDE): Pixels {
  const s = Math.min(1, maxSide / Math.max(p.width, p.height));
  if (s >= 1) return p;
  return resize(p, Math.max(1, Math.round(p.width * s)), Math.max(1, Math.round(p.height * s)), Resampling.BICUBIC);
}

/** k frame indices spread evenly over n frames (the centre of each of k equal segments). */
export function uniformFrameIndices(n: number, k: number): number[] {
  const m = Math.min(n, k);
  return Array.from({ length: m }, (_, j) => Math.min(n - 1, Math.floor(((j + 0.5) * n) / m)));
}

export interface GlobalReading {
  answer: string;
  /** One sentence saying what was seen (the turn's reasoning). */
  seen: string;
  /** False when nothing usable was visible and the answer is a guess. */
  confident: boolean;
}

const centre = (b: Blob) => [(b.box.x0 + b.box.x1) / 2, (b.box.y0 + b.box.y1) / 2] as const;

/** Reads an image task from its global view. */
export function readImageTask(task: Task, view: Pixels, rng: Rng): GlobalReading {
  const t = task.truth;
  if (task.family === 'visual-search') {
    const q = t.question as VisualSearchQuestion;
    const shape = t.shape as ShapeName;
    const colour = t.colour as ColourName;
    const blob = q === 'shape' ? findNamed(view, { colour }) : findNamed(view, { shape });
    const named = q === 'shape' ? `the ${colour} object` : `the ${shape}`;
    if (!blob) {
      const guess = q === 'colour' ? rng.pick(COLOURS) : q === 'shape' ? rng.pick(SHAPES) : rng.pick(QUADRANTS);
      return { answer: guess, seen: `I cannot make out ${named} in the image; my best guess is ${guess}.`, confident: false };
    }
    const [x, y] = centre(blob);
    const answer = q === 'colour' ? blob.colour : q === 'shape' ? blob.shape : quadrantOf(x, y, view.width, view.height);
    return { answer, seen: `Looking at the whole image, ${named} appears to be ${q === 'position' ? `in the ${answer} part` : answer}.`, confident: true };
  }
  if (task.family === 'counting') {
    const query = { ...(t.colour ? { colour: t.colour as ColourName } : {}), ...(t.shape ? { shape: t.shape as ShapeName } : {}) };
    const n = countBlobs(view, query, 3);
    return { answer: String(n), seen: `Counting in the whole image, I see ${n}.`, confident: true };
  }
  return { answer: 'unknown', seen: 'I cannot answer this from the image alone.', confident: false };
}

/** Reads a video task from k uniformly sampled frames: transient colours are the events. */
export async function readVideoTask(task: Task, rng: Rng, k = VIDEO_GLOBAL_FRAMES): Promise<GlobalReading> {
  if (task.media.kind !== 'video') throw new Error('readVideoTask: not a video task');
  const video = task.media.video;
  const n = video.meta.frameCount;
  const idx = uniformFrameIndices(n, k);
  const seenIn = new Map<ColourName, Array<{ frame: number; blob: Blob }>>();
  for (const i of idx) {
    const frame = globalView(await video.getFrame(i));
    const blobs = findBlobs(frame, { minArea: 12 });
    for (const b of blobs) {
      const list = seenIn.get(b.colour) ?? [];
      if (!list.some((e) => e.frame === i)) list.push({ frame: i, blob: b });
      seenIn.set(b.colour, list);
    }
  }
  // Colours present in fewer than half of the frames belong to objects that came and went.
  const transient = [...seenIn.entries()].filter(([, l]) => l.length < idx.length / 2).sort((a, b) => a[1][0]!.frame - b[1][0]!.frame);
  const q = task.truth.question as VideoQuestion;
  const named = task.question.match(/an? (\w+) (\w+) and an? (\w+) (\w+)/);
  const first = transient[0];
  if (q === 'what-colour' || q === 'what-shape') {
    if (!first) {
      const guess = q === 'what-colour' ? rng.pick(COLOURS.filter((c) => !seenIn.has(c))) : rng.pick(SHAPES);
      return { answer: guess, seen: `In the ${idx.length} frames I looked at, nothing new shows up; I guess ${guess}.`, confident: false };
    }
    const b = first[1][0]!.blob;
    const answer = q === 'what-colour' ? b.colour : b.shape;
    return { answer, seen: `In frame ${first[1][0]!.frame} a ${b.colour} ${b.shape} shows up that is not in the other frames.`, confident: true };
  }
  if (q === 'when') {
    const wanted = task.question.match(/A (\w+) (\w+) appears/)?.[1] as ColourName | undefined;
    const hit = transient.find(([c]) => c === wanted) ?? first;
    if (!hit) {
      const guess = rng.pick(CLIP_PARTS);
      return { answer: guess, seen: `None of the ${idx.length} frames I looked at shows it; I guess ${guess}.`, confident: false };
    }
    const frames = hit[1].map((e) => e.frame);
    const answer = partOf((frames[0]! + frames[frames.length - 1]!) / 2, n);
    return { answer, seen: `It is visible in frame(s) ${frames.join(', ')} of ${n}.`, confident: true };
  }
  if (q === 'order' && named) {
    const a = { colour: named[1] as ColourName, label: `${named[1]} ${named[2]}` };
    const b = { colour: named[3] as ColourName, label: `${named[3]} ${named[4]}` };
    const fa = seenIn.get(a.colour)?.[0]?.frame;
    const fb = seenIn.get(b.colour)?.[0]?.frame;
    if (fa === undefined && fb === undefined) {
      const guess = rng.chance(0.5) ? a.label : b.label;
      return { answer: guess, seen: `I see neither object in the frames I looked at; I guess the ${guess}.`, confident: false };
    }
    // Seeing only one: if it appears late, the other probably came first (and vice versa).
    const aFirst = fa !== undefined && fb !== undefined ? fa <= fb : fa !== undefined ? fa < n / 2 : fb! >= n / 2;
    const answer = aFirst ? a.label : b.label;
    return { answer, seen: `From the sampled frames, the ${answer} shows up first.`, confident: fa !== undefined && fb !== undefined };
  }
  return { answer: 'unknown', seen: 'I cannot tell from the sampled frames.', confident: false };
}

/** The baseline's reading of any task (image or video). */
export async function globalViewReading(task: Task, seed = 0, maxSide = GLOBAL_VIEW_MAX_SIDE, frames = VIDEO_GLOBAL_FRAMES): Promise<GlobalReading> {
  const rng = new Rng(hashSeed('baseline', seed, task.id));
  if (task.media.kind === 'video') return readVideoTask(task, rng, frames);
  return readImageTask(task, globalView(task.media.image, maxSide), rng);
}

export interface BaselineOptions {
  seed?: number;
  maxSide?: number;
  frames?: number;
}

export function createGlobalViewBaseline(opts: BaselineOptions = {}): Policy {
  const seed = opts.seed ?? 0;
  return {
    name: `global-view baseline (${opts.maxSide ?? GLOBAL_VIEW_MAX_SIDE} px${opts.frames ? `, ${opts.frames} frames` : ''})`,
    kind: 'baseline',
    async next(ctx: PolicyContext): Promise<PolicyTurn> {
      const r = await globalViewReading(ctx.task, seed, opts.maxSide, opts.frames);
      const text = `${r.seen}\n${formatAnswer(r.answer)}`;
      ctx.onText?.(text);
      return { text, tokens: { count: Math.ceil(text.length / 4) } };
    },
  };
}
