"""PIL.Image for the offline compatibility layer.

An Image is just a mode ("L", "RGB" or "RGBA"), a size and the raw interleaved pixel bytes.
Everything that touches many pixels (convert, crop, resize, rotate, paste, filters, codecs) is a
call into `_pv_imaging`, the TypeScript kernels that port Pillow 9.4's C code; this file keeps
only Pillow's Python-level argument handling, so errors and edge cases read the same.
"""

import builtins
import enum
import math
import os

import _pv_imaging as _K

from . import UnidentifiedImageError

try:  # Pyodide: kernel errors arrive as JsException carrying the Python type in `.name`.
    from pyodide.ffi import JsException
except ImportError:  # pragma: no cover - only for reading the module outside Pyodide
    class JsException(Exception):
        pass

# Modes this layer models, with their band count and band names.
_BANDS = {"L": ("L",), "RGB": ("R", "G", "B"), "RGBA": ("R", "G", "B", "A")}
# Pillow modes we know of but do not model: asking for them gets a clear NotImplementedError.
_KNOWN_UNSUPPORTED = ("1", "P", "PA", "LA", "La", "RGBa", "RGBX", "I", "I;16", "F", "CMYK", "YCbCr", "LAB", "HSV")

# Not enforced by this layer (the runtime's maxImagePixels guard is); kept for code that sets it.
MAX_IMAGE_PIXELS = None


class Resampling(enum.IntEnum):
    NEAREST = 0
    BOX = 4
    BILINEAR = 2
    HAMMING = 5
    BICUBIC = 3
    LANCZOS = 1


class Transpose(enum.IntEnum):
    FLIP_LEFT_RIGHT = 0
    FLIP_TOP_BOTTOM = 1
    ROTATE_90 = 2
    ROTATE_180 = 3
    ROTATE_270 = 4
    TRANSPOSE = 5
    TRANSVERSE = 6


class Transform(enum.IntEnum):
    AFFINE = 0
    EXTENT = 1
    PERSPECTIVE = 2
    QUAD = 3
    MESH = 4


# Module-level aliases (Pillow 9.4 still provides them, without deprecation warnings).
NEAREST = NONE = Resampling.NEAREST
BOX = Resampling.BOX
BILINEAR = LINEAR = Resampling.BILINEAR
HAMMING = Resampling.HAMMING
BICUBIC = CUBIC = Resampling.BICUBIC
LANCZOS = ANTIALIAS = Resampling.LANCZOS
FLIP_LEFT_RIGHT = Transpose.FLIP_LEFT_RIGHT
FLIP_TOP_BOTTOM = Transpose.FLIP_TOP_BOTTOM
ROTATE_90 = Transpose.ROTATE_90
ROTATE_180 = Transpose.ROTATE_180
ROTATE_270 = Transpose.ROTATE_270
TRANSPOSE = Transpose.TRANSPOSE
TRANSVERSE = Transpose.TRANSVERSE
AFFINE = Transform.AFFINE
EXTENT = Transform.EXTENT
PERSPECTIVE = Transform.PERSPECTIVE
QUAD = Transform.QUAD
MESH = Transform.MESH

# Filter support radii (Image._filters_support), for the reducing_gap pre-reduction box.
_FILTER_SUPPORT = {Resampling.BOX: 0.5, Resampling.BILINEAR: 1.0, Resampling.HAMMING: 1.0, Resampling.BICUBIC: 2.0, Resampling.LANCZOS: 3.0}

_FILTER_NAMES = "Image.Resampling.NEAREST (0), Image.Resampling.LANCZOS (1), Image.Resampling.BILINEAR (2), Image.Resampling.BICUBIC (3), Image.Resampling.BOX (4) or Image.Resampling.HAMMING (5)"

# File extension → format, for save() without an explicit format.
_EXTENSION = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".jpe": "JPEG", ".jfif": "JPEG"}
# Formats real Pillow writes but this layer does not (a clearer error than "unknown extension").
_OTHER_FORMATS = {".gif": "GIF", ".bmp": "BMP", ".webp": "WEBP", ".tif": "TIFF", ".tiff": "TIFF", ".ico": "ICO", ".ppm": "PPM"}

_EXCEPTIONS = {
    "MemoryError": MemoryError,
    "ValueError": ValueError,
    "OSError": OSError,
    "IndexError": IndexError,
    "TypeError": TypeError,
    "NotImplementedError": NotImplementedError,
}


def _call(name, *args):
    """Calls a kernel; a JS error becomes the Python exception it names, with its message."""
    try:
        return getattr(_K, name)(*args)
    except JsException as e:
        exc = _EXCEPTIONS.get(getattr(e, "name", ""), ValueError)
        raise exc(getattr(e, "message", None) or str(e)) from None


def _unsupported(what):
    return NotImplementedError(
        f"{what} is not supported by the offline compatibility layer "
        "(a PIL subset for modes L, RGB and RGBA; real Pillow is not installed)"
    )


def _check_mode(mode, call):
    if mode in _BANDS:
        return len(_BANDS[mode])
    if mode in _KNOWN_UNSUPPORTED:
        raise _unsupported(f"{call} with mode {mode!r}")
    raise ValueError(f"unrecognized image mode {mode!r}")


def _as_int(v, what):
    # Pillow's C layer rejects floats where it wants ints, with Python's own message.
    if isinstance(v, bool) or not isinstance(v, int):
        if hasattr(v, "__index__"):
            return v.__index__()
        raise TypeError(f"'{type(v).__name__}' object cannot be interpreted as an integer")
    return v


def _size_arg(size):
    size = tuple(size)
    if len(size) != 2:
        raise ValueError("size must be a (width, height) tuple")
    return _as_int(size[0], "width"), _as_int(size[1], "height")


def _ink(color, mode):
    """A colour argument as the kernels take it: None/int stay, strings via ImageColor, tuples."""
    if color is None or isinstance(color, int):
        return color
    if isinstance(color, str):
        return list(_call("color_for", color, len(_BANDS[mode])))
    if isinstance(color, float):
        return int(color)
    return [int(c) for c in color]


def _mode_for_channels(ch):
    return {1: "L", 3: "RGB", 4: "RGBA"}[ch]


class _PixelAccess:
    """What Image.load() returns: px[x, y] reads and writes single pixels."""

    def __init__(self, image):
        self._image = image

    def __getitem__(self, xy):
        return self._image.getpixel(xy)

    def __setitem__(self, xy, value):
        self._image.putpixel(xy, value)


class Image:
    """A PIL-style image: mode, size and raw pixel bytes (see the module docstring)."""

    format = None
    format_description = None

    def __init__(self):
        self.mode = ""
        self._size = (0, 0)
        self._data = b""
        self.info = {}
        self.filename = ""
        self.readonly = 0
        # The class name Pillow's repr shows (PngImageFile etc. for opened files).
        self._repr_class = "PIL.Image.Image"

    # -- construction helpers -------------------------------------------------------------
    @classmethod
    def _from(cls, mode, size, data, info=None):
        im = cls()
        im.mode = mode
        im._size = (int(size[0]), int(size[1]))
        im._data = data
        im.info = dict(info or {})
        return im

    def _new(self, data, size=None, mode=None):
        """A new plain Image that keeps this one's info (as Pillow's _new does)."""
        return Image._from(mode or self.mode, size or self._size, data, self.info)

    def _args(self):
        """The (data, width, height, channels) prefix every kernel call takes."""
        return (self._data, self._size[0], self._size[1], len(_BANDS[self.mode]))

    # -- basic attributes -----------------------------------------------------------------
    @property
    def size(self):
        return self._size

    @property
    def width(self):
        return self._size[0]

    @property
    def height(self):
        return self._size[1]

    @property
    def palette(self):
        return None

    def getbands(self):
        return _BANDS[self.mode]

    def __repr__(self):
        return f"<{self._repr_class} image mode={self.mode} size={self._size[0]}x{self._size[1]} at 0x{id(self):X}>"

    def __eq__(self, other):
        return (
            isinstance(other, Image)
            and self.mode == other.mode
            and self._size == other._size
            and bytes(self._data) == bytes(other._data)
        )

    __hash__ = None

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()

    def close(self):
        pass

    def load(self):
        return _PixelAccess(self)

    def verify(self):
        pass

    def tobytes(self, encoder_name="raw", *args):
        if encoder_name != "raw":
            raise _unsupported(f"tobytes(encoder_name={encoder_name!r})")
        return bytes(self._data)

    @property
    def __array_interface__(self):
        # Lets this layer's fromarray/imshow (and real numpy, if present) read the pixels.
        w, h = self._size
        shape = (h, w) if self.mode == "L" else (h, w, len(_BANDS[self.mode]))
        return {"shape": shape, "typestr": "|u1", "version": 3, "data": bytes(self._data)}

    def copy(self):
        return self._new(bytes(self._data))

    __copy__ = copy

    # -- geometry ---------------------------------------------------------------------------
    def crop(self, box=None):
        if box is None:
            return self.copy()
        if box[2] < box[0]:
            raise ValueError("Coordinate 'right' is less than 'left'")
        elif box[3] < box[1]:
            raise ValueError("Coordinate 'lower' is less than 'upper'")
        # Pillow rounds the box (banker's rounding, as Python's round) before cropping.
        x0, y0, x1, y1 = map(int, map(round, box))
        data = _call("crop", *self._args(), x0, y0, x1, y1).to_bytes()
        return self._new(data, (x1 - x0, y1 - y0))

    def resize(self, size, resample=None, box=None, reducing_gap=None):
        if resample is None:
            resample = Resampling.BICUBIC
        elif resample not in (0, 1, 2, 3, 4, 5):
            raise ValueError(f"Unknown resampling filter ({resample}). Use {_FILTER_NAMES}")
        if reducing_gap is not None and reducing_gap < 1.0:
            raise ValueError("reducing_gap must be 1.0 or greater")
        w, h = _size_arg(size)
        box = (0, 0) + self._size if box is None else tuple(box)
        if (w, h) == self._size and box == (0, 0) + self._size:
            return self.copy()
        im = self
        # (Pillow drops reducing_gap on its premultiplied RGBA path, so RGBA never pre-reduces.)
        if reducing_gap is not None and resample != Resampling.NEAREST and self.mode != "RGBA":
            # Pillow first reduces by an integer factor (box average), then resamples the rest.
            factor_x = int((box[2] - box[0]) / w / reducing_gap) or 1
            factor_y = int((box[3] - box[1]) / h / reducing_gap) or 1
            if factor_x > 1 or factor_y > 1:
                support = _FILTER_SUPPORT[resample] - 0.5
                sx, sy = support * (box[2] - box[0]) / w, support * (box[3] - box[1]) / h
                reduce_box = (
                    max(0, int(box[0] - sx)),
                    max(0, int(box[1] - sy)),
                    min(self._size[0], math.ceil(box[2] + sx)),
                    min(self._size[1], math.ceil(box[3] + sy)),
                )
                im = self.reduce((factor_x, factor_y), box=reduce_box)
                box = (
                    (box[0] - reduce_box[0]) / factor_x,
                    (box[1] - reduce_box[1]) / factor_y,
                    (box[2] - reduce_box[0]) / factor_x,
                    (box[3] - reduce_box[1]) / factor_y,
                )
        data = _call("resize", *im._args(), w, h, int(resample), [float(v) for v in box]).to_bytes()
        return self._new(data, (w, h))

    def reduce(self, factor, box=None):
        """Integer box-average downscaling (Pillow's Reduce.c); the size rounds up."""
        if isinstance(factor, int):
            factor = (factor, factor)
        box = (0, 0) + self._size if box is None else tuple(box)
        if factor == (1, 1) and box == (0, 0) + self._size:
            return self.copy()
        r = _call("reduce", *self._args(), int(factor[0]), int(factor[1]), [int(v) for v in box])
        return self._new(r.data.to_bytes(), (r.width, r.height))

    def transpose(self, method):
        method = int(method)
        if method not in range(7):
            raise ValueError(f"unknown transpose method {method} (see Image.Transpose)")
        data = _call("transpose", *self._args(), method).to_bytes()
        w, h = self._size
        size = (h, w) if method in (2, 4, 5, 6) else (w, h)
        return self._new(data, size)

    def rotate(self, angle, resample=Resampling.NEAREST, expand=0, center=None, translate=None, fillcolor=None):
        resample = self._transform_filter(resample)
        r = _call(
            "rotate", *self._args(), float(angle), resample, bool(expand),
            None if center is None else [float(v) for v in center],
            None if translate is None else [float(v) for v in translate],
            _ink(fillcolor, self.mode),
        )
        return self._new(r.data.to_bytes(), (r.width, r.height))

    @staticmethod
    def _transform_filter(resample):
        if resample not in (0, 2, 3):
            if resample in (1, 4, 5):
                name = Resampling(resample).name
                raise ValueError(
                    f"Image.Resampling.{name} ({int(resample)}) cannot be used. Use Image.Resampling.NEAREST (0), "
                    "Image.Resampling.BILINEAR (2) or Image.Resampling.BICUBIC (3)"
                )
            raise ValueError(f"Unknown resampling filter ({resample}).")
        return int(resample)

    def transform(self, size, method, data=None, resample=Resampling.NEAREST, fill=1, fillcolor=None):
        w, h = _size_arg(size)
        if data is None:
            raise ValueError("missing method data")
        if method == Transform.EXTENT:
            x0, y0, x1, y1 = data
            data = ((x1 - x0) / w, 0, x0, 0, (y1 - y0) / h, y0)
        elif method != Transform.AFFINE:
            raise _unsupported(f"Image.transform with method {Transform(method).name}")
        matrix = [float(v) for v in tuple(data)[:6]]
        out = _call("transform_affine", *self._args(), w, h, matrix, self._transform_filter(resample), _ink(fillcolor, self.mode))
        return self._new(out.to_bytes(), (w, h))

    def thumbnail(self, size, resample=Resampling.BICUBIC, reducing_gap=2.0):
        """In place, keeping the aspect ratio (Pillow 9.4's rounding and reducing_gap).
        (Pillow can also shrink JPEGs while decoding via draft(); this layer never does.)"""
        x, y = map(math.floor, size)
        if x >= self.width and y >= self.height:
            return
        aspect = self.width / self.height

        def round_aspect(number, key):
            return max(min(math.floor(number), math.ceil(number), key=key), 1)

        if x / y >= aspect:
            x = int(round_aspect(y * aspect, key=lambda n: abs(aspect - n / y)))
        else:
            y = int(round_aspect(x / aspect, key=lambda n: 0 if n == 0 else abs(aspect - x / n)))
        if (x, y) != self._size:
            im = self.resize((x, y), resample, reducing_gap=reducing_gap)
            self._data, self._size = im._data, im._size

    # -- modes and bands --------------------------------------------------------------------
    def convert(self, mode=None, matrix=None, dither=None, palette=None, colors=256):
        if matrix is not None:
            raise _unsupported("Image.convert(matrix=...)")
        if mode is None or mode == self.mode:
            return self.copy()
        ch = _check_mode(mode, "Image.convert")
        data = _call("convert", *self._args(), ch).to_bytes()
        return self._new(data, mode=mode)

    def split(self):
        ch = len(_BANDS[self.mode])
        if ch == 1:
            return (self.copy(),)
        data = bytes(self._data)
        return tuple(Image._from("L", self._size, data[i::ch]) for i in range(ch))

    def getchannel(self, channel):
        if isinstance(channel, str):
            try:
                channel = _BANDS[self.mode].index(channel)
            except ValueError as e:
                raise ValueError(f'The image has no channel "{channel}"') from e
        return self.split()[channel]

    def putalpha(self, alpha):
        if self.mode == "L":
            raise _unsupported("putalpha on an L image (it would need mode LA)")
        if self.mode == "RGB":
            self._data, self.mode = _call("convert", *self._args(), 4).to_bytes(), "RGBA"
        buf = bytearray(self._data)
        if isinstance(alpha, Image):
            if alpha.mode != "L" or alpha.size != self.size:
                raise ValueError("alpha must be an L image of the same size")
            buf[3::4] = bytes(alpha._data)
        else:
            buf[3::4] = bytes([int(alpha) & 255]) * (self.width * self.height)
        self._data = bytes(buf)

    # -- pixels -----------------------------------------------------------------------------
    def _xy(self, xy):
        # Done in Python (no kernel call): models read single pixels in loops.
        x, y = int(xy[0]), int(xy[1])
        w, h = self._size
        if x < 0:
            x += w
        if y < 0:
            y += h
        if not (0 <= x < w and 0 <= y < h):
            raise IndexError("image index out of range")
        return (y * w + x) * len(_BANDS[self.mode])

    def getpixel(self, xy):
        i = self._xy(xy)
        if self.mode == "L":
            return self._data[i]
        return tuple(self._data[i : i + len(_BANDS[self.mode])])

    def putpixel(self, xy, value):
        i = self._xy(xy)
        ch = len(_BANDS[self.mode])
        if isinstance(value, str):
            value = _ink(value, self.mode)
        if ch == 1:
            vals = [value[0] if isinstance(value, (tuple, list)) else value]
        elif isinstance(value, int):  # packed like Pillow's getink (0xAABBGGRR)
            vals = [(value >> s) & 255 for s in (0, 8, 16, 24)][:ch]
        else:
            vals = list(value) + [255] * (ch - len(value))
        if not isinstance(self._data, bytearray):
            self._data = bytearray(self._data)
        self._data[i : i + ch] = bytes(max(0, min(255, int(v))) for v in vals[:ch])

    def getdata(self, band=None):
        ch = len(_BANDS[self.mode])
        data = bytes(self._data)
        if band is not None:
            return list(data[band::ch])
        if ch == 1:
            return list(data)
        return list(zip(*(data[i::ch] for i in range(ch))))

    def paste(self, im, box=None, mask=None):
        if isinstance(box, Image) and mask is None:
            mask, box = box, None  # paste(im, mask) shorthand
        if box is None:
            box = (0, 0)
        box = tuple(box)
        if len(box) == 2:
            if isinstance(im, Image):
                size = im.size
            elif isinstance(mask, Image):
                size = mask.size
            else:
                raise ValueError("cannot determine region size; use 4-item box")
            box += (box[0] + size[0], box[1] + size[1])
        x0, y0, x1, y1 = (_as_int(v, "box") for v in box)
        m = (None, 0, 0, 1)
        if mask is not None:
            if mask.mode not in ("L", "RGBA"):
                raise _unsupported(f"paste with a mode {mask.mode!r} mask")
            m = mask._args()
        if isinstance(im, Image):
            src = im
            if self.mode != im.mode and not (self.mode == "RGB" and im.mode == "RGBA"):
                src = im.convert(self.mode)
            if src.size != (x1 - x0, y1 - y0):
                raise ValueError("images do not match")
            out = _call("paste_image", *self._args(), *src._args(), x0, y0, *m)
        else:
            out = _call("paste_color", *self._args(), _ink(im, self.mode), x0, y0, x1, y1, *m)
        self._data = out.to_bytes()

    def point(self, lut, mode=None):
        if mode is not None and mode != self.mode:
            raise _unsupported(f"Image.point with mode={mode!r}")
        bands = len(_BANDS[self.mode])
        if callable(lut):
            lut = [lut(i) for i in range(256)] * bands
        lut = [round(v) for v in lut]
        return self._new(_call("lut", *self._args(), lut).to_bytes())

    def histogram(self, mask=None, extrema=None):
        if mask is not None:
            raise _unsupported("histogram(mask=...)")
        return [int(v) for v in _call("histogram", *self._args()).to_py()]

    def getextrema(self):
        h = self.histogram()
        out = []
        for b in range(0, len(h), 256):
            nz = [i for i, v in enumerate(h[b : b + 256]) if v]
            out.append((nz[0], nz[-1]) if nz else (0, 0))
        return out[0] if self.mode == "L" else tuple(out)

    def filter(self, filter):
        if isinstance(filter, type):
            filter = filter()
        if not hasattr(filter, "filter"):
            raise TypeError("filter argument should be ImageFilter.Filter instance or class")
        return filter.filter(self)

    # -- files and display ------------------------------------------------------------------
    def save(self, fp, format=None, **params):
        filename = ""
        if isinstance(fp, (str, bytes, os.PathLike)):
            filename = os.fsdecode(fp)
        elif hasattr(fp, "name") and isinstance(fp.name, str):
            filename = fp.name
        if not format:
            ext = os.path.splitext(filename)[1].lower()
            if ext in _OTHER_FORMATS:
                raise _unsupported(f"saving as {_OTHER_FORMATS[ext]}")
            if ext not in _EXTENSION:
                raise ValueError(f"unknown file extension: {ext}")
            format = _EXTENSION[ext]
        fmt = format.upper()
        if fmt == "JPG":
            fmt = "JPEG"
        if fmt not in ("PNG", "JPEG"):
            raise _unsupported(f"saving as {format}")
        data = _call("encode", *self._args(), fmt, int(params.get("quality", 75))).to_bytes()
        if filename and isinstance(fp, (str, bytes, os.PathLike)):
            with builtins.open(filename, "wb") as f:
                f.write(data)
        else:
            fp.write(data)

    def show(self, title=None):
        """Hands the image to the runtime as a shown figure (what plt.imshow + plt.show does)."""
        import _pv_capture

        _pv_capture.add_figure(self.mode, self.width, self.height, bytes(self._data), [title] if title else [])


# -- module-level constructors -------------------------------------------------------------
def isImageType(t):
    return isinstance(t, Image)


def new(mode, size, color=0):
    ch = _check_mode(mode, "Image.new")
    w, h = _size_arg(size)
    if w < 0 or h < 0:
        raise ValueError("Width and height must be >= 0")
    data = _call("new_image", w, h, ch, 0 if color is None else _ink(color, mode)).to_bytes()
    return Image._from(mode, (w, h), data)


def frombytes(mode, size, data, decoder_name="raw", *args):
    ch = _check_mode(mode, "Image.frombytes")
    if decoder_name != "raw":
        raise _unsupported(f"frombytes(decoder_name={decoder_name!r})")
    w, h = _size_arg(size)
    data = bytes(data)
    if len(data) < w * h * ch:
        raise ValueError("not enough image data")
    _call("check_pixels", w, h)
    return Image._from(mode, (w, h), data[: w * h * ch])


def fromarray(obj, mode=None):
    """Accepts this layer's arrays (decord frames, Image) and anything with a uint8
    `__array_interface__` whose data is bytes-like; shapes (h, w), (h, w, 3), (h, w, 4)."""
    arr = getattr(obj, "__array_interface__", None)
    if arr is None:
        raise TypeError("fromarray expects an array-like object (this offline layer has no numpy)")
    shape = tuple(arr["shape"])
    if arr.get("typestr", "|u1") not in ("|u1", "<u1", ">u1", "|b1"):
        raise TypeError(f"Cannot handle this data type: {shape[2:]!r}, {arr.get('typestr')!r}")
    if arr.get("strides") is not None:
        raise _unsupported("fromarray of a non-contiguous array")
    if len(shape) == 2:
        amode = "L"
    elif len(shape) == 3 and shape[2] in (3, 4):
        amode = "RGB" if shape[2] == 3 else "RGBA"
    else:
        raise TypeError(f"Cannot handle this data type: {shape!r}, {arr.get('typestr')!r}")
    data = arr["data"]
    if isinstance(data, tuple):  # numpy-style (pointer, readonly): ask the object for its bytes
        data = obj.tobytes()
    if mode is not None and mode != amode:
        raise _unsupported(f"fromarray with mode {mode!r} for an array of shape {shape}")
    return frombytes(amode, (shape[1], shape[0]), bytes(data))


def open(fp, mode="r", formats=None):
    if mode != "r":
        raise ValueError(f"bad mode {mode!r}")
    filename = ""
    if isinstance(fp, (bytes, bytearray)) and (bytes(fp[:4]) == b"\x89PNG" or bytes(fp[:3]) == b"\xff\xd8\xff"):
        data = bytes(fp)  # raw encoded bytes (a convenience; Pillow wants a BytesIO)
    elif isinstance(fp, (str, bytes, os.PathLike)):
        filename = os.fsdecode(fp)
        with builtins.open(filename, "rb") as f:
            data = f.read()
    elif hasattr(fp, "read"):
        data = fp.read()
        filename = getattr(fp, "name", "") if isinstance(getattr(fp, "name", ""), str) else ""
    else:
        raise TypeError("Image.open expects a path, a file object or bytes")
    try:
        r = _call("decode", data)
    except OSError:
        raise UnidentifiedImageError(f"cannot identify image file {filename or fp!r}") from None
    im = Image._from(_mode_for_channels(r.channels), (r.width, r.height), r.data.to_bytes())
    im.format = r.format
    im.format_description = {"PNG": "Portable network graphics", "JPEG": "JPEG (ISO 10918)"}[r.format]
    im.filename = filename
    im._repr_class = {"PNG": "PIL.PngImagePlugin.PngImageFile", "JPEG": "PIL.JpegImagePlugin.JpegImageFile"}[r.format]
    if r.sourceMode != im.mode:
        # e.g. a palette PNG: Pillow would say "P"; here it is already expanded.
        im.info["compat_source_mode"] = r.sourceMode
    return im


def merge(mode, bands):
    ch = _check_mode(mode, "Image.merge")
    if len(bands) != ch or any(b.mode != "L" for b in bands):
        raise ValueError("wrong number of bands" if len(bands) != ch else "mode mismatch")
    size = bands[0].size
    if any(b.size != size for b in bands):
        raise ValueError("size mismatch")
    out = bytearray(size[0] * size[1] * ch)
    for i, b in enumerate(bands):
        out[i::ch] = bytes(b._data)
    return Image._from(mode, size, bytes(out))


def blend(im1, im2, alpha):
    if im1.mode != im2.mode or im1.size != im2.size:
        raise ValueError("images do not match")
    out = _call("blend", im1._data, im2._data, im1.width, im1.height, len(_BANDS[im1.mode]), float(alpha))
    return im1._new(out.to_bytes())


def composite(image1, image2, mask):
    image = image2.copy()
    image.paste(image1, None, mask)
    return image


def init():
    return True
