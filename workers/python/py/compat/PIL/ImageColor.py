"""PIL.ImageColor for the offline compatibility layer: colour names and #hex/rgb()/hsl()
strings, parsed by the TypeScript kernel (src/imaging/colors.ts, Pillow's table and rules)."""

from . import Image as _Image


def getrgb(color):
    """"red" / "#ff0000" / "rgb(255,0,0)" … → (r, g, b) or (r, g, b, a)."""
    return tuple(_Image._call("get_rgb", color).to_py())


def getcolor(color, mode):
    """Like getrgb, converted for `mode` (L gives the grey level; RGBA adds alpha 255)."""
    ch = _Image._check_mode(mode, "ImageColor.getcolor")
    value = tuple(_Image._call("color_for", color, ch).to_py())
    return value[0] if ch == 1 else value
