"""Vision tools bound in every session next to `plt` and `Image`:
detect, find, count, read_text, zoom, scan_video.

Why they exist: PyVision's point is that the policy perceives THROUGH code. A small policy that
sees each image as a handful of visual tokens can neither spot a bird in a photo nor write sixty
lines of mask code inside its context. With these tools each call is one line
(`find(image_clue_0, "the cup")`) and the policy still decides what to call, with which
words, and reads what comes back. A larger model may ignore them and write its own code.

One API for two worlds. A query phrase is copied from the question ("the red cars", "a dog",
"animals", "the stars") and parsed (`_pv_vision.parse_query`):
- it names things the detector knows (COCO's 80 classes, their plurals and synonyms, or a
  category: animal, vehicle, fruit, food, …) → the pretrained detector (pv_vision.py);
- it names a shape, or a colour of the generated tasks' palette and nothing else → the generated
  tasks' exact algorithms (pv_generated.py), falling back to photo colour segmentation when the
  palette finds nothing;
- anything else is answered honestly (found=unknown) with what can be measured (colours).
Everything prints `key=value` fields; the value to copy follows a key that names it.
"""
import pv_generated
import pv_vision
from pv_generated import PALETTE, SHAPES


def _phrase(query, colour, shape):
    return '"%s"' % query if query else " ".join(x for x in ("colour=%s" % colour if colour else "", "shape=%s" % shape if shape else "") if x)


def _route(query, colour, shape):
    """('things' | 'shapes' | 'colour' | 'unknown', parsed query)."""
    q = pv_vision.parse(query) if query else {"labels": None, "colour": None, "shape": None, "unknown": [], "category": None, "any": False}
    if colour is not None:
        named = pv_vision.colour_word(colour)
        if named is None:
            raise ValueError("unknown colour %r; known: %s" % (colour, ", ".join(pv_vision.COLOURS)))
        colour = named
    colour = colour or q["colour"]
    shape = shape or q["shape"]
    if shape is not None and shape not in SHAPES:
        raise ValueError("unknown shape %r; known: %s" % (shape, ", ".join(SHAPES)))
    q["colour"], q["shape"] = colour, shape
    if q["labels"] and not shape:
        return "things", q
    if shape or (colour in PALETTE and not q["unknown"]):
        return "shapes", q
    if colour:
        return "colour", q
    return "unknown", q


def detect(image, query=None, show=True):
    """List the objects the detector sees (COCO's 80 classes), best first, one line each:
    object=, colour=, score=, quadrant=, box=(x0, y0, x1, y1). `query` keeps some classes
    ("animals", "the cars"). Shows the image with labelled boxes. Returns a list of Found."""
    labels = pv_vision.parse(query)["labels"] if query else None
    found = pv_vision.detections(image, labels, tiles=True)
    W, H = image.size
    print("detect%s: %d object%s in the %dx%d image" % (" " + _phrase(query, None, None) if query else "", len(found), "" if len(found) == 1 else "s", W, H))
    for f in found[:8]:
        print(pv_vision.found_line(f, W, H))
    if show and found:
        pv_vision.show_boxes(image, [(f.box, "%s %.2f" % (f.object, f.score)) for f in found[:12]], "detect")
    return found


def find(image, query=None, colour=None, shape=None, show=True):
    """Locate what a phrase names ("the cup", "a red car", "animals", "the star"). Prints
    found=yes/no and a line per match (at most 3), the best first: object=, colour=, score=,
    quadrant=, box=. Looks closer (overlapping tiles) when the whole view finds nothing.
    Shows the matches. Returns the matches."""
    kind, q = _route(query, colour, shape)
    what = _phrase(query, q["colour"], q["shape"])
    if kind == "shapes":
        hits = pv_generated.find_shapes(image, None, q["colour"], q["shape"], show)
        if hits or q["shape"]:
            return hits
        kind = "colour"
    W, H = image.size
    if kind == "things":
        found = pv_vision.detections(image, q["labels"], q["colour"])
        closer = not found
        if closer:
            found = pv_vision.detections(image, q["labels"], q["colour"], tiles=True)
        print("find %s: found=%s, %d match%s in the %dx%d image%s" % (what, "yes" if found else "no", len(found), "" if len(found) == 1 else "es", W, H, " (closer look)" if closer else ""))
        _nearest_note(q)
        for f in found[:3]:
            print(pv_vision.found_line(f, W, H))
        if not found:
            _centre_line(image, query or what)
            others = sorted({f.object for f in pv_vision.detections(image, tiles=False)})
            print("  seen instead: %s" % (", ".join(others) if others else "nothing the detector knows"))
        if show and found:
            pv_vision.show_boxes(image, [(f.box, "%s %.2f" % (f.object, f.score)) for f in found[:3]], "find %s" % what)
        return found
    if kind == "colour":
        got = pv_vision.blobs(image, q["colour"])
        hits = sorted(got["blobs"], key=lambda b: -b["area"])
        print("find %s: found=%s, %d region%s of colour=%s in the %dx%d image" % (what, "yes" if hits else "no", len(hits), "" if len(hits) == 1 else "s", q["colour"], W, H))
        for b in hits[:3]:
            print("  colour=%s quadrant=%s box=(%d, %d, %d, %d)" % ((q["colour"], pv_vision.quadrant(b["box"], W, H)) + tuple(b["box"])))
        if show and hits:
            pv_vision.show_boxes(image, [(b["box"], q["colour"]) for b in hits[:3]], "find %s" % what)
        return hits
    # A noun the detector has no class for: say so, and give the colour of the picture's centre.
    noun = " ".join(q["unknown"]) or (query or "?")
    print("find %s: found=unknown, the detector has no class for %r" % (what, noun))
    _centre_line(image, noun)
    return []


def _nearest_note(q):
    """A noun the detector has no class for was looked up as its category ("camels" -> animals)."""
    if q.get("nearest"):
        print("  note: the detector has no class for %r; looked for any %s instead" % (" ".join(q["unknown"]), q["category"]))


def _centre_line(image, words):
    """What a photo's main subject most likely is coloured: the centre against its surroundings.
    Printed when the asked object was not detected, since people ask the colour of what they see."""
    W, H = image.size
    noun = "-".join(w for w in str(words).lower().replace('"', "").split() if w not in ("the", "a", "an", "any", "some")) or "object"
    centre = (W // 4, H // 4, W - W // 4, H - H // 4)
    print("  object=%s colour=%s source=centre of the picture, not detected" % (noun, pv_vision.colour_of(image, centre)))


def count(image, query=None, colour=None, shape=None):
    """Count what a phrase names ("the birds", "people", "red cars", "the stars", "the yellow
    candies"): detected objects (whole view and a closer look), the generated tasks' shapes, or
    regions of one colour. Prints 'count=N' and returns N."""
    kind, q = _route(query, colour, shape)
    what = _phrase(query, q["colour"], q["shape"])
    if kind == "shapes":
        n = pv_generated.count_shapes(image, None, q["colour"], q["shape"])
        if n or q["shape"]:
            return n
        kind = "colour"
    if kind == "things":
        found = pv_vision.detections(image, q["labels"], q["colour"], tiles=True)
        print("count %s: count=%d (detector, whole image and a closer look, score >= %.2f)" % (what, len(found), pv_vision.MIN_SCORE))
        _nearest_note(q)
        W, H = image.size
        for f in found[:5]:
            print(pv_vision.found_line(f, W, H))
        if found:
            pv_vision.show_boxes(image, [(f.box, "%s %d" % (f.object, i + 1)) for i, f in enumerate(found[:20])], "count %s" % what)
        return len(found)
    if kind == "colour":
        got = pv_vision.blobs(image, q["colour"])
        merged = " (%d of them counted as touching objects)" % got["merged"] if got["merged"] else ""
        print("count %s: count=%d (colour segmentation: %d region%s of colour=%s%s)" % (what, got["count"], len(got["blobs"]), "" if len(got["blobs"]) == 1 else "s", q["colour"], merged))
        if got["blobs"]:
            pv_vision.show_boxes(image, [(b["box"], "%d" % (i + 1)) for i, b in enumerate(got["blobs"][:30])], "count %s" % what)
        return got["count"]
    noun = " ".join(q["unknown"]) or (query or "?")
    print("count %s: count=0 (the detector has no class for %r and no colour was named)" % (what, noun))
    return 0


def read_text(image, box=None, show=True):
    """Read the text in an image, or in box=(x0, y0, x1, y1) of it (OCR). Prints text= (all
    lines joined; text=none when nothing is legible) and one line per text line. Returns the text."""
    return pv_vision.read_text(image, box, show)[0]


def zoom(image, box, factor=None, show=True):
    """Crop box=(x0, y0, x1, y1) (plus a 10 % margin) and enlarge it (to about 512 px, or by
    `factor`). Shows and returns the enlarged crop."""
    import matplotlib.pyplot as plt
    from PIL import Image

    W, H = image.size
    x0, y0, x1, y1 = (int(v) for v in box)
    mx, my = (x1 - x0) // 10, (y1 - y0) // 10
    crop = image.crop((max(0, x0 - mx), max(0, y0 - my), min(W, x1 + mx), min(H, y1 + my)))
    f = factor or max(1, 512 // max(1, max(crop.size)))
    if f != 1:
        crop = crop.resize((max(1, int(crop.width * f)), max(1, int(crop.height * f))), Image.BICUBIC)
    print("zoom box=(%d, %d, %d, %d): %dx%d" % (x0, y0, x1, y1, crop.width, crop.height))
    if show:
        plt.imshow(crop)
        plt.title("zoom")
        plt.axis("off")
        plt.show()
    return crop


def scan_video(video, query=None, show=True):
    """Find what comes and goes in a video, in order of appearance. With a query that names
    things ("animals", "the car", "objects") the detector looks at sampled frames, then closer
    around each event; without one, the generated videos' coloured shapes are scanned. One line
    per event: first object=…, colour=, part= (beginning/middle/end), frames=, seconds."""
    if query:
        q = pv_vision.parse(query)
        if q["labels"]:
            import pv_video

            return pv_video.scan_objects(video, q["labels"], _phrase(query, None, None), show)
    return pv_generated.scan_colours(video, show)
