"""Vision on real photos and videos: the pretrained models behind the tools (pv_tools.py).

- Object detection (CenterNet, COCO's 80 classes) and OCR (Tesseract) run in the host's
  perception service, reached synchronously through `_pv_host.perceive`: one loaded model serves
  every Python worker. Images are box-reduced here first (the detector sees 512 px; sending 12
  megapixels would only cost copies) and boxes are mapped back to the caller's pixels.
- Colour names, colour segmentation, query parsing and box drawing are pure pixel or word work
  done in this worker by `_pv_vision` (workers/python/visionBridge.ts).

Printed output is `key=value` fields, the value a small policy copies into its answer sitting
right after a key that names it: object=, colour=, found=, count=, text=, part=.
"""
import json

import _pv_vision

# Colour words the tools name (src/perception/vocabulary.ts COLOUR_NAMES).
COLOURS = ("red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "brown", "black", "white", "grey")
# Scores at or above this count as seen (calibrated on the training photos, not the eval set).
MIN_SCORE = 0.3
_SEND_SIDE = 1280
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


class Found(tuple):
    """One detection: (object, colour, score, box); attributes for readable code."""

    __slots__ = ()

    def __new__(cls, label, colour, score, box):
        return tuple.__new__(cls, (label, colour, score, box))

    object = property(lambda self: self[0])
    colour = property(lambda self: self[1])
    score = property(lambda self: self[2])
    box = property(lambda self: self[3])

    def __repr__(self):
        return "Found(object=%r, colour=%r, score=%.2f, box=%r)" % self


def parse(query):
    """What a phrase asks for: labels (detector classes or None), category, colour, shape, unknown."""
    return json.loads(_pv_vision.parse_query(query or ""))


def colour_word(word):
    """The tools' name for a colour word ("gray" -> "grey"), or None."""
    return json.loads(_pv_vision.colour_word(str(word)))


def _rgb(img):
    if not (hasattr(img, "mode") and hasattr(img, "convert") and hasattr(img, "size")):
        raise TypeError("expected a PIL image (such as image_clue_0), got %s" % type(img).__name__)
    if img.width < 1 or img.height < 1:
        raise ValueError("the image is empty (%dx%d)" % img.size)
    return img if img.mode == "RGB" else img.convert("RGB")


def _reduced(img, side):
    """(RGB copy with both sides at most `side`, integer scale back to img's pixels)."""
    img = _rgb(img)
    k = max(1, -(-max(img.size) // side))
    return (img.reduce(k) if k > 1 else img), k


def perceive(op, img, **options):
    """One synchronous call to the host's perception service; raises RuntimeError on failure."""
    import _pv_host

    img = _rgb(img)
    try:
        text = _pv_host.perceive(op, img.tobytes(), img.width, img.height, 3, json.dumps(options))
    except Exception as exc:  # an interrupted wait (timeout, Stop) arrives as a JS error
        if "KeyboardInterrupt" in str(exc):
            raise KeyboardInterrupt from None
        raise
    out = json.loads(text)
    if "error" in out:
        raise RuntimeError(out["error"])
    return out


def object_colour(img, box):
    """The colour of what is in `box`, against what surrounds it (colour.ts objectColour)."""
    small, k = _reduced(img, 640)
    b = [int(v) // k for v in box]
    got = json.loads(_pv_vision.object_colour(small.tobytes(), small.width, small.height, 3, b))
    return got["name"] if got else "unknown"


def colour_of(img, box=None):
    """The colour word most of a region's pixels have (not its mean colour), or None."""
    img = _rgb(img)
    got = json.loads(_pv_vision.dominant_colour(img.tobytes(), img.width, img.height, 3, list(box) if box else None))
    return got["name"] if got else None


def detections(img, labels=None, colour=None, tiles=False):
    """Found objects, best first, optionally of some classes and of one colour."""
    small, k = _reduced(img, _SEND_SIDE)
    raw = perceive("detect", small, minScore=MIN_SCORE, tiles=bool(tiles))["detections"]
    data = small.tobytes()
    out = []
    for d in raw:
        if labels is not None and d["label"] not in labels:
            continue
        shade = json.loads(_pv_vision.object_colour(data, small.width, small.height, 3, d["box"]))
        name = shade["name"] if shade else "unknown"
        if colour is not None and name != colour:
            continue
        x0, y0, x1, y1 = d["box"]
        box = (x0 * k, y0 * k, min(img.width, x1 * k), min(img.height, y1 * k))
        out.append(Found(d["label"], name, float(d["score"]), box))
    return out


def quadrant(box, W, H):
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return ("top" if cy < H / 2 else "bottom") + "-" + ("left" if cx < W / 2 else "right")


def found_line(f, W, H):
    x0, y0, x1, y1 = f.box
    return "  object=%s colour=%s score=%.2f quadrant=%s box=(%d, %d, %d, %d)" % (f.object, f.colour, f.score, quadrant(f.box, W, H), x0, y0, x1, y1)


def show_boxes(img, items, title):
    """Shows the image with each (box, label) drawn, reduced to at most 1024 px."""
    import matplotlib.pyplot as plt
    from PIL import Image

    small, k = _reduced(img, 1024)
    rows = [(b[0] // k, b[1] // k, b[2] // k, b[3] // k, label) for b, label in items]
    drawn = _pv_vision.draw_boxes(small.tobytes(), small.width, small.height, 3, rows).to_py()
    plt.imshow(Image.frombytes("RGB", (drawn["width"], drawn["height"]), bytes(drawn["data"])))
    plt.title(title)
    plt.axis("off")
    plt.show()


def blobs(img, colour):
    """Colour segmentation of a photo: {'count', 'blobs': [{'box', 'area', 'objects'}], 'merged'}."""
    small, k = _reduced(img, 640)
    got = json.loads(_pv_vision.colour_blobs(small.tobytes(), small.width, small.height, 3, colour))
    for b in got["blobs"]:
        b["box"] = tuple(int(v * k) for v in b["box"])
    return got


def read_text(img, box=None, show=True):
    """OCR of an image or a box of it: ('joined text' or '', [lines]); prints text= lines."""
    region = _rgb(img).crop(tuple(int(v) for v in box)) if box else _rgb(img)
    got = perceive("ocr", region)
    lines = got["lines"]
    if box:
        for line in lines:
            line["box"] = [line["box"][0] + box[0], line["box"][1] + box[1], line["box"][2] + box[0], line["box"][3] + box[1]]
    joined = " ".join(line["text"] for line in lines)
    where = "the box (%d, %d, %d, %d)" % tuple(box) if box else "the %dx%d image" % img.size
    if not lines:
        print("read_text: no text found in %s" % where)
        print("  text=none")
        return "", []
    print("read_text: %d line%s in %s" % (len(lines), "" if len(lines) == 1 else "s", where))
    print("  text=%s" % joined)
    for i, line in enumerate(lines[:6]):
        print("  line %d: confidence=%d box=(%d, %d, %d, %d) %s" % ((i + 1, line["confidence"]) + tuple(line["box"]) + (line["text"],)))
    if show:
        show_boxes(img, [(tuple(line["box"]), "text") for line in lines[:12]], "read_text")
    return joined, lines


def ordinal(i):
    return _ORDINALS[i] if i < len(_ORDINALS) else "%dth" % (i + 1)


def part_of(mid, n):
    return ("beginning", "middle", "end")[min(2, (3 * mid) // max(1, n))]
