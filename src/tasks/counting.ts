/**
 * Counting: "How many red shapes / stars / blue triangles are there?" on a textured canvas
 * with 1–9 matching objects among non-matching ones.
 *
 * Difficulty is the objects' size relative to the canvas's longer side:
 * - large (5–8 %):   ≥ 22 px in a 448-px global view: outlines and colours readable there;
 * - medium (3–4.5 %): ~13–20 px there;
 * - small (1.1–1.5 %, at least 26 px, canvases of 1600–2048 px): ~6–7 px there, crowded in a few
 *   tight clusters with gaps of 4–8 px, which the downscaled view blurs together: counting
 *   needs zooming or computing on the full-resolution image.
 * Objects always keep at least 4 px (small) or half an object (others) between them, so
 * connected components at full resolution — also at half resolution with NEAREST, where the
 * gaps are still ≥ 2 px — are exactly the objects; the answer is a number (exact).
 */
import type { ShapeName, ColourName } from './palette';
import { COLOURS, COLOUR_RGB, SHAPES, SHAPE_PLURAL } from './palette';
import { drawShape, texturedBackground, type Box } from './draw';
import { Rng } from './rng';
import { placeFree } from './visualSearch';
import type { Difficulty, Task, TaskParams } from './types';

export type CountingQuestion = 'colour' | 'shape' | 'both';

export interface CountingParams extends TaskParams {
  question?: CountingQuestion;
  /** Exact number of matching objects (default 1–9). */
  count?: number;
}

export const COUNTING_BUCKETS: Record<Difficulty, { rel: [number, number]; canvas: [number, number] }> = {
  small: { rel: [0.011, 0.015], canvas: [1600, 2048] },
  medium: { rel: [0.03, 0.045], canvas: [768, 1536] },
  large: { rel: [0.05, 0.08], canvas: [512, 1536] },
};

const DEFAULT_MIX: Record<Difficulty, number> = { small: 0.5, medium: 0.25, large: 0.25 };

interface Obj {
  kind: ShapeName;
  colour: ColourName;
  cx: number;
  cy: number;
  size: number;
}

export function makeCountingTask(params: CountingParams): Task {
  const seed = params.seed;
  const rng = new Rng(`counting:${seed}`);
  const difficulty: Difficulty = params.difficulty ?? rng.weighted(params.difficultyMix ?? DEFAULT_MIX);
  const question: CountingQuestion = params.question ?? rng.weighted({ colour: 0.2, shape: 0.4, both: 0.4 });
  const bucket = COUNTING_BUCKETS[difficulty];
  const [lo, hi] = params.canvasSize ?? bucket.canvas;
  const side = rng.int(Math.max(256, lo), Math.max(256, lo, hi));
  const other = Math.round(side * rng.float(0.7, 1));
  const landscape = rng.chance(0.6);
  const W = landscape ? side : other;
  const H = landscape ? other : side;

  const colour = rng.pick(COLOURS);
  const shape = rng.pick(SHAPES);
  const matches = (o: { kind: ShapeName; colour: ColourName }) =>
    (question === 'shape' || o.colour === colour) && (question === 'colour' || o.kind === shape);
  const count = params.count ?? rng.int(1, 9);
  const others = rng.int(4, 12);

  const img = texturedBackground(W, H, rng.fork('background'));
  const prng = rng.fork('objects');
  // Never under 26 px: counted at half resolution (see the scripted expert), that is still
  // 13 px, where a simple outline test is unambiguous (it starts to fail around 10 px).
  const sizeOf = () => Math.max(26, Math.round(side * prng.float(bucket.rel[0], bucket.rel[1])));
  const placed: Array<{ cx: number; cy: number; r: number }> = [];
  const objects: Obj[] = [];
  // Small objects crowd around a few centres; the others spread over the canvas.
  const crowded = difficulty === 'small';
  const clusters = Array.from({ length: prng.int(2, 4) }, () => ({ cx: prng.float(0.15, 0.85) * W, cy: prng.float(0.15, 0.85) * H }));
  const place = (kind: ShapeName, col: ColourName): boolean => {
    const size = sizeOf();
    const gap = crowded ? () => prng.int(4, 8) : (p: { r: number }) => Math.max(8, 0.5 * Math.max(size, 2 * p.r));
    const c = prng.pick(clusters);
    const pos =
      (crowded ? placeFree(prng, W, H, size / 2, 4, placed, gap, 100, { ...c, r: size * 2.2 }) : null) ??
      placeFree(prng, W, H, size / 2, 4, placed, gap, 200);
    if (!pos) return false;
    placed.push({ cx: pos.cx, cy: pos.cy, r: size / 2 });
    objects.push({ kind, colour: col, cx: pos.cx, cy: pos.cy, size });
    return true;
  };
  let placedMatches = 0;
  for (let i = 0; i < count; i++) {
    const kind = question === 'colour' ? prng.pick(SHAPES) : shape;
    const col = question === 'shape' ? prng.pick(COLOURS) : colour;
    if (place(kind, col)) placedMatches++;
  }
  for (let i = 0; i < others; i++) {
    // Non-matching objects; for 'both', half share the colour or the shape to make it a real
    // conjunction ("blue triangles", not just "blue things").
    let o: { kind: ShapeName; colour: ColourName };
    do {
      o = { kind: prng.pick(SHAPES), colour: prng.pick(COLOURS) };
      if (question === 'both' && prng.chance(0.5)) o = prng.chance(0.5) ? { ...o, colour } : { ...o, kind: shape };
    } while (matches(o));
    place(o.kind, o.colour);
  }
  const boxes: Array<Box & { label: string }> = [];
  for (const o of objects) {
    const box = drawShape(img, o.kind, o.cx, o.cy, o.size, COLOUR_RGB[o.colour])!;
    if (matches(o)) boxes.push({ ...box, label: `${o.colour} ${o.kind}` });
  }

  const what = question === 'colour' ? `${colour} shapes` : question === 'shape' ? SHAPE_PLURAL[shape] : `${colour} ${SHAPE_PLURAL[shape]}`;
  const stem = rng.pick([`How many ${what} are there in the image?`, `Count the ${what} in this image.`, `How many ${what} can you see?`]);
  return {
    id: `counting-${seed}`,
    family: 'counting',
    seed,
    question: `${stem} Answer with a number.`,
    answer: String(placedMatches),
    answerSpec: { kind: 'number', value: placedMatches, tolerance: 0 },
    difficulty,
    media: { kind: 'image', image: img },
    truth: {
      boxes,
      question,
      colour: question === 'shape' ? null : colour,
      shape: question === 'colour' ? null : shape,
      count: placedMatches,
      objects: objects.length,
      objectSize: [Math.min(...objects.map((o) => o.size)), Math.max(...objects.map((o) => o.size))],
      canvas: [W, H],
    },
    ability: 'counting',
    dataSource: 'pyvision-playground/counting',
  };
}
