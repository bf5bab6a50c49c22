"""Offline compatibility subset of Pillow (PIL).

Model-written PyVision code imports PIL, but no Pillow wheel is available offline. This package
offers the part of Pillow 9.4's API such code uses (Image, ImageEnhance, ImageOps, ImageFilter,
ImageColor) for the modes L, RGB and RGBA. The pixel work is done by the project's TypeScript
kernels (src/imaging), reached through the `_pv_imaging` JS module the runtime registers, so the
results match real Pillow (exactly, or within ±1 for resampling/enhancement).
"""

# The Pillow release whose behaviour this layer reproduces (code that branches on the version
# then takes the modern paths, e.g. Image.Resampling).
__version__ = "9.4.0"

# Marker so code (and tests) can tell this layer from real Pillow.
_PV_COMPAT = True


class UnidentifiedImageError(OSError):
    """Raised when Image.open cannot read the data (same class name as Pillow's)."""
