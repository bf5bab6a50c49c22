/**
 * Visual search (V*-style): one small target among distractors on a large, muted, textured
 * canvas. Questions: the target's colour (target named by its shape), its shape (named by its
 * colour) or its position (quadrant; named by its shape). Distractors never share the naming
 * attribute, so every question has exactly one referent.
 *
 * Difficulty is the target's size relative to the canvas's longer side:
 * - large  (6–9 %):   ~27–40 px in a 448-px global view: found and read without tools;
 * - medium (1.5–2.5 %): ~7–11 px there: usually readable;
 * - small  (0.6–0.9 %): ~2.7–4 px there: the outline is gone (a dot among many dots), so it can
 *   be neither recognised by its shape nor read for it; a crop is needed.
 * Small targets need big canvases (1 % of 512 px is 5 px even at full resolution), so each
 * bucket has its own canvas range, and targets are never under 12 px: at full resolution the
 * outline is always clear.
 */
import type { Pixels } from '../runtime/types';
import type { Box } from './draw';
import { drawShape, texturedBackground } from './draw';
import { COLOURS, COLOUR_RGB, SHAPES, colourAccepted, shapeAccepted, type ColourName, type ShapeName } from './palette';
import { Rng } from './rng';
import type { Difficulty, Task, TaskParams } from './types';

export type VisualSearchQuestion = 'colour' | 'shape' | 'position';
export const QUADRANTS = ['top-left', 'top-right', 'bottom-left', 'bottom-right'] as const;
export type Quadrant = (typeof QUADRANTS)[number];

export interface VisualSearchParams extends TaskParams {
  /** Which attribute is asked (default: drawn 50/50). */
  question?: VisualSearchQuestion;
  /** Number of distractors (default: scales with the canvas area, 14–40). */
  distractors?: number;
  /** Target size relative to the longer side, overriding the bucket's (e.g. [0.25, 0.35]). */
  targetRel?: [number, number];
}

export const DEFAULT_DIFFICULTY_MIX: Record<Difficulty, number> = { small: 0.5, medium: 0.25, large: 0.25 };

/** Per bucket: target size relative to the longer side, and the canvas side range. */
export const VISUAL_SEARCH_BUCKETS: Record<Difficulty, { rel: [number, number]; canvas: [number, number] }> = {
  small: { rel: [0.006, 0.009], canvas: [1792, 2048] },
  medium: { rel: [0.015, 0.025], canvas: [1024, 2048] },
  large: { rel: [0.06, 0.09], canvas: [512, 2048] },
};

const MIN_TARGET_PX = 12;
const MIN_DISTRACTOR_PX = 10;

/** Placed objects, for the clearance checks. */
export interface Placed {
  cx: number;
  cy: number;
  r: number; // half extent
}

/**
 * Picks a centre whose square of half-extent r keeps `gap` from everything placed, or null.
 * With `around`, candidates are drawn within `around.r` of a point (clustered placement).
 */
export function placeFree(
  rng: Rng,
  w: number,
  h: number,
  r: number,
  margin: number,
  placed: Placed[],
  gap: (p: Placed) => number,
  tries = 60,
  around?: { cx: number; cy: number; r: number },
): { cx: number; cy: number } | null {
  const lo = margin + r;
  for (let t = 0; t < tries; t++) {
    const cx = around ? Math.min(w - lo, Math.max(lo, around.cx + rng.float(-around.r, around.r))) : rng.float(lo, w - lo);
    const cy = around ? Math.min(h - lo, Math.max(lo, around.cy + rng.float(-around.r, around.r))) : rng.float(lo, h - lo);
    if (placed.every((p) => Math.max(Math.abs(p.cx - cx), Math.abs(p.cy - cy)) >= p.r + r + gap(p))) return { cx, cy };
  }
  return null;
}

export function makeVisualSearchTask(params: VisualSearchParams): Task {
  const seed = params.seed;
  const rng = new Rng(`visual-search:${seed}`);
  const difficulty: Difficulty = params.difficulty ?? rng.weighted(params.difficultyMix ?? DEFAULT_DIFFICULTY_MIX);
  const question: VisualSearchQuestion = params.question ?? rng.weighted({ colour: 0.4, shape: 0.4, position: 0.2 });
  const bucket = VISUAL_SEARCH_BUCKETS[difficulty];
  const [lo, hi] = params.canvasSize ?? bucket.canvas;
  const side = rng.int(Math.max(256, lo), Math.max(Math.max(256, lo), hi));
  const other = Math.round(side * rng.float(0.65, 1));
  const landscape = rng.chance(0.6);
  const W = landscape ? side : other;
  const H = landscape ? other : side;

  const colour = rng.pick(COLOURS);
  const shape = rng.pick(SHAPES);
  const rel = params.targetRel ?? bucket.rel;
  const size = Math.max(MIN_TARGET_PX, Math.round(side * rng.float(rel[0], rel[1])));

  const img = texturedBackground(W, H, rng.fork('background'));
  const placed: Placed[] = [];
  const tr = size / 2;
  // A big custom target only keeps a small margin from the border (2 sizes would not fit).
  const margin = params.targetRel ? side * 0.04 : Math.max(2 * size, side * 0.04);
  // A position question needs an unambiguous quadrant: the target keeps off both midlines
  // (by up to 2 target sizes or 6 % of the side, whatever the canvas leaves room for).
  const offMid = (L: number) => {
    const m = Math.min(margin, Math.max(2, L / 2 - 2 * tr - 2));
    const g = Math.max(0, Math.min(Math.max(2 * size, side * 0.06), L / 2 - m - 2 * tr));
    const off = rng.float(m + tr, Math.max(m + tr, L / 2 - g - tr));
    return rng.chance(0.5) ? off : L - off;
  };
  const target = question === 'position' ? { cx: offMid(W), cy: offMid(H) } : placeFree(rng, W, H, tr, margin, [], () => 0)!;
  placed.push({ cx: target.cx, cy: target.cy, r: tr });

  // Distractors never share the attribute that names the target, so the question has one
  // referent. They keep clear of the target by at least a target size and 6 global-view
  // pixels, so neither a crop nor the downscaled view mixes them into the target's spot.
  const scale = Math.min(1, 448 / side);
  const targetGap = Math.max(size, 6 / scale);
  const n = params.distractors ?? Math.round(Math.min(40, Math.max(14, (W * H) / 90_000)));
  const drng = rng.fork('distractors');
  const shapes: Array<{ kind: ShapeName; colour: ColourName; cx: number; cy: number; size: number }> = [];
  for (let i = 0; i < n; i++) {
    const kind = question !== 'shape' ? drng.pick(SHAPES.filter((s) => s !== shape)) : drng.pick(SHAPES);
    const col = question === 'shape' ? drng.pick(COLOURS.filter((c) => c !== colour)) : drng.pick(COLOURS);
    // Log-uniform sizes from tiny to large: the scene has things of every scale.
    const ds = Math.round(Math.exp(drng.float(Math.log(MIN_DISTRACTOR_PX), Math.log(Math.max(MIN_DISTRACTOR_PX + 1, side * 0.08)))));
    const pos = placeFree(drng, W, H, ds / 2, 2, placed, (p) => (p === placed[0] ? targetGap : 4));
    if (!pos) continue;
    placed.push({ cx: pos.cx, cy: pos.cy, r: ds / 2 });
    shapes.push({ kind, colour: col, cx: pos.cx, cy: pos.cy, size: ds });
  }
  for (const s of shapes) drawShape(img, s.kind, s.cx, s.cy, s.size, COLOUR_RGB[s.colour]);
  const box = drawShape(img, shape, target.cx, target.cy, size, COLOUR_RGB[colour])!;

  const quadrant = quadrantOf((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, W, H);
  const q = questionText(question, colour, shape, rng);
  const answer = question === 'colour' ? colour : question === 'shape' ? shape : quadrant;
  const accepted = question === 'colour' ? colourAccepted(colour) : question === 'shape' ? shapeAccepted(shape) : quadrantAccepted(quadrant);
  return {
    id: `visual-search-${seed}`,
    family: 'visual-search',
    seed,
    question: q,
    answer,
    answerSpec: { kind: 'text', accepted },
    difficulty,
    media: { kind: 'image', image: img },
    truth: {
      boxes: [{ ...box, label: `${colour} ${shape}` }],
      question,
      colour,
      shape,
      quadrant,
      targetSize: size,
      relativeSize: size / side,
      canvas: [W, H],
      distractors: shapes.length,
    },
    ability: 'visual_search',
    dataSource: 'pyvision-playground/visual-search',
  };
}

function questionText(kind: VisualSearchQuestion, colour: ColourName, shape: ShapeName, rng: Rng): string {
  if (kind === 'colour') {
    const stem = rng.pick([
      `What is the colour of the ${shape} in the image?`,
      `There is a single ${shape} somewhere in this image. What colour is it?`,
      `Find the ${shape}. What colour is it?`,
    ]);
    return `${stem} Answer with one colour name (${COLOURS.join(', ')}).`;
  }
  if (kind === 'position') {
    const stem = rng.pick([
      `Where is the ${shape} in the image?`,
      `There is a single ${shape} somewhere in this image. In which part of the image is it?`,
      `Find the ${shape}. Which quadrant of the image is it in?`,
    ]);
    return `${stem} Answer with one of: ${QUADRANTS.join(', ')}.`;
  }
  const stem = rng.pick([
    `What shape is the ${colour} object in the image?`,
    `There is exactly one ${colour} object in this image. What is its shape?`,
    `Find the ${colour} object. Which shape is it?`,
  ]);
  return `${stem} Answer with one of: ${SHAPES.join(', ')}.`;
}

/** The target box of a visual-search task (its first truth box). */
export function targetBox(task: Task): Box {
  const b = task.truth.boxes?.[0];
  if (!b) throw new Error(`task ${task.id} has no target box`);
  return b;
}

export function imageOf(task: Task): Pixels {
  if (task.media.kind !== 'image') throw new Error(`task ${task.id} is not an image task`);
  return task.media.image;
}

export function quadrantOf(x: number, y: number, width: number, height: number): Quadrant {
  return `${y < height / 2 ? 'top' : 'bottom'}-${x < width / 2 ? 'left' : 'right'}` as Quadrant;
}

/** The quadrant and the ways people say it ("upper left", "top left corner", …). */
export function quadrantAccepted(q: Quadrant): string[] {
  const [v, h] = q.split('-') as [string, string];
  const up = v === 'top' ? 'upper' : 'lower';
  return [q, `${up}-${h}`, `${q} corner`, `${up}-${h} corner`, `${h}-${v}`, `${v}-${h} quadrant`];
}
