"""The in-interpreter side of the PyVision Python runtime.

One interpreter (one worker) hosts one or more sessions. A session is one trajectory's
Python state: its own globals dict, its own bound inputs (image_clue_*, video_clue_0) and its
own figure list. The TypeScript handler calls the functions at the bottom of this file.

Why a harness in Python rather than TS: stdout capture, the figure hook and the
"show the last expression" rule are all easier and cheaper to do where the code runs.
"""

import ast
import io
import sys
import time
import traceback

import _pv_capture

# Modules present before any session ran: whatever a session imports beyond these is
# dropped from sys.modules once no session is open, so module-level monkeypatching does not
# leak into a later session hosted by the same interpreter.
_BASELINE_MODULES = set(sys.modules)
# The compatibility packages (pure Python) are each session's own: a session imports them
# fresh, and its copies are swapped into sys.modules only while it runs. One interpreter hosts
# several sessions at once (RL rollouts in lockstep), so dropping them from sys.modules when
# another session closed or reset would leave a running session's images instances of a PIL
# class its next `from PIL import Image` no longer sees ("cannot determine region size").
# The tools bind PIL when they are imported (pv_video: `from PIL import Image`), so they are a
# session's own as well.
_PER_SESSION_PACKAGES = ("PIL", "matplotlib", "decord", "pv_tools", "pv_generated", "pv_vision", "pv_video")
_HARNESS_MODULES = ("_pv_harness", "_pv_capture", "_pv_imaging", "_pv_host", "_pv_vision")

_limits = {
    "max_output_chars": 20000,
    "max_figures": 8,
}
_real_packages = False
_sessions = {}


class _CappedWriter(io.TextIOBase):
    """stdout/stderr replacement that keeps at most `cap` characters of one call."""

    def __init__(self, cap):
        self.parts = []
        self.kept = 0
        self.dropped = 0
        self.cap = cap

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.cap - self.kept
        if room > 0:
            piece = text[:room]
            self.parts.append(piece)
            self.kept += len(piece)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def flush(self):
        pass

    def getvalue(self):
        return "".join(self.parts)


class _NoInput(io.TextIOBase):
    """There is nobody to answer input(): fail fast instead of blocking the worker."""

    def readable(self):
        return True

    def readline(self, *args):
        raise EOFError("input() is not available: the code runs without a user at a terminal")

    read = readline


class Session:
    def __init__(self, sid):
        self.sid = sid
        self.images = []  # (mode, width, height, bytes)
        self.video = None  # dict(width, height, frame_count, fps) or None
        self.figures = []
        self.figures_dropped = 0
        self.ns = {}
        # This session's own copies of the per-session packages, set aside while others run.
        self.modules = {}

    def rebind(self):
        """Fresh namespace with the inputs bound, as at the start of a trajectory."""
        self.ns = {"__name__": "__main__", "__builtins__": __builtins__}
        # PyVision-style code uses these without importing them (its executor pre-imports).
        import matplotlib.pyplot as plt
        from PIL import Image

        from pv_tools import count, detect, find, read_text, scan_video, zoom

        self.ns.update(plt=plt, Image=Image, detect=detect, find=find, count=count, read_text=read_text, zoom=zoom, scan_video=scan_video)
        for i, (mode, width, height, data) in enumerate(self.images):
            self.ns["image_clue_%d" % i] = _make_image(mode, width, height, data)
        if self.video is not None:
            self.ns["video_clue_0"] = _make_video(self.sid, self.video)


def _make_image(mode, width, height, data):
    from PIL import Image

    return Image.frombytes(mode, (width, height), bytes(data))


class _FrameSource:
    """What decord's VideoReader reads from: frames come from the host on demand."""

    def __init__(self, sid, meta):
        self.sid = sid
        self.width = int(meta["width"])
        self.height = int(meta["height"])
        self.frame_count = int(meta["frame_count"])
        self.fps = float(meta["fps"])

    def read(self, index):
        import _pv_host

        return _pv_host.read_frame(self.sid, int(index)).to_bytes()


def _make_video(sid, meta):
    import decord

    name = "video_clue_0"
    decord.register_source(name, _FrameSource(sid, meta))
    return decord.VideoReader(name)


def _figure_sink(mode, width, height, data, titles):
    """Called by plt.show() (compat layer, or the patched real pyplot)."""
    session = _current_session
    if session is None:
        return
    if len(session.figures) >= _limits["max_figures"]:
        session.figures_dropped += 1
        return
    session.figures.append(
        {"mode": mode, "width": int(width), "height": int(height), "data": bytes(data), "titles": [str(t) for t in titles]}
    )


_current_session = None
_pv_capture.set_sink(_figure_sink)


def _install_real_pyplot_hook():
    """With real matplotlib, plt.show() renders each open figure with Agg and hands it over."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def show(*args, **kwargs):
        for num in plt.get_fignums():
            fig = plt.figure(num)
            fig.canvas.draw()
            width, height = fig.canvas.get_width_height()
            titles = [ax.get_title() for ax in fig.get_axes() if ax.get_title()]
            if fig._suptitle is not None:
                titles.insert(0, fig._suptitle.get_text())
            _figure_sink("RGBA", width, height, bytes(fig.canvas.buffer_rgba()), titles)
        plt.close("all")

    plt.show = show


def configure(max_output_chars, max_figures, real_packages):
    global _real_packages
    _limits["max_output_chars"] = int(max_output_chars)
    _limits["max_figures"] = int(max_figures)
    _real_packages = bool(real_packages)
    if _real_packages:
        _install_real_pyplot_hook()


def _own_module(name):
    """Whether a module in sys.modules is a session's own copy (swapped in and out with it)."""
    return not _real_packages and name.split(".")[0] in _PER_SESSION_PACKAGES


def _drop_own_modules():
    for name in [n for n in sys.modules if _own_module(n)]:
        del sys.modules[name]


def _enter(session):
    """Installs the session's own per-session modules (none yet: they are imported fresh)."""
    _drop_own_modules()
    sys.modules.update(session.modules)


def _leave(session):
    """Sets the session's per-session modules aside, out of sys.modules."""
    session.modules = {n: m for n, m in sys.modules.items() if _own_module(n)}
    for name in session.modules:
        del sys.modules[name]


def open_session(sid, images, video):
    """images: list of (mode, width, height, bytes); video: dict or None."""
    session = Session(sid)
    session.images = [tuple(img) for img in images]
    session.video = dict(video) if video is not None else None
    _rebind(session)
    _sessions[sid] = session


def _rebind(session):
    """session.rebind() with the session's own modules installed."""
    _enter(session)
    try:
        session.rebind()
    finally:
        _leave(session)


def _session(sid):
    try:
        return _sessions[sid]
    except KeyError:
        raise KeyError("no Python session %r here (it was closed, lost or never opened)" % sid) from None


def reset_session(sid):
    session = _session(sid)
    session.modules = {}
    if len(_sessions) == 1:
        _purge_shared_modules()
    session.figures = []
    session.figures_dropped = 0
    _rebind(session)


def close_session(sid):
    session = _sessions.pop(sid, None)
    if session is not None:
        session.ns.clear()
        session.modules = {}
    if not _sessions:
        _purge_shared_modules()


def _purge_shared_modules():
    """Drops what sessions imported beyond the baseline; only when no other session uses it."""
    for name in list(sys.modules):
        if name not in _BASELINE_MODULES and name.split(".")[0] not in _HARNESS_MODULES:
            del sys.modules[name]


def _split_last_expression(code):
    """Jupyter's rule: if the cell ends with an expression, its value is shown."""
    tree = ast.parse(code, "<cell>", "exec")
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
        return compile(tree, "<cell>", "exec"), compile(last, "<cell>", "eval")
    return compile(tree, "<cell>", "exec"), None


def run(sid, code):
    """Run one cell in a session; returns a plain dict (the handler converts it)."""
    global _current_session
    session = _session(sid)
    session.figures = []
    session.figures_dropped = 0
    out = _CappedWriter(_limits["max_output_chars"])
    saved = sys.stdout, sys.stderr, sys.stdin
    sys.stdout = sys.stderr = out
    sys.stdin = _NoInput()
    _current_session = session
    error = None
    started = time.perf_counter()
    try:
        _enter(session)
        body, last = _split_last_expression(code)
        exec(body, session.ns)
        if last is not None:
            value = eval(last, session.ns)
            if value is not None:
                print(repr(value))
    except BaseException as exc:  # noqa: BLE001 - everything is reported, nothing escapes
        error = {
            "type": type(exc).__name__,
            "message": _one_line(exc),
            "traceback": _user_traceback(exc),
        }
    finally:
        _leave(session)
        sys.stdout, sys.stderr, sys.stdin = saved
        _current_session = None
    output = out.getvalue()
    if out.dropped:
        output += "\n… [output truncated: %d more characters not shown]\n" % out.dropped
    return {
        "output": output,
        "output_truncated": out.dropped > 0,
        "figures": session.figures,
        "figures_dropped": session.figures_dropped,
        "error": error,
        "wall_ms": (time.perf_counter() - started) * 1000.0,
    }


def recover():
    """After an interrupt that landed outside run()'s try block: undo its redirections."""
    global _current_session
    sys.stdout, sys.stderr, sys.stdin = sys.__stdout__, sys.__stderr__, sys.__stdin__
    _current_session = None
    # A session's own modules may still be installed: nobody's now (that session re-imports).
    _drop_own_modules()


def _one_line(exc):
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return ("%s: %s" % (type(exc).__name__, first)) if first else type(exc).__name__


def _user_traceback(exc):
    """The traceback without the harness's own frames: only what the cell did."""
    frames = traceback.extract_tb(exc.__traceback__)
    frames = [f for f in frames if f.filename != __file__]
    lines = ["Traceback (most recent call last):\n"] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)
