"""Scanning a real video for objects that come and go (scan_video with a query that names
things: "animals", "the car", "objects").

On-demand context construction: only the frames this code asks for are decoded. It samples
SAMPLES frames evenly, runs the detector on each, groups the samples in which a class was seen
into events (a single missed sample inside an event is bridged: detectors flicker), then takes a
closer look at each event's edges, halving the gap to the neighbouring sample REFINE times, so
an event's frames are known to about a sixteenth of the sample spacing at the cost of a few more
frames. Each event is printed in order of appearance with the same fields the generated videos'
scan prints (first object=…, part=…, frames=…), so one policy reads both.
"""
import time

from PIL import Image

from pv_vision import detections, ordinal, part_of, show_boxes

SAMPLES = 12
REFINE = 2
# Refinement stops once the scan has run this long, so a slow decoder or detector still leaves
# time inside the per-call limit to print what the samples showed.
BUDGET_S = 16.0


def _frame(video, i):
    f = video[i]
    return Image.frombytes("RGB", (f.shape[1], f.shape[0]), f.tobytes())


def _labels_in(video, i, labels, cache):
    if i not in cache:
        cache[i] = detections(_frame(video, i), labels)
    return {f.object for f in cache[i]}


def _runs(present, sampled):
    """Runs of sample positions where a class was seen, bridging one missed sample."""
    runs, cur, gap = [], None, 0
    for pos, _ in enumerate(sampled):
        if pos in present:
            if cur is not None and gap <= 1:
                cur[1] = pos
            else:
                if cur is not None:
                    runs.append(cur)
                cur = [pos, pos]
            gap = 0
        else:
            gap += 1
    if cur is not None:
        runs.append(cur)
    return runs


def _edge(video, label, inside, outside, labels, cache, deadline):
    """Moves `inside` (label seen) towards `outside` (not seen) by bisection, while time allows."""
    for _ in range(REFINE):
        if time.time() > deadline:
            break
        mid = (inside + outside) // 2
        if mid in (inside, outside):
            break
        if label in _labels_in(video, mid, labels, cache):
            inside = mid
        else:
            outside = mid
    return inside


def scan_objects(video, labels, what, show=True):
    deadline = time.time() + BUDGET_S
    n = len(video)
    fps = video.get_avg_fps()
    k = max(1, min(SAMPLES, n))
    sampled = sorted({min(n - 1, int((j + 0.5) * n / k)) for j in range(k)})
    cache = {}
    seen = {}
    for pos, i in enumerate(sampled):
        for label in _labels_in(video, i, labels, cache):
            seen.setdefault(label, set()).add(pos)
    events = []
    for label, present in seen.items():
        for a, b in _runs(present, sampled):
            # Seen in the first (last) sample: taken to run from the clip's start (to its end).
            start = 0 if a == 0 else _edge(video, label, sampled[a], sampled[a - 1], labels, cache, deadline)
            end = n - 1 if b == len(sampled) - 1 else _edge(video, label, sampled[b], sampled[b + 1], labels, cache, deadline)
            best = max((f for i in sampled[a:b + 1] for f in cache.get(i, []) if f.object == label), key=lambda f: f.score)
            events.append((start, end, label, best))
    events.sort(key=lambda e: (e[0], -e[3].score))
    print("scan_video %s: found=%s, %d frames at %g fps (%.1f s), %d sampled, %d looked at; %d event%s"
          % (what, "yes" if events else "no", n, fps, n / fps if fps else 0, len(sampled), len(cache), len(events), "" if len(events) == 1 else "s"))
    for rank, (a, b, label, best) in enumerate(events[:6]):
        print("  %s object=%s colour=%s part=%s frames=%d-%d (%.1fs to %.1fs) score=%.2f"
              % (ordinal(rank), label, best.colour, part_of((a + b) // 2, n), a, b, a / fps, b / fps, best.score))
    if show:
        for a, b, label, best in events[:3]:
            mid = min(cache, key=lambda i: abs(i - (a + b) // 2) if any(f.object == label for f in cache[i]) else n * 2)
            shown = [f for f in cache[mid] if f.object == label]
            show_boxes(_frame(video, mid), [(f.box, "%s %.2f" % (f.object, f.score)) for f in shown], "%s, frame %d" % (label, mid))
    return [(label, best.colour, a, b, part_of((a + b) // 2, n)) for a, b, label, best in events]

