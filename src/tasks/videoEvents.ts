/**
 * Video events: a synthetic clip in which a few coloured shapes drift and bounce the whole
 * time, and one (or, for order questions, two) new objects appear at a fixed spot for a time
 * window and vanish. Questions: what appeared (its colour or shape), when (beginning / middle /
 * end of the clip), and in what order two objects appeared.
 *
 * Frames are DRAWN on demand from a small serialisable spec (ClipSpec): motion is analytic
 * (reflection off the walls), so frame i costs one background copy plus a few shapes and
 * needs no state — random access like a real decoder, and nothing is stored.
 *
 * Difficulty is the event's length relative to the clip: large (20–28 %) cannot be missed by
 * 8 uniformly sampled frames; small (3–6 %) usually is, so answering needs frames from the
 * right moment (the point of on-demand context construction).
 */
import type { FrameProvider, Pixels } from '../runtime/types';
import { drawShape, texturedBackground, type Box } from './draw';
import { COLOURS, COLOUR_RGB, SHAPES, colourAccepted, shapeAccepted, type ColourName, type ShapeName } from './palette';
import { Rng } from './rng';
import type { Difficulty, Task, TaskParams } from './types';

export type VideoQuestion = 'what-colour' | 'what-shape' | 'when' | 'order';
export const CLIP_PARTS = ['beginning', 'middle', 'end'] as const;
export type ClipPart = (typeof CLIP_PARTS)[number];

export interface VideoParams extends TaskParams {
  question?: VideoQuestion;
  /** Frame count (default 48–240). */
  frames?: number;
}

export interface Mover {
  kind: ShapeName;
  colour: ColourName;
  size: number;
  x0: number;
  y0: number;
  vx: number; // px per frame
  vy: number;
}

export interface ClipEvent {
  kind: ShapeName;
  colour: ColourName;
  size: number;
  cx: number;
  cy: number;
  /** Inclusive frame range in which the object is visible. */
  frames: [number, number];
  /** Its pixel box (x1/y1 exclusive) while visible. */
  box: Box;
}

/** Everything needed to redraw the clip (plain data: stored in the task's truth). */
export interface ClipSpec {
  width: number;
  height: number;
  frameCount: number;
  fps: number;
  backgroundSeed: number;
  movers: Mover[];
  events: ClipEvent[];
}

export const VIDEO_BUCKETS: Record<Difficulty, [number, number]> = {
  small: [0.03, 0.06],
  medium: [0.08, 0.12],
  large: [0.2, 0.28],
};

/** Position along one axis bouncing between lo and hi (triangle wave). */
function bounce(p: number, lo: number, hi: number): number {
  const span = hi - lo;
  if (span <= 0) return lo;
  let t = (p - lo) % (2 * span);
  if (t < 0) t += 2 * span;
  return lo + (t <= span ? t : 2 * span - t);
}

export function moverAt(m: Mover, frame: number, width: number, height: number): { cx: number; cy: number } {
  const h = m.size / 2 + 1;
  return { cx: bounce(m.x0 + m.vx * frame, h, width - h), cy: bounce(m.y0 + m.vy * frame, h, height - h) };
}

/** Draws frame `index` of a clip onto a copy of its background. */
export function renderFrame(spec: ClipSpec, background: Pixels, index: number): Pixels {
  const img: Pixels = { width: spec.width, height: spec.height, channels: 3, data: background.data.slice() };
  for (const m of spec.movers) {
    const { cx, cy } = moverAt(m, index, spec.width, spec.height);
    drawShape(img, m.kind, cx, cy, m.size, COLOUR_RGB[m.colour]);
  }
  // Events on top: while visible, nothing hides them (placement also keeps movers away).
  for (const e of spec.events) if (index >= e.frames[0] && index <= e.frames[1]) drawShape(img, e.kind, e.cx, e.cy, e.size, COLOUR_RGB[e.colour]);
  return img;
}

/** A FrameProvider that draws frames on demand (the background is drawn once, lazily). */
export function clipProvider(spec: ClipSpec): FrameProvider {
  let bg: Pixels | null = null;
  return {
    meta: { width: spec.width, height: spec.height, frameCount: spec.frameCount, fps: spec.fps },
    async getFrame(index: number): Promise<Pixels> {
      if (!Number.isInteger(index) || index < 0 || index >= spec.frameCount) {
        throw new Error(`frame ${index} out of range (0..${spec.frameCount - 1})`);
      }
      bg ??= texturedBackground(spec.width, spec.height, new Rng(spec.backgroundSeed), { clutter: 12 });
      return renderFrame(spec, bg, index);
    },
  };
}

/** Which third of the clip a frame is in. */
export function partOf(frame: number, frameCount: number): ClipPart {
  return CLIP_PARTS[Math.min(2, Math.floor((frame * 3) / frameCount))]!;
}

export function partAccepted(p: ClipPart): string[] {
  const extra: Record<ClipPart, string[]> = {
    beginning: ['start', 'the start', 'at the beginning', 'at the start', 'early', 'first third', 'beginning of the clip'],
    middle: ['center', 'centre', 'midway', 'in the middle', 'second third', 'middle of the clip'],
    end: ['ending', 'late', 'at the end', 'near the end', 'last third', 'end of the clip'],
  };
  return [p, ...extra[p]];
}

function boxesOverlap(a: Box, b: Box, margin: number): boolean {
  return a.x0 - margin < b.x1 && b.x0 - margin < a.x1 && a.y0 - margin < b.y1 && b.y0 - margin < a.y1;
}

function centredBox(cx: number, cy: number, size: number): Box {
  return { x0: cx - size / 2, y0: cy - size / 2, x1: cx + size / 2, y1: cy + size / 2 };
}

export function makeVideoTask(params: VideoParams): Task {
  const seed = params.seed;
  const rng = new Rng(`video-events:${seed}`);
  const difficulty: Difficulty = params.difficulty ?? rng.weighted(params.difficultyMix ?? { small: 0.5, medium: 0.25, large: 0.25 });
  const question: VideoQuestion = params.question ?? rng.pick(['what-colour', 'what-shape', 'when', 'order'] as const);
  const [width, height] = rng.pick([[320, 240], [384, 216], [400, 300]] as const);
  const n = params.frames ?? rng.int(48, 240);
  const fps = rng.pick([8, 12, 24]);

  const nEvents = question === 'order' ? 2 : 1;
  const palette = rng.shuffle(COLOURS);
  const eventColours = palette.slice(0, nEvents);
  const eventShapes = rng.shuffle(SHAPES).slice(0, nEvents);
  const movers: Mover[] = [];
  const nMovers = rng.int(3, 5);
  for (let i = 0; i < nMovers; i++) {
    const speed = rng.float(1, 3.5);
    const a = rng.float(0, 2 * Math.PI);
    movers.push({
      kind: rng.pick(SHAPES),
      colour: palette[nEvents + (i % (palette.length - nEvents))]!, // never an event colour
      size: rng.int(20, 30),
      x0: rng.float(20, width - 20),
      y0: rng.float(20, height - 20),
      vx: speed * Math.cos(a),
      vy: speed * Math.sin(a),
    });
  }

  // Event windows: length from the bucket; a 'when' window sits well inside one third; the
  // two 'order' windows are disjoint with a gap, in random order.
  const len = Math.max(3, Math.round(n * rng.float(...VIDEO_BUCKETS[difficulty])));
  const windows: Array<[number, number]> = [];
  if (question === 'order') {
    const gap = Math.max(3, Math.round(n * 0.08));
    const room = n - 2 * len - gap;
    const s1 = rng.int(0, Math.max(0, Math.floor(room / 2)));
    const s2 = rng.int(s1 + len + gap, Math.max(s1 + len + gap, n - len));
    windows.push([s1, s1 + len - 1], [s2, Math.min(n - 1, s2 + len - 1)]);
  } else {
    const third = rng.int(0, 2);
    const a = Math.ceil((third * n) / 3 + n * 0.02);
    const b = Math.floor(((third + 1) * n) / 3 - n * 0.02) - len + 1;
    const start = rng.int(a, Math.max(a, b));
    windows.push([start, Math.min(n - 1, start + len - 1)]);
  }

  const events: ClipEvent[] = windows.map((frames, i) => {
    const size = rng.int(26, 36);
    // A spot no mover comes near while the event is visible (best of 80 tries).
    let best = { cx: width / 2, cy: height / 2, hits: Infinity };
    for (let t = 0; t < 80 && best.hits > 0; t++) {
      const cx = rng.float(size, width - size);
      const cy = rng.float(size, height - size);
      const eb = centredBox(cx, cy, size);
      let hits = 0;
      for (let f = frames[0]; f <= frames[1]; f++) {
        for (const m of movers) {
          const p = moverAt(m, f, width, height);
          if (boxesOverlap(eb, centredBox(p.cx, p.cy, m.size), 6)) hits++;
        }
      }
      if (hits < best.hits) best = { cx, cy, hits };
    }
    const probe: Pixels = { width, height, channels: 3, data: new Uint8Array(width * height * 3) };
    const box = drawShape(probe, eventShapes[i]!, best.cx, best.cy, size, [255, 255, 255])!;
    return { kind: eventShapes[i]!, colour: eventColours[i]!, size, cx: best.cx, cy: best.cy, frames, box };
  });

  const spec: ClipSpec = { width, height, frameCount: n, fps, backgroundSeed: rng.u32(), movers, events };
  const e0 = events[0]!;
  const named = (e: ClipEvent) => `${e.colour} ${e.kind}`;
  let q: string;
  let answer: string;
  let accepted: string[];
  const intro = 'Several shapes move around during this clip. At some point a new object appears for a while, then disappears.';
  if (question === 'what-colour') {
    q = `${intro} What colour is that object? Answer with one colour name (${COLOURS.join(', ')}).`;
    answer = e0.colour;
    accepted = colourAccepted(e0.colour);
  } else if (question === 'what-shape') {
    q = `${intro} What shape is that object? Answer with one of: ${SHAPES.join(', ')}.`;
    answer = e0.kind;
    accepted = shapeAccepted(e0.kind);
  } else if (question === 'when') {
    q = `A ${named(e0)} appears briefly in this clip. When does it appear: at the beginning, in the middle, or at the end of the clip? Answer with one of: beginning, middle, end.`;
    answer = partOf((e0.frames[0] + e0.frames[1]) / 2, n);
    accepted = partAccepted(answer as ClipPart);
  } else {
    const [a, b] = rng.chance(0.5) ? [events[0]!, events[1]!] : [events[1]!, events[0]!];
    q = `Two objects appear briefly in this clip, one after the other: a ${named(a)} and a ${named(b)}. Which one appears first? Answer with its colour and shape.`;
    answer = named(e0);
    accepted = [answer, e0.colour, e0.kind, `${e0.colour} one`, `${e0.colour} ${e0.kind}s`];
  }
  return {
    id: `video-events-${seed}`,
    family: 'video-events',
    seed,
    question: q,
    answer,
    answerSpec: { kind: 'text', accepted },
    difficulty,
    media: { kind: 'video', video: clipProvider(spec) },
    truth: {
      boxes: events.map((e) => ({ ...e.box, label: named(e) })),
      eventFrames: e0.frames,
      question,
      clip: spec,
    },
    ability: 'video_events',
    dataSource: 'pyvision-playground/video-events',
  };
}
