/**
 * The 'search-then-crop' strategy's Python: the policy's own code LOCATES the target, so a
 * policy that sees each image as only a few visual tokens never has to find a ~1 %-of-the-side
 * object by looking.
 *
 * Turn 1 (`searchCode`): scan a half-resolution copy of image_clue_0 with colour masks and
 * connected components (the counting code's helpers), check each candidate's outline on the
 * full-resolution patch, and print the matches' boxes, their quadrant and a ready-made crop
 * window (the target about a third of its side) in full-image coordinates.
 * Turn 2 (`cropFromSearch` + cropShowCode): copy the printed crop window into
 * `image_clue_0.crop(...)` and show it. Turn 3 answers from the shown crop.
 */
import type { ColourName, ShapeName } from '../tasks/palette';
import { PY_PALETTE, type Window } from './expertScripts';

/** What the question names the target by: its colour (shape asked) or its shape. */
export type SearchQuery = { colour: ColourName } | { shape: ShapeName };

export function searchCode(q: SearchQuery): string {
  const byColour = 'colour' in q;
  const colours = byColour ? `["${q.colour}"]` : "PALETTE";
  const what = byColour ? `the ${q.colour} object` : `the ${q.shape}`;
  const test = byColour ? '' : ` and shape(full[0]) == "${q.shape}"`;
  return `import re
${PY_PALETTE}

def blobs(img, rgb):  # runs of the colour per row, grouped into touching blobs
    m = [b.point(lambda v, c=c: 255 if abs(v - c) <= 40 else 0) for b, c in zip(img.split(), rgb)]
    black = Image.new("L", img.size, 0)
    data, w, found = Image.composite(Image.composite(m[0], black, m[1]), black, m[2]).tobytes(), img.width, []
    for y in range(img.height):
        for r in re.finditer(rb"\\xff+", data[y * w:(y + 1) * w]):
            a, b = r.span()
            g = next((g for g in found if g[-1][0] >= y - 1 and min(x[1] for x in g) <= b and a <= max(x[2] for x in g)), None)
            (g if g else found.append([]) or found[-1]).append((y, a, b))
    return found

def shape(runs):  # fill of the bounding box, width of the base
    y0, y1 = runs[0][0], runs[-1][0] + 1
    x0, x1 = min(r[1] for r in runs), max(r[2] for r in runs)
    fill = sum(b - a for _, a, b in runs) / ((x1 - x0) * (y1 - y0))
    low = [r for r in runs if r[0] >= y1 - max(2, (y1 - y0) // 5)]
    base = (max(r[2] for r in low) - min(r[1] for r in low)) / (x1 - x0)
    return "square" if fill > 0.9 else "circle" if fill > 0.68 else "triangle" if base > 0.85 else "star" if base > 0.5 else "diamond"

# Find ${what}: blobs in a half-size copy, each checked again at full size
W, H = image_clue_0.size
small = image_clue_0.convert("RGB").resize((W // 2, H // 2), Image.NEAREST)
hits = []
for name in ${colours}:
    for g in blobs(small, PALETTE[name]):
        x0, x1 = 2 * min(r[1] for r in g) - 3, 2 * max(r[2] for r in g) + 3
        box = (max(0, x0), max(0, 2 * g[0][0] - 3), min(W, x1), min(H, 2 * g[-1][0] + 5))
        full = sorted(blobs(image_clue_0.crop(box).convert("RGB"), PALETTE[name]), key=len, reverse=True)
        if len(g) > 2 and full${test}:
            hits.append(box)
print(f"image {W}x{H}: {len(hits)} match(es) for ${what}")
for x0, y0, x1, y1 in hits[:3]:
    cx, cy, s = (x0 + x1) // 2, (y0 + y1) // 2, 3 * max(x1 - x0, y1 - y0) // 2
    where = ("top" if cy < H / 2 else "bottom") + "-" + ("left" if cx < W / 2 else "right")
    print(f"  box ({x0}, {y0}, {x1}, {y1}), centre ({cx}, {cy}), {where}")
    print(f"  crop box: ({max(0, cx - s)}, {max(0, cy - s)}, {min(W, cx + s)}, {min(H, cy + s)})")`;
}

/** The first printed crop window and quadrant in a search observation, or null. */
export function cropFromSearch(observation: string): { window: Window; quadrant: string | null } | null {
  const m = observation.match(/crop box: \((\d+), (\d+), (\d+), (\d+)\)/);
  if (!m) return null;
  const q = observation.match(/centre \(\d+, \d+\), ((?:top|bottom)-(?:left|right))/);
  const [x0, y0, x1, y1] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  if (!(x1 > x0 && y1 > y0)) return null;
  return { window: { x0, y0, x1, y1 }, quadrant: q?.[1] ?? null };
}
