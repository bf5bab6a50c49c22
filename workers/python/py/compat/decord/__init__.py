"""decord for the offline compatibility layer.

PyVision binds the input video as `video_clue_0`, a decord-style VideoReader. The runtime
registers each video with `register_source(name, source)`; `source` has `width`, `height`,
`frame_count`, `fps` and `read(index) -> bytes` (RGB, width*height*3). Frames are decoded on
demand, so only the frames the model asks for cross into Python (on-demand context).

Frames and batches are `NDArray`s: a small uint8 array with `.shape`, indexing and `.asnumpy()`.
Without numpy, `.asnumpy()` returns the NDArray itself, which this layer's `Image.fromarray` and
`plt.imshow` accept; with numpy installed it returns a real numpy array.
"""

import sys
import types

# name → source object registered by the runtime.
_sources = {}


def register_source(name, source):
    """Called by the runtime: makes `VideoReader(name)` read frames from `source`."""
    _sources[name] = source


def _check_pixels(width, height):
    # The runtime's maxImagePixels guard also bounds batches (n frames of w×h).
    try:
        import _pv_imaging
    except ImportError:
        return
    try:
        _pv_imaging.check_pixels(width, height)
    except Exception as e:  # a JsException naming MemoryError
        raise MemoryError(getattr(e, "message", None) or str(e)) from None


def _to_bytes(raw):
    if hasattr(raw, "to_bytes"):  # a JS Uint8Array proxy
        return raw.to_bytes()
    return bytes(raw)


class NDArray:
    """A C-contiguous uint8 array (frames are (h, w, 3), batches (n, h, w, 3))."""

    dtype = "uint8"

    def __init__(self, data, shape):
        self._data = bytes(data)
        self.shape = tuple(int(s) for s in shape)
        n = 1
        for s in self.shape:
            n *= s
        if len(self._data) != n:
            raise ValueError(f"{len(self._data)} bytes do not fill an array of shape {self.shape}")

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return len(self._data)

    @property
    def nbytes(self):
        return len(self._data)

    @property
    def __array_interface__(self):
        return {"shape": self.shape, "typestr": "|u1", "version": 3, "data": self._data}

    def tobytes(self):
        return self._data

    def asnumpy(self):
        try:
            import numpy
        except ImportError:
            return self
        return numpy.frombuffer(self._data, dtype=numpy.uint8).reshape(self.shape).copy()

    def __len__(self):
        return self.shape[0]

    def __iter__(self):
        for i in range(self.shape[0]):
            yield self[i]

    def __repr__(self):
        return f"<decord NDArray shape={self.shape} dtype=uint8 (offline compatibility layer)>"

    def _stride(self, axis):
        s = 1
        for d in self.shape[axis + 1 :]:
            s *= d
        return s

    def __getitem__(self, key):
        if not isinstance(key, tuple):
            key = (key,)
        if len(key) > self.ndim:
            raise IndexError(f"too many indices for an array of {self.ndim} dimensions")
        key = key + (slice(None),) * (self.ndim - len(key))
        # Per axis: the selected indices, and whether the axis survives (slice) or not (int).
        picks = []
        for axis, k in enumerate(key):
            n = self.shape[axis]
            if isinstance(k, slice):
                picks.append((range(n)[k], True))
            elif hasattr(k, "__index__"):
                i = k.__index__()
                if i < -n or i >= n:
                    raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
                picks.append((range(i % n, i % n + 1), False))
            else:
                raise IndexError("only integers and slices are valid indices (offline compatibility layer)")
        # Trailing full axes are copied as contiguous blocks; the rest is gathered.
        full = self.ndim
        while full > 0 and picks[full - 1][0] == range(self.shape[full - 1]):
            full -= 1
        block = self._stride(full - 1) if full > 0 else len(self._data)
        chunks = []

        def gather(axis, offset):
            if axis == full:
                chunks.append(self._data[offset : offset + block])
                return
            stride = self._stride(axis)
            for i in picks[axis][0]:
                gather(axis + 1, offset + i * stride)

        gather(0, 0)
        shape = tuple(len(r) for r, keep in picks if keep)
        data = b"".join(chunks)
        if not shape:
            return data[0]
        return NDArray(data, shape)


class DECORDContext:
    def __init__(self, kind="cpu", index=0):
        self.device_type, self.device_id = kind, index

    def __repr__(self):
        return f"{self.device_type}({self.device_id})"


def cpu(dev_id=0):
    return DECORDContext("cpu", dev_id)


def gpu(dev_id=0):
    raise NotImplementedError("decord.gpu is not available in the offline compatibility layer; use decord.cpu(0)")


class VideoReader:
    """A decord-style reader over a registered source (see register_source)."""

    def __init__(self, uri, ctx=None, width=-1, height=-1, num_threads=0, fault_tol=-1):
        name = uri if isinstance(uri, str) else getattr(uri, "name", uri)
        if name not in _sources:
            known = ", ".join(repr(k) for k in _sources) or "none"
            raise RuntimeError(f"cannot open video {uri!r}: not a registered video (available: {known})")
        self._name = name
        self._src = _sources[name]
        self._size = (int(width), int(height)) if width > 0 and height > 0 else None
        self._pos = 0

    # -- metadata ---------------------------------------------------------------------------
    def __len__(self):
        return int(self._src.frame_count)

    def get_avg_fps(self):
        return float(self._src.fps)

    @property
    def _frame_shape(self):
        w, h = self._size or (int(self._src.width), int(self._src.height))
        return (h, w, 3)

    def __repr__(self):
        h, w, _ = self._frame_shape
        return f"<decord.VideoReader {self._name!r}: {len(self)} frames of {w}x{h} at {self.get_avg_fps():g} fps>"

    # -- frames -----------------------------------------------------------------------------
    def _index(self, i):
        n = len(self)
        if not hasattr(i, "__index__"):
            raise TypeError(f"frame indices must be integers, not {type(i).__name__}")
        i = i.__index__()
        if i < -n or i >= n:
            raise IndexError(f"frame index {i} out of range for a video of {n} frames")
        return i % n

    def _read(self, i):
        src = self._src
        w, h = int(src.width), int(src.height)
        data = _to_bytes(src.read(i))
        if len(data) != w * h * 3:
            raise RuntimeError(f"video source returned {len(data)} bytes for frame {i}, expected {w * h * 3}")
        if self._size and self._size != (w, h):
            from PIL import Image

            data = Image.frombytes("RGB", (w, h), data).resize(self._size, Image.Resampling.BILINEAR).tobytes()
        return data

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.get_batch(range(len(self))[idx])
        i = self._index(idx)
        return NDArray(self._read(i), self._frame_shape)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def next(self):
        if self._pos >= len(self):
            raise StopIteration
        frame = self[self._pos]
        self._pos += 1
        return frame

    def seek(self, pos):
        self._pos = self._index(pos)

    def seek_accurate(self, pos):
        self.seek(pos)

    def skip_frames(self, num=1):
        self._pos = min(len(self), self._pos + num)

    def get_batch(self, indices):
        if isinstance(indices, NDArray):
            indices = list(indices._data) if indices.ndim == 1 else None
        if hasattr(indices, "tolist"):
            indices = indices.tolist()
        idx = [self._index(i) for i in indices]
        h, w, c = self._frame_shape
        _check_pixels(w, h * max(1, len(idx)))
        return NDArray(b"".join(self._read(i) for i in idx), (len(idx), h, w, c))

    def get_frame_timestamp(self, idx):
        """[[start, end], …] in seconds for each index (frame i spans i/fps .. (i+1)/fps)."""
        single = hasattr(idx, "__index__")
        items = [idx] if single else list(idx)
        fps = self.get_avg_fps()
        out = [[self._index(i) / fps, (self._index(i) + 1) / fps] for i in items]
        return out

    def get_key_indices(self):
        return list(range(len(self)))


def _set_bridge(new_bridge):
    if new_bridge not in ("native", "numpy"):
        raise NotImplementedError(f"decord bridge {new_bridge!r} is not available in the offline compatibility layer")


# `decord.bridge.set_bridge(...)` and `import decord.bridge` both work.
bridge = types.ModuleType("decord.bridge")
bridge.set_bridge = _set_bridge
sys.modules["decord.bridge"] = bridge
