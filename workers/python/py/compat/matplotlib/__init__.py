"""matplotlib for the offline compatibility layer.

Only `matplotlib.pyplot`'s image display subset exists (see pyplot.py): figures are turned into
pixels by the project's kernels and handed to the runtime on plt.show(). Backend selection is
accepted and ignored, since there is no GUI either way.
"""

__version__ = "3.6.3"

# Code commonly tweaks these before plotting; they have no effect here.
rcParams = {"figure.figsize": [6.4, 4.8], "figure.dpi": 100.0, "image.cmap": "viridis"}
rcParamsDefault = dict(rcParams)


def use(backend, force=True):
    pass


def get_backend():
    return "agg"


def rc(group, **kwargs):
    for k, v in kwargs.items():
        rcParams[f"{group}.{k}"] = v
