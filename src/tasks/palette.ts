/**
 * The named colours and shapes questions use, with the synonyms the checker accepts.
 *
 * Target colours are strongly saturated (chroma ≥ 145) and the generated backgrounds are muted
 * (chroma ≤ ~70), so "what colour is it" has one right answer at full resolution; the colours
 * are still spaced closely enough (red/orange/yellow, blue/purple) that blending with the
 * background in a downscaled view can shift a reading, which is what makes small targets hard.
 */

export const COLOURS = ['red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple', 'pink'] as const;
export type ColourName = (typeof COLOURS)[number];

export const COLOUR_RGB: Record<ColourName, readonly [number, number, number]> = {
  red: [215, 35, 35],
  orange: [245, 135, 20],
  yellow: [240, 215, 30],
  green: [40, 170, 60],
  cyan: [30, 200, 215],
  blue: [35, 75, 215],
  purple: [135, 50, 195],
  pink: [240, 90, 180],
};

/** Other words a person (or a model) may use for the same colour. */
export const COLOUR_SYNONYMS: Record<ColourName, string[]> = {
  red: ['crimson', 'scarlet'],
  orange: ['amber'],
  yellow: ['gold', 'golden'],
  green: ['lime'],
  cyan: ['turquoise', 'aqua', 'teal'],
  blue: ['navy', 'royal blue'],
  purple: ['violet', 'lilac'],
  pink: ['magenta', 'rose', 'fuchsia'],
};

export const SHAPES = ['circle', 'square', 'triangle', 'star', 'diamond'] as const;
export type ShapeName = (typeof SHAPES)[number];

export const SHAPE_SYNONYMS: Record<ShapeName, string[]> = {
  circle: ['disk', 'disc', 'round', 'ball', 'dot'],
  square: ['box', 'rectangle'],
  triangle: ['triangular'],
  star: ['pentagram', 'five-pointed star'],
  diamond: ['rhombus', 'lozenge'],
};

/** Plural nouns used in counting questions. */
export const SHAPE_PLURAL: Record<ShapeName, string> = {
  circle: 'circles',
  square: 'squares',
  triangle: 'triangles',
  star: 'stars',
  diamond: 'diamonds',
};

/** Canonical answer + synonyms, for AnswerSpec.accepted. */
export function colourAccepted(c: ColourName): string[] {
  return [c, ...COLOUR_SYNONYMS[c]];
}

export function shapeAccepted(s: ShapeName): string[] {
  return [s, SHAPE_PLURAL[s], ...SHAPE_SYNONYMS[s]];
}

/** Chroma (max − min channel): how far a pixel is from grey. */
export function chroma(r: number, g: number, b: number): number {
  return Math.max(r, g, b) - Math.min(r, g, b);
}

/** Pixels below this chroma count as background (muted), never as a named colour. */
export const MIN_TARGET_CHROMA = 90;

const RGB_LIST = COLOURS.map((c) => COLOUR_RGB[c]);

/** Index into COLOURS of the nearest named colour (squared RGB distance), ignoring chroma. */
export function nearestColourIndex(r: number, g: number, b: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < RGB_LIST.length; i++) {
    const c = RGB_LIST[i]!;
    const d = (r - c[0]) ** 2 + (g - c[1]) ** 2 + (b - c[2]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** The named colour of a pixel, or -1 for a muted (background) pixel. */
export function colourIndexOf(r: number, g: number, b: number): number {
  return chroma(r, g, b) < MIN_TARGET_CHROMA ? -1 : nearestColourIndex(r, g, b);
}
