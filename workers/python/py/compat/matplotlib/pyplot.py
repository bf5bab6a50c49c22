"""matplotlib.pyplot for the offline compatibility layer: the image-display subset PyVision code
uses (figure, subplots, imshow, titles, axis('off'), show, savefig, close).

How a figure becomes pixels (the kernels in src/imaging/figure.ts do the work):
- one axes with an image → exactly that image's pixels, no resampling, so crops stay crisp;
- several axes → a grid: each image scaled (BILINEAR, aspect kept) into a common cell size,
  cells separated by a small white gap; empty axes stay white;
- single-band images go through a colormap like matplotlib's: viridis by default, with min–max
  normalisation unless vmin/vmax are given; cmap="gray" for grey.
No text, ticks or frames are drawn: titles are returned beside the pixels.

`show()` hands every open figure to the runtime with
`_pv_capture.add_figure(mode, width, height, data_bytes, titles_list)` and closes it. Figures
without any image are dropped. Drawing calls this layer cannot render (plot, scatter, bar, …)
raise NotImplementedError instead of silently showing something different.
"""

import os
import sys

import _pv_imaging as _K

try:
    from pyodide.ffi import JsException
except ImportError:  # pragma: no cover
    class JsException(Exception):
        pass

_GAP = 8  # white pixels between grid cells


def _call(name, *args):
    try:
        return getattr(_K, name)(*args)
    except JsException as e:
        exc = MemoryError if getattr(e, "name", "") == "MemoryError" else ValueError
        raise exc(getattr(e, "message", None) or str(e)) from None


def _unsupported(what):
    return NotImplementedError(
        f"matplotlib.pyplot.{what} is not available in the offline compatibility layer "
        "(it supports showing images: imshow, subplots, titles, axis, show, savefig)"
    )


def _pixels_of(X):
    """(mode, width, height, bytes) for a PIL image or a uint8 array-like."""
    if hasattr(X, "mode") and hasattr(X, "tobytes") and hasattr(X, "size"):
        if X.mode not in ("L", "RGB", "RGBA"):
            X = X.convert("RGB")
        return X.mode, X.size[0], X.size[1], X.tobytes()
    arr = getattr(X, "__array_interface__", None)
    if arr is None:
        raise TypeError("imshow expects a PIL image or a uint8 array (this offline layer has no numpy)")
    shape = tuple(arr["shape"])
    if arr.get("typestr", "|u1") not in ("|u1", "<u1", ">u1"):
        raise TypeError(f"imshow: only uint8 arrays are supported offline, got {arr.get('typestr')!r}")
    data = arr["data"]
    if isinstance(data, tuple):
        data = X.tobytes()
    if len(shape) == 3 and shape[2] == 1:
        shape = shape[:2]
    if len(shape) == 2:
        return "L", shape[1], shape[0], bytes(data)
    if len(shape) == 3 and shape[2] in (3, 4):
        return ("RGB" if shape[2] == 3 else "RGBA"), shape[1], shape[0], bytes(data)
    raise TypeError(f"Invalid shape {shape} for image data")


class AxesImage:
    """What imshow returns; set_cmap / set_clim change how a single-band image is shown."""

    def __init__(self, mode, width, height, data, cmap, vmin, vmax):
        self.mode, self.width, self.height, self.data = mode, width, height, data
        self.cmap, self.vmin, self.vmax = cmap, vmin, vmax

    def set_cmap(self, cmap):
        self.cmap = cmap

    def set_clim(self, vmin=None, vmax=None):
        self.vmin, self.vmax = vmin, vmax

    def get_size(self):
        return (self.height, self.width)

    def display(self):
        """(mode, width, height, bytes) as shown: L through its colormap, others as they are."""
        if self.mode != "L":
            return self.mode, self.width, self.height, self.data
        cmap = self.cmap or "viridis"
        if not _K.colormap_known(cmap):
            print(f"matplotlib (offline compatibility layer): colormap {cmap!r} is not available, using viridis", file=sys.stderr)
        rgb = _call("colormap", self.data, self.width, self.height, cmap, self.vmin, self.vmax)
        return "RGB", self.width, self.height, rgb.to_bytes()


class Axes:
    def __init__(self, figure, nrows=1, ncols=1, index=1):
        self.figure = figure
        self.nrows, self.ncols = nrows, ncols
        self.row, self.col = divmod(index - 1, ncols)
        self._image = None
        self._title = ""
        self._axis_on = True

    def imshow(self, X, cmap=None, norm=None, aspect=None, interpolation=None, alpha=None, vmin=None, vmax=None, **kwargs):
        mode, w, h, data = _pixels_of(X)
        if hasattr(cmap, "name"):
            cmap = cmap.name
        self._image = AxesImage(mode, w, h, data, cmap, vmin, vmax)
        return self._image

    def set_title(self, label, *args, **kwargs):
        self._title = str(label)

    def get_title(self, loc="center"):
        return self._title

    def axis(self, arg=None, **kwargs):
        if arg in ("off", False):
            self._axis_on = False
        elif arg in ("on", True):
            self._axis_on = True
        return (0.0, 1.0, 0.0, 1.0)

    def set_axis_off(self):
        self._axis_on = False

    def set_axis_on(self):
        self._axis_on = True

    def _noop(self, *args, **kwargs):
        return None

    # Layout and decoration calls with nothing to draw here.
    set_xticks = set_yticks = set_xticklabels = set_yticklabels = _noop
    set_xlabel = set_ylabel = set_xlim = set_ylim = set_aspect = grid = _noop
    tick_params = legend = invert_yaxis = invert_xaxis = margins = _noop
    # Text is never rasterised (titles travel as text); free text is dropped.
    text = annotate = _noop

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise _unsupported(f"Axes.{name}")


class _Flat:
    """numpy's `.flat` for an axes array: iterable and indexable."""

    def __init__(self, items):
        self._items = items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __getitem__(self, i):
        return self._items[i]


class AxesArray:
    """The numpy object array matplotlib returns from subplots (row-major)."""

    def __init__(self, items, shape):
        self._items = list(items)
        self.shape = tuple(shape)

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: len(self._items))
    flat = property(lambda self: _Flat(self._items))

    def ravel(self):
        return AxesArray(self._items, (len(self._items),))

    flatten = ravel

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        n = len(self._items)
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        shape = tuple(n // known if s == -1 else s for s in shape)
        total = 1
        for s in shape:
            total *= s
        if total != n or len(shape) > 2:
            raise ValueError(f"cannot reshape array of size {n} into shape {shape}")
        return AxesArray(self._items, shape)

    def tolist(self):
        if self.ndim == 1:
            return list(self._items)
        c = self.shape[1]
        return [self._items[r * c : (r + 1) * c] for r in range(self.shape[0])]

    def __len__(self):
        return self.shape[0]

    def __iter__(self):
        for i in range(self.shape[0]):
            yield self[i]

    def _row(self, r):
        c = self.shape[1]
        return AxesArray(self._items[r * c : (r + 1) * c], (c,))

    def __getitem__(self, key):
        if isinstance(key, tuple):
            if len(key) == 1:
                return self[key[0]]
            if self.ndim != 2 or len(key) != 2:
                raise IndexError("too many indices for array")
            r, c = key
            if isinstance(r, slice) or isinstance(c, slice):
                rows = range(self.shape[0])[r] if isinstance(r, slice) else [range(self.shape[0])[r]]
                cols = range(self.shape[1])[c] if isinstance(c, slice) else [range(self.shape[1])[c]]
                items = [self._items[i * self.shape[1] + j] for i in rows for j in cols]
                if isinstance(r, slice) and isinstance(c, slice):
                    return AxesArray(items, (len(rows), len(cols)))
                return AxesArray(items, (len(items),))
            return self._items[range(self.shape[0])[r] * self.shape[1] + range(self.shape[1])[c]]
        if isinstance(key, slice):
            if self.ndim == 1:
                items = self._items[key]
                return AxesArray(items, (len(items),))
            rows = range(self.shape[0])[key]
            items = [a for r in rows for a in self._row(r)._items]
            return AxesArray(items, (len(rows), self.shape[1]))
        if self.ndim == 1:
            return self._items[key]
        return self._row(range(self.shape[0])[key])

    def __repr__(self):
        return f"AxesArray(shape={self.shape})"


class Figure:
    def __init__(self, number, figsize=None, dpi=None):
        self.number = number
        self.figsize = tuple(figsize) if figsize else (6.4, 4.8)
        self.dpi = dpi or 100
        self.axes = []
        self._suptitle = ""

    def add_subplot(self, *args, **kwargs):
        nrows, ncols, index = _subplot_spec(args)
        for ax in self.axes:  # like matplotlib, re-selecting a grid position returns its axes
            if (ax.nrows, ax.ncols, ax.row * ax.ncols + ax.col + 1) == (nrows, ncols, index):
                return ax
        ax = Axes(self, nrows, ncols, index)
        self.axes.append(ax)
        return ax

    def subplots(self, nrows=1, ncols=1, squeeze=True, **kwargs):
        axs = [Axes(self, nrows, ncols, i + 1) for i in range(nrows * ncols)]
        self.axes.extend(axs)
        if squeeze and nrows == 1 and ncols == 1:
            return axs[0]
        if squeeze and (nrows == 1 or ncols == 1):
            return AxesArray(axs, (nrows * ncols,))
        return AxesArray(axs, (nrows, ncols))

    def gca(self):
        if not self.axes:
            self.add_subplot(1, 1, 1)
        return self.axes[-1]

    def suptitle(self, t, *args, **kwargs):
        self._suptitle = str(t)

    def titles(self):
        out = [self._suptitle] if self._suptitle else []
        return out + [ax._title for ax in self.axes if ax._title]

    def _noop(self, *args, **kwargs):
        return None

    tight_layout = subplots_adjust = colorbar = legend = text = _noop

    def set_size_inches(self, w, h=None, forward=True):
        self.figsize = tuple(w) if h is None else (w, h)

    def get_size_inches(self):
        return self.figsize

    def clf(self):
        self.axes = []
        self._suptitle = ""

    def render(self):
        """(mode, width, height, bytes) of this figure, or None when it shows no image."""
        shown = [ax for ax in self.axes if ax._image is not None]
        if not shown:
            return None
        if len(self.axes) == 1:
            return self.axes[0]._image.display()
        nrows = max(ax.nrows for ax in self.axes)
        ncols = max(ax.ncols for ax in self.axes)
        cells = [None] * (nrows * ncols)
        for ax in shown:  # later axes at the same position win, as they would draw on top
            mode, w, h, data = ax._image.display()
            cells[ax.row * ncols + ax.col] = (data, w, h, {"L": 1, "RGB": 3, "RGBA": 4}[mode])
        r = _call("compose_grid", cells, nrows, ncols, _GAP)
        return "RGB", r.width, r.height, r.data.to_bytes()

    def savefig(self, fname, *args, format=None, **kwargs):
        _save(self, fname, format)

    def show(self, *args, **kwargs):
        _show_figure(self)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise _unsupported(f"Figure.{name}")


def _subplot_spec(args):
    if len(args) == 1 and isinstance(args[0], int) and 100 < args[0] < 1000:
        args = tuple(int(c) for c in str(args[0]))
    if len(args) == 0:
        args = (1, 1, 1)
    if len(args) != 3:
        raise ValueError(f"subplot expects (nrows, ncols, index) or a 3-digit integer, got {args!r}")
    nrows, ncols, index = (int(a) for a in args)
    if not 1 <= index <= nrows * ncols:
        raise ValueError(f"num must be 1 <= num <= {nrows * ncols}, not {index}")
    return nrows, ncols, index


# -- pyplot state ---------------------------------------------------------------------------
_figures = []  # open figures, in creation order
_current = None


def figure(num=None, figsize=None, dpi=None, **kwargs):
    global _current
    if isinstance(num, Figure):
        _current = num
        return num
    if isinstance(num, int):
        for f in _figures:
            if f.number == num:
                _current = f
                return f
    number = num if isinstance(num, int) else max([f.number for f in _figures] + [0]) + 1
    fig = Figure(number, figsize, dpi)
    _figures.append(fig)
    _current = fig
    return fig


def gcf():
    return _current if _current is not None and _current in _figures else figure()


def gca():
    return gcf().gca()


def subplots(nrows=1, ncols=1, *, sharex=False, sharey=False, squeeze=True, figsize=None, dpi=None, **kwargs):
    fig = figure(figsize=figsize, dpi=dpi)
    return fig, fig.subplots(nrows, ncols, squeeze=squeeze)


def subplot(*args, **kwargs):
    return gcf().add_subplot(*args, **kwargs)


def imshow(X, cmap=None, norm=None, aspect=None, interpolation=None, alpha=None, vmin=None, vmax=None, **kwargs):
    return gca().imshow(X, cmap=cmap, vmin=vmin, vmax=vmax)


def title(label, *args, **kwargs):
    gca().set_title(label)


def suptitle(t, *args, **kwargs):
    gcf().suptitle(t)


def axis(arg=None, **kwargs):
    return gca().axis(arg)


def _noop(*args, **kwargs):
    return None


xticks = yticks = xlabel = ylabel = xlim = ylim = grid = legend = colorbar = _noop
tight_layout = subplots_adjust = ion = ioff = pause = draw = text = annotate = _noop


def _show_figure(fig):
    import _pv_capture

    rendered = fig.render()
    if rendered is not None:
        mode, w, h, data = rendered
        _pv_capture.add_figure(mode, w, h, data, fig.titles())


def show(*args, **kwargs):
    """Hands every open figure to the runtime, then closes them (as a non-interactive backend)."""
    global _current
    figs = list(_figures)
    _figures.clear()
    _current = None
    for fig in figs:
        _show_figure(fig)


def close(fig=None):
    global _current
    if fig is None:
        targets = [_current] if _current is not None else []
    elif fig == "all":
        targets = list(_figures)
    elif isinstance(fig, int):
        targets = [f for f in _figures if f.number == fig]
    else:
        targets = [fig]
    for f in targets:
        if f in _figures:
            _figures.remove(f)
    if _current not in _figures:
        _current = _figures[-1] if _figures else None


def clf():
    gcf().clf()


def cla():
    ax = gca()
    ax._image, ax._title = None, ""


def get_fignums():
    return [f.number for f in _figures]


def _save(fig, fname, format=None):
    rendered = fig.render()
    if rendered is None:
        # An empty figure saves as a white canvas of its size, as matplotlib would.
        w, h = int(fig.figsize[0] * fig.dpi), int(fig.figsize[1] * fig.dpi)
        rendered = ("RGB", w, h, _call("new_image", w, h, 3, [255, 255, 255]).to_bytes())
    mode, w, h, data = rendered
    name = os.fsdecode(fname) if isinstance(fname, (str, bytes, os.PathLike)) else getattr(fname, "name", "")
    fmt = (format or os.path.splitext(str(name))[1][1:] or "png").upper()
    fmt = {"JPG": "JPEG"}.get(fmt, fmt)
    if fmt not in ("PNG", "JPEG"):
        raise ValueError(f"Format {fmt.lower()!r} is not supported offline (supported formats: png, jpg, jpeg)")
    if fmt == "JPEG" and mode == "RGBA":
        data = _call("convert", data, w, h, 4, 3).to_bytes()
        mode = "RGB"
    out = _call("encode", data, w, h, {"L": 1, "RGB": 3, "RGBA": 4}[mode], fmt, 95).to_bytes()
    if isinstance(fname, (str, bytes, os.PathLike)):
        with open(name, "wb") as f:
            f.write(out)
    else:
        fname.write(out)


def savefig(fname, *args, format=None, **kwargs):
    _save(gcf(), fname, format)


def __getattr__(name):
    # plt.plot, plt.scatter, plt.bar, …: not renderable here; say so clearly.
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported(name)
