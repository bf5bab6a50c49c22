"""The generated tasks' vision algorithms: flat palette colours and five outline shapes on a
textured canvas (src/tasks/). pv_tools.py routes a query here when it names a shape or one of the
palette colours, and to the detector (pv_vision.py) when it names a thing.

They use only PIL operations the offline compat layer provides (split, point, composite, tobytes,
crop, resize) and scan mask bytes with `re` (C speed) instead of looping over pixels in Python.
The algorithms are the scripted expert's (src/policies/expertScripts.ts, searchScripts.ts). Output
is `key=value` fields: a printed value such as `colour=red` or `count=4` tokenizes exactly like the
answer `\\boxed{red}` or `\\boxed{4}`, so reading an answer back is a plain copy.
"""
import re

# Must equal COLOUR_RGB in src/tasks/palette.ts (a unit test checks it).
PALETTE = {
    "red": (215, 35, 35),
    "orange": (245, 135, 20),
    "yellow": (240, 215, 30),
    "green": (40, 170, 60),
    "cyan": (30, 200, 215),
    "blue": (35, 75, 215),
    "purple": (135, 50, 195),
    "pink": (240, 90, 180),
}
SHAPES = ("circle", "square", "triangle", "star", "diamond")
_PARTS = ("beginning", "middle", "end")


def _query(query, colour, shape):
    """colour and shape from the words of a query ("the red squares"), unless given by name."""
    if query:
        words = re.findall(r"[a-z]+", query.lower())
        colour = colour or next((w for w in words if w in PALETTE), None)
        shape = shape or next((w[:-1] if w[:-1] in SHAPES else w for w in words if w in SHAPES or w[:-1] in SHAPES), None)
        if colour is None and shape is None:
            raise ValueError("%r names no colour (%s) and no shape (%s)" % (query, ", ".join(PALETTE), ", ".join(SHAPES)))
    _check(colour, shape)
    return colour, shape


def _check(colour, shape):
    if colour is not None and colour not in PALETTE:
        raise ValueError("unknown colour %r; known: %s" % (colour, ", ".join(PALETTE)))
    if shape is not None and shape not in SHAPES:
        raise ValueError("unknown shape %r; known: %s" % (shape, ", ".join(SHAPES)))


def _mask(img, rgb, tol=40):
    """255 where every band is within tol of the colour (the objects are flat colours)."""
    from PIL import Image

    black = Image.new("L", img.size, 0)
    mask = None
    for band, c in zip(img.split(), rgb):
        m = band.point(lambda v, c=c: 255 if abs(v - c) <= tol else 0)
        mask = m if mask is None else Image.composite(mask, black, m)
    return mask


def _components(mask):
    """Connected components of a mask as lists of horizontal runs (y, x0, x1); union-find."""
    W, H = mask.size
    data = mask.tobytes()
    parent, runs, prev = [], [], []

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for y in range(H):
        cur = []
        for m in re.finditer(rb"\xff+", data[y * W:(y + 1) * W]):
            x0, x1 = m.span()
            i = len(runs)
            runs.append((y, x0, x1))
            parent.append(i)
            for j in prev:  # runs of the row above that touch this one (diagonals included)
                if runs[j][1] <= x1 and x0 <= runs[j][2]:
                    a, b = root(i), root(j)
                    if a != b:
                        parent[a] = b
            cur.append(i)
        prev = cur
    groups = {}
    for i, r in enumerate(runs):
        groups.setdefault(root(i), []).append(r)
    return list(groups.values())


def _area(runs):
    return sum(b - a for _, a, b in runs)


def _bbox(runs, dx=0, dy=0):
    return (min(r[1] for r in runs) + dx, runs[0][0] + dy, max(r[2] for r in runs) + dx, runs[-1][0] + 1 + dy)


def _shape_of(runs):
    """Name an outline from its rows: fill ratio, top vs bottom width, two legs for a star."""
    x0, y0, x1, y1 = _bbox(runs)
    w, h = x1 - x0, y1 - y0
    rows = {}
    for y, a, b in runs:
        rows.setdefault(y, []).append(b - a)
    fill = _area(runs) / (w * h)

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
    return "diamond"


def _quadrant(cx, cy, W, H):
    return ("top" if cy < H / 2 else "bottom") + "-" + ("left" if cx < W / 2 else "right")


def _show_around(img, box, title, side=192):
    """Show a window three object-sizes wide around box, enlarged to about `side` pixels."""
    import matplotlib.pyplot as plt
    from PIL import Image

    W, H = img.size
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    s = max(8, 3 * max(box[2] - box[0], box[3] - box[1]) // 2)
    crop = img.crop((max(0, cx - s), max(0, cy - s), min(W, cx + s), min(H, cy + s)))
    z = max(1, side // max(crop.size))
    if z > 1:
        crop = crop.resize((crop.width * z, crop.height * z), Image.NEAREST)
    plt.imshow(crop)
    plt.title(title)
    plt.axis("off")
    plt.show()


def _describe(query, colour, shape):
    if query:
        return '"%s"' % query
    return " ".join(x for x in ("colour=%s" % colour if colour else "", "shape=%s" % shape if shape else "") if x)


def find_shapes(image, query=None, colour=None, shape=None, show=True):
    """Locate objects named by a query ("the red object", "the star") or by colour=/shape=.
    Prints one line per match (at most 3): colour, shape, quadrant, centre and box
    (x0, y0, x1, y1); shows the first match enlarged. Returns the matches as (colour, shape, box)."""
    from PIL import Image

    what = _describe(query, colour, shape)
    colour, shape = _query(query, colour, shape)
    img = image.convert("RGB")
    W, H = img.size
    # Candidates come from a half-size copy (4x cheaper); each is checked again at full size.
    small = img.resize((max(1, W // 2), max(1, H // 2)), Image.NEAREST)
    hits = []
    for name in [colour] if colour else list(PALETTE):
        for comp in _components(_mask(small, PALETTE[name])):
            if len(comp) <= 2:  # a speck
                continue
            x0, y0, x1, y1 = _bbox(comp)
            box = (max(0, 2 * x0 - 3), max(0, 2 * y0 - 3), min(W, 2 * x1 + 3), min(H, 2 * y1 + 3))
            full = _components(_mask(img.crop(box), PALETTE[name]))
            if not full:
                continue
            best = max(full, key=_area)
            kind = _shape_of(best)
            if shape is None or kind == shape:
                hits.append((name, kind, _bbox(best, box[0], box[1])))
    print("find %s: %d match%s in the %dx%d image" % (what, len(hits), "" if len(hits) == 1 else "es", W, H))
    for name, kind, (x0, y0, x1, y1) in hits[:3]:
        cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
        print("  colour=%s shape=%s quadrant=%s centre=(%d, %d) box=(%d, %d, %d, %d)" % (name, kind, _quadrant(cx, cy, W, H), cx, cy, x0, y0, x1, y1))
    if show and hits:
        name, kind, box = hits[0]
        _show_around(img, box, "%s %s" % (name, kind))
    return hits


def count_shapes(image, query=None, colour=None, shape=None):
    """Count objects named by a query ("the red squares", "the stars") or by colour=/shape=
    (colour masks, connected components, outline test). Prints 'count=N' and returns N."""
    from PIL import Image

    named = _describe(query, colour, shape)
    colour, shape = _query(query, colour, shape)
    img = image.convert("RGB")
    # Half resolution keeps every object above ~11 px on the large canvases and is 4x cheaper.
    k = 2 if max(img.size) > 1100 else 1
    if k > 1:
        img = img.resize((img.width // k, img.height // k), Image.NEAREST)
    found = []
    for name in [colour] if colour else list(PALETTE):
        for comp in _components(_mask(img, PALETTE[name])):
            if _area(comp) >= 20:  # ignore specks
                found.append((name, _shape_of(comp)))
    n = sum(1 for _, kind in found if shape is None or kind == shape)
    print("count %s: count=%d (%d objects checked)" % (named, n, len(found)))
    return n


def _colours_in(frame, min_px=4):
    """Named colours with at least min_px pixels in a 4x-downscaled frame."""
    from PIL import Image

    small = Image.fromarray(frame.asnumpy())
    small = small.resize((max(1, small.width // 4), max(1, small.height // 4)), Image.NEAREST)
    counts = {}
    for p in small.getdata():
        if max(p) - min(p) < 90:  # muted background
            continue
        name = min(PALETTE, key=lambda c: sum((a - b) ** 2 for a, b in zip(p, PALETTE[c])))
        counts[name] = counts.get(name, 0) + 1
    return {c for c, k in counts.items() if k >= min_px}


def _ordinal(i):
    return ("first", "second", "third", "fourth", "fifth")[i] if i < 5 else "%dth" % (i + 1)


def scan_colours(video, show=True):
    """Find the objects that come and go in a video. Samples frames densely enough that an
    appearance lasting 3 % of the clip cannot fall between two samples, keeps the colours seen
    in fewer than half of the samples, then checks every frame around each sighting. Prints one
    line per event in order of appearance (first, second, …: object, colour, shape, part of the
    clip, frame range, seconds) and shows the object in its middle frame. Returns the events as tuples."""
    from PIL import Image

    n = len(video)
    fps = video.get_avg_fps()
    step = max(1, int(n * 0.03))
    sampled = list(range(0, n, step))
    seen = {}
    for i, frame in zip(sampled, video.get_batch(sampled)):
        for c in _colours_in(frame):
            seen.setdefault(c, []).append(i)
    transient = sorted(((c, f) for c, f in seen.items() if len(f) < len(sampled) / 2), key=lambda cf: cf[1][0])
    print("scan_video: %d frames at %g fps, %d sampled; %d object(s) came and went" % (n, fps, len(sampled), len(transient)))
    events = []
    for rank, (c, f) in enumerate(transient):
        lo, hi = max(0, f[0] - step), min(n - 1, f[-1] + step)
        dense = [i for i in range(lo, hi + 1) if c in _colours_in(video[i])] or f
        a, b = dense[0], dense[-1]
        mid = (a + b) // 2
        frame = Image.fromarray(video[mid].asnumpy())
        comps = _components(_mask(frame, PALETTE[c]))
        best = max(comps, key=_area) if comps else None
        kind = _shape_of(best) if best else "object"
        part = _PARTS[min(2, (3 * (a + b)) // (2 * n))]
        events.append((c, kind, a, b, part))
        # The ordinal leads the line, so "the first object=" names one line and one only.
        print("  %s object=%s %s colour=%s shape=%s part=%s frames=%d-%d (%.1fs to %.1fs)" % (_ordinal(rank), c, kind, c, kind, part, a, b, a / fps, b / fps))
        if show and best:
            _show_around(frame, _bbox(best), "%s %s, frame %d" % (c, kind, mid))
    return events
