/**
 * The Python the scripted expert writes, and the coding slips it makes on purpose.
 *
 * This is model OUTPUT (the code inside a turn's <code> block), so it lives in strings here
 * rather than in workers/python/py. It uses only what the offline compat layer provides (PIL
 * crop/resize/split/point/composite/tobytes, decord indexing, plt.imshow/show) and stays fast
 * in Pyodide: counting scans colour masks row by row with `re` (C speed) instead of looping
 * over pixels in Python; the video scan works on 4×-downscaled frames.
 */
import { COLOURS, COLOUR_RGB, type ColourName, type ShapeName } from '../tasks/palette';
import type { Rng } from '../tasks/rng';

export const PY_PALETTE = `PALETTE = {\n${COLOURS.map((c) => `    "${c}": (${COLOUR_RGB[c].join(', ')}),`).join('\n')}\n}`;

export interface Window {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Crop a window of the input and show it, optionally enlarged `zoom` times. */
export function cropShowCode(w: Window, opts: { name: string; zoom: number; comment: string }): string {
  const lines = [`# ${opts.comment}`, `${opts.name} = image_clue_0.crop((${w.x0}, ${w.y0}, ${w.x1}, ${w.y1}))`];
  if (opts.zoom > 1) lines.push(`${opts.name} = ${opts.name}.resize((${opts.name}.width * ${opts.zoom}, ${opts.name}.height * ${opts.zoom}), Image.LANCZOS)`);
  lines.push(`print(${opts.name}.size)`, `plt.imshow(${opts.name})`, `plt.axis('off')`, `plt.show()`);
  return lines.join('\n');
}

/** Python helpers shared by counting and the video scan: colour masks and run-based components. */
const MASK_HELPERS = `${PY_PALETTE}

def colour_mask(img, rgb, tol=40):
    """255 where every band is within tol of the colour (the shapes are flat colours)."""
    black = Image.new("L", img.size, 0)
    mask = None
    for band, c in zip(img.split(), rgb):
        m = band.point(lambda v, c=c: 255 if abs(v - c) <= tol else 0)
        mask = m if mask is None else Image.composite(mask, black, m)
    return mask`;

const COMPONENTS = `def components(mask):
    """Connected components of a mask, from horizontal runs (union-find over runs)."""
    W, H = mask.size
    data = mask.tobytes()
    parent, runs, prev = [], [], []
    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for y in range(H):
        cur = []
        for m in re.finditer(rb"\\xff+", data[y * W:(y + 1) * W]):
            x0, x1 = m.span()
            i = len(runs)
            runs.append((y, x0, x1))
            parent.append(i)
            for j in prev:  # runs of the row above that touch this one (diagonals included)
                if runs[j][1] <= x1 and x0 <= runs[j][2]:
                    a, b = find(i), find(j)
                    if a != b:
                        parent[a] = b
            cur.append(i)
        prev = cur
    groups = {}
    for i, r in enumerate(runs):
        groups.setdefault(find(i), []).append(r)
    return list(groups.values())

def shape_of(runs):
    """Name an outline from its rows: fill ratio, top vs bottom width, two legs for a star."""
    y0 = min(r[0] for r in runs); y1 = max(r[0] for r in runs) + 1
    x0 = min(r[1] for r in runs); x1 = max(r[2] for r in runs)
    w, h = x1 - x0, y1 - y0
    rows = {}
    for y, a, b in runs:
        rows.setdefault(y, []).append(b - a)
    fill = sum(sum(v) for v in rows.values()) / (w * h)
    def width(lo, hi):
        ws = [sum(rows.get(y, [])) for y in range(y0, y1) if lo <= (y - y0 + 0.5) / h < hi]
        return sum(ws) / max(1, len(ws)) / w
    legs = [len(rows.get(y, [])) for y in range(y0, y1) if (y - y0 + 0.5) / h >= 0.85]
    if fill > 0.9:
        return "square"
    if fill > 0.68:
        return "circle"
    if legs and sum(legs) / len(legs) >= 1.5:
        return "star"
    if width(0, 1 / 3) < 0.6 * width(2 / 3, 1):
        return "triangle"
    return "diamond"`;

/** Counts objects of a colour and/or shape: colour masks → components → outline test. */
export function countingCode(q: { colour: ColourName | null; shape: ShapeName | null; plural: string; k: number }): string {
  const colours = q.colour ? `["${q.colour}"]` : 'list(PALETTE)';
  const scale =
    q.k > 1
      ? `# Half resolution keeps every shape above ~11 px and makes the scan ${q.k * q.k}x cheaper.\nimg = image_clue_0.convert("RGB").resize((image_clue_0.width // ${q.k}, image_clue_0.height // ${q.k}), Image.NEAREST)`
      : 'img = image_clue_0.convert("RGB")';
  const test = q.shape ? `f[1] == "${q.shape}"` : "True";
  return `import re

${MASK_HELPERS}

${COMPONENTS}

${scale}
found = []
for name in ${colours}:
    for comp in components(colour_mask(img, PALETTE[name])):
        area = sum(b - a for _, a, b in comp)
        if area >= 20:  # ignore specks
            found.append((name, shape_of(comp), area))
print("objects checked:", len(found))
hits = [f for f in found if ${test}]
for name, shape, area in hits:
    print(f"  {name} {shape} ({area} px)")
print("Number of ${q.plural}:", len(hits))`;
}

/** Coarse pass over a video: colours per sampled frame; the ones seen only sometimes came and went. */
export function videoScanCode(step: number): string {
  return `${PY_PALETTE}

n = len(video_clue_0)
fps = video_clue_0.get_avg_fps()
step = ${step}

def colours_in(frame, min_px=4):
    """Named colours with at least min_px pixels in a 4x-downscaled frame."""
    small = Image.fromarray(frame.asnumpy())
    small = small.resize((small.width // 4, small.height // 4), Image.NEAREST)
    counts = {}
    for p in small.getdata():
        if max(p) - min(p) < 90:  # muted background
            continue
        name = min(PALETTE, key=lambda c: sum((a - b) ** 2 for a, b in zip(p, PALETTE[c])))
        counts[name] = counts.get(name, 0) + 1
    return {c for c, k in counts.items() if k >= min_px}

sampled = list(range(0, n, step))
frames = video_clue_0.get_batch(sampled)
seen = {}
for i, frame in zip(sampled, frames):
    for c in colours_in(frame):
        seen.setdefault(c, []).append(i)
print(f"{n} frames at {fps:g} fps; sampled every {step} frames ({len(sampled)} frames)")
for c, frames in sorted(seen.items(), key=lambda kv: kv[1][0]):
    print(f"  {c}: in {len(frames)}/{len(sampled)} sampled frames")
transient = {c: f for c, f in seen.items() if len(f) < len(sampled) / 2}
for c, f in sorted(transient.items(), key=lambda kv: kv[1][0]):
    print(f"transient {c}: sampled frames {f[0]}-{f[-1]}")`;
}

/** Dense look around each transient colour: exact extent, and one frame shown per object. */
export function videoLookCode(): string {
  return `# Check every frame around each sighting, then look at the middle frame of each event
events = []
for c, f in sorted(transient.items(), key=lambda kv: kv[1][0]):
    lo, hi = max(0, f[0] - step), min(n - 1, f[-1] + step)
    dense = [i for i in range(lo, hi + 1) if c in colours_in(video_clue_0[i])]
    events.append((c, dense[0], dense[-1]))
for c, a, b in events:
    print(f"{c}: visible in frames {a}-{b} of {n} ({a / fps:.1f}s to {b / fps:.1f}s)")
    mid = (a + b) // 2
    plt.imshow(video_clue_0[mid].asnumpy())
    plt.title(f"frame {mid}")
    plt.axis('off')
    plt.show()`;
}

export interface Slip {
  code: string;
  /** What went wrong, for the fix turn's reasoning. */
  what: string;
}

/** A realistic coding slip (a typo'd name or method) in `code`, or null if none applies. */
export function makeSlip(code: string, rng: Rng): Slip | null {
  const options: Array<[RegExp, string, string]> = [
    [/image_clue_0/, 'image_clue0', 'I wrote `image_clue0` instead of `image_clue_0`'],
    [/video_clue_0/, 'video_clue', 'I wrote `video_clue` instead of `video_clue_0`'],
    [/\.crop\(/, '.crops(', 'PIL images have `crop`, not `crops`'],
    [/\.resize\(/, '.rezise(', 'I misspelled `resize`'],
    [/\bplt\.imshow\(/, 'plt.imgshow(', 'the function is `plt.imshow`, not `plt.imgshow`'],
    [/\bPALETTE\[/, 'PALLETE[', 'I misspelled `PALETTE`'],
  ];
  const usable = options.filter(([re]) => re.test(code));
  if (usable.length === 0) return null;
  const [re, to, what] = rng.pick(usable);
  return { code: code.replace(re, to), what };
}
