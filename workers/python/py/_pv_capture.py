"""Where shown figures go: plt.show() (compat or real) calls add_figure, the harness sinks it.

Kept as its own tiny module so the compatibility layer does not import the harness.
"""

_sink = None


def set_sink(sink):
    global _sink
    _sink = sink


def add_figure(mode, width, height, data, titles=()):
    if _sink is not None:
        _sink(mode, width, height, data, list(titles))
