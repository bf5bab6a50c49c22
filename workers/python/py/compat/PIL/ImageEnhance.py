"""PIL.ImageEnhance for the offline compatibility layer.

Each enhancer blends the image with a "degenerate" version of itself (Pillow's design):
factor 0 gives the degenerate image, 1 the original, values above 1 extrapolate. The degenerate
image and the float32 blend are computed by the TypeScript kernel in one call.
"""

from . import Image as _Image


class _Enhance:
    # The kernel's name for this enhancer (see src/imaging/enhance.ts).
    _kind = ""

    def __init__(self, image):
        self.image = image

    def enhance(self, factor):
        """Returns an enhanced copy; factor 1.0 returns a copy of the original."""
        im = self.image
        out = _Image._call("enhance", *im._args(), self._kind, float(factor))
        return im._new(out.to_bytes())


class Color(_Enhance):
    """Colour balance: 0 gives a grey image, 1 the original."""

    _kind = "color"


class Contrast(_Enhance):
    """Contrast: 0 gives a solid image of the mean grey level, 1 the original."""

    _kind = "contrast"


class Brightness(_Enhance):
    """Brightness: 0 gives a black image, 1 the original."""

    _kind = "brightness"


class Sharpness(_Enhance):
    """Sharpness: 0 gives a smoothed image (ImageFilter.SMOOTH), 1 the original, 2 sharpened."""

    _kind = "sharpness"
