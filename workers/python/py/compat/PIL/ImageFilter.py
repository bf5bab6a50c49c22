"""PIL.ImageFilter for the offline compatibility layer.

3×3 and 5×5 convolution kernels (SMOOTH, SHARPEN, BLUR, …, and ImageFilter.Kernel) run in the
TypeScript kernel with Pillow's float arithmetic. The other filters can be constructed (so code
that builds them imports fine) but raise NotImplementedError when applied.
"""

from . import Image as _Image


class Filter:
    pass


class MultibandFilter(Filter):
    pass


class BuiltinFilter(MultibandFilter):
    def filter(self, image):
        size, scale, offset, kernel = self.filterargs
        out = _Image._call("filter", *image._args(), size[0], list(kernel), float(scale), float(offset))
        return image._new(out.to_bytes())


class Kernel(BuiltinFilter):
    """A convolution kernel: size (3, 3) or (5, 5), weights row-major, scale defaults to their sum."""

    name = "Kernel"

    def __init__(self, size, kernel, scale=None, offset=0):
        if scale is None:
            # default scale is the sum of the weights (Pillow's rule)
            scale = sum(kernel)
        if size[0] * size[1] != len(kernel):
            raise ValueError("not enough coefficients in kernel")
        if tuple(size) not in ((3, 3), (5, 5)):
            raise ValueError("bad kernel size")
        self.filterargs = tuple(size), scale, offset, tuple(kernel)


def _builtin(name, size, scale, offset, kernel):
    f = BuiltinFilter()
    f.name = name
    f.filterargs = (size, size), scale, offset, kernel
    return f


BLUR = _builtin("Blur", 5, 16, 0, (1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1))
CONTOUR = _builtin("Contour", 3, 1, 255, (-1, -1, -1, -1, 8, -1, -1, -1, -1))
DETAIL = _builtin("Detail", 3, 6, 0, (0, -1, 0, -1, 10, -1, 0, -1, 0))
EDGE_ENHANCE = _builtin("Edge-enhance", 3, 2, 0, (-1, -1, -1, -1, 10, -1, -1, -1, -1))
EDGE_ENHANCE_MORE = _builtin("Edge-enhance More", 3, 1, 0, (-1, -1, -1, -1, 9, -1, -1, -1, -1))
EMBOSS = _builtin("Emboss", 3, 1, 128, (-1, 0, 0, 0, 1, 0, 0, 0, 0))
FIND_EDGES = _builtin("Find Edges", 3, 1, 0, (-1, -1, -1, -1, 8, -1, -1, -1, -1))
SHARPEN = _builtin("Sharpen", 3, 16, 0, (-2, -2, -2, -2, 32, -2, -2, -2, -2))
SMOOTH = _builtin("Smooth", 3, 13, 0, (1, 1, 1, 1, 5, 1, 1, 1, 1))
SMOOTH_MORE = _builtin("Smooth More", 5, 100, 0, (1, 1, 1, 1, 1, 1, 5, 5, 5, 1, 1, 5, 44, 5, 1, 1, 5, 5, 5, 1, 1, 1, 1, 1, 1))


class _Unsupported(MultibandFilter):
    """Constructible like Pillow's filter; applying it raises a clear error."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def filter(self, image):
        raise _Image._unsupported(f"ImageFilter.{type(self).__name__}")


class GaussianBlur(_Unsupported):
    pass


class BoxBlur(_Unsupported):
    pass


class UnsharpMask(_Unsupported):
    pass


class RankFilter(_Unsupported):
    pass


class MedianFilter(_Unsupported):
    pass


class MinFilter(_Unsupported):
    pass


class MaxFilter(_Unsupported):
    pass


class ModeFilter(_Unsupported):
    pass
