"""PIL.ImageOps for the offline compatibility layer (Pillow 9.4 behaviour).

Point operations (autocontrast, invert, equalize, posterize, solarize) build or apply lookup
tables in the TypeScript kernel; the geometric helpers (fit, contain, pad, expand, …) are the
same few lines of arithmetic as Pillow's, on top of this layer's resize/crop/paste.
"""

from . import Image


def _require_l_or_rgb(image):
    # Pillow's ImageOps._lut refuses other modes with this OSError.
    if image.mode not in ("L", "RGB"):
        raise OSError("not supported for this image mode")


def _lut(image, lut):
    _require_l_or_rgb(image)
    if image.mode == "RGB" and len(lut) == 256:
        lut = lut + lut + lut
    return image.point(lut)


def _border(border):
    if isinstance(border, tuple):
        if len(border) == 2:
            left, top = right, bottom = border
        elif len(border) == 4:
            left, top, right, bottom = border
    else:
        left = top = right = bottom = border
    return left, top, right, bottom


def autocontrast(image, cutoff=0, ignore=None, mask=None, preserve_tone=False):
    """Stretches each band so its darkest kept value maps to 0 and its lightest to 255;
    `cutoff` percent (one number or (low, high)) is removed from each end first."""
    if mask is not None:
        raise Image._unsupported("ImageOps.autocontrast(mask=...)")
    _require_l_or_rgb(image)
    lo, hi = cutoff if isinstance(cutoff, tuple) else (cutoff, cutoff)
    if ignore is not None and not isinstance(ignore, int):
        ignore = [int(i) for i in ignore]
    out = Image._call("autocontrast", *image._args(), lo, hi, ignore, bool(preserve_tone))
    return image._new(out.to_bytes())


def grayscale(image):
    return image.convert("L")


def invert(image):
    _require_l_or_rgb(image)
    return image._new(Image._call("invert", *image._args()).to_bytes())


def mirror(image):
    return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def flip(image):
    return image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def crop(image, border=0):
    left, top, right, bottom = _border(border)
    return image.crop((left, top, image.size[0] - right, image.size[1] - bottom))


def expand(image, border=0, fill=0):
    left, top, right, bottom = _border(border)
    width = left + image.size[0] + right
    height = top + image.size[1] + bottom
    out = Image.new(image.mode, (width, height), fill)
    out.paste(image, (left, top))
    return out


def scale(image, factor, resample=Image.Resampling.BICUBIC):
    if factor == 1:
        return image.copy()
    elif factor <= 0:
        raise ValueError("the factor must be greater than 0")
    size = (round(factor * image.width), round(factor * image.height))
    return image.resize(size, resample)


def contain(image, size, method=Image.Resampling.BICUBIC):
    """Resizes to fit inside `size`, keeping the aspect ratio."""
    im_ratio = image.width / image.height
    dest_ratio = size[0] / size[1]
    if im_ratio != dest_ratio:
        if im_ratio > dest_ratio:
            new_height = round(image.height / image.width * size[0])
            if new_height != size[1]:
                size = (size[0], new_height)
        else:
            new_width = round(image.width / image.height * size[1])
            if new_width != size[0]:
                size = (new_width, size[1])
    return image.resize(size, resample=method)


def pad(image, size, method=Image.Resampling.BICUBIC, color=None, centering=(0.5, 0.5)):
    """contain() then paste on a `color` canvas of exactly `size`."""
    resized = contain(image, size, method)
    if resized.size == size:
        return resized
    out = Image.new(image.mode, size, color)
    if resized.width != size[0]:
        x = round((size[0] - resized.width) * max(0, min(centering[0], 1)))
        out.paste(resized, (x, 0))
    else:
        y = round((size[1] - resized.height) * max(0, min(centering[1], 1)))
        out.paste(resized, (0, y))
    return out


def fit(image, size, method=Image.Resampling.BICUBIC, bleed=0.0, centering=(0.5, 0.5)):
    """Crops to the aspect ratio of `size` (around `centering`) and resizes in one step."""
    centering = list(centering)
    if not 0.0 <= centering[0] <= 1.0:
        centering[0] = 0.5
    if not 0.0 <= centering[1] <= 1.0:
        centering[1] = 0.5
    if not 0.0 <= bleed < 0.5:
        bleed = 0.0
    bleed_pixels = (bleed * image.size[0], bleed * image.size[1])
    live_size = (image.size[0] - bleed_pixels[0] * 2, image.size[1] - bleed_pixels[1] * 2)
    live_size_ratio = live_size[0] / live_size[1]
    output_ratio = size[0] / size[1]
    if live_size_ratio == output_ratio:
        crop_width, crop_height = live_size
    elif live_size_ratio >= output_ratio:
        crop_width, crop_height = output_ratio * live_size[1], live_size[1]
    else:
        crop_width, crop_height = live_size[0], live_size[0] / output_ratio
    crop_left = bleed_pixels[0] + (live_size[0] - crop_width) * centering[0]
    crop_top = bleed_pixels[1] + (live_size[1] - crop_height) * centering[1]
    box = (crop_left, crop_top, crop_left + crop_width, crop_top + crop_height)
    return image.resize(size, method, box=box)


def equalize(image, mask=None):
    """Histogram equalisation (Pillow's step rule), one LUT per band."""
    if mask is not None:
        raise Image._unsupported("ImageOps.equalize(mask=...)")
    _require_l_or_rgb(image)
    h = image.histogram()
    lut = []
    for b in range(0, len(h), 256):
        histo = [v for v in h[b : b + 256] if v]
        if len(histo) <= 1:
            lut.extend(range(256))
            continue
        step = (sum(histo) - histo[-1]) // 255
        if not step:
            lut.extend(range(256))
            continue
        n = step // 2
        for i in range(256):
            lut.append(n // step)
            n = n + h[i + b]
    return _lut(image, lut)


def posterize(image, bits):
    mask = ~(2 ** (8 - bits) - 1)
    return _lut(image, [i & mask for i in range(256)])


def solarize(image, threshold=128):
    return _lut(image, [i if i < threshold else 255 - i for i in range(256)])


def exif_transpose(image):
    # This layer keeps no EXIF data, so there is no orientation to apply.
    return image.copy()
