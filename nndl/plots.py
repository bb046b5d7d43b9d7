"""Figures the notebooks share: learning curves, images, image grids."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def _axes(ax, figsize=(6, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_costs(costs, *, every: int = 100, title: str | None = None, ax=None,
               log_scale: bool = False):
    """Learning curves on one axis.

    - costs: a sequence of costs recorded every `every` iterations, or a mapping
      {label: costs} to compare several runs (e.g. several learning rates).
    Returns the matplotlib Axes.
    """
    ax = _axes(ax)
    runs = costs.items() if isinstance(costs, Mapping) else [(None, costs)]
    for label, run in runs:
        values = np.squeeze(np.asarray(run, dtype=float)).reshape(-1)
        ax.plot(np.arange(len(values)) * every, values, label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    if log_scale:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if isinstance(costs, Mapping):
        ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


def _class_name(classes, label) -> str:
    if classes is None:
        return str(label)
    name = classes[int(np.squeeze(label))]
    return name.decode("utf-8") if isinstance(name, bytes | np.bytes_) else str(name)


def show_image(image: np.ndarray, label=None, classes=None, *, title: str | None = None,
               ax=None):
    """Show one (num_px, num_px, 3) image, titled with its class name when given.

    - label: 0/1 (or an array holding it); with `classes` the title is the class name.
    """
    ax = _axes(ax, figsize=(3, 3))
    ax.imshow(np.asarray(image))
    ax.axis("off")
    if title is None and label is not None:
        title = f"y = {int(np.squeeze(label))} ({_class_name(classes, label)})"
    if title:
        ax.set_title(title)
    return ax


def image_grid(images: Sequence[np.ndarray] | np.ndarray, titles: Sequence[str] | None = None,
               *, ncols: int = 5, size: float = 2.2, suptitle: str | None = None):
    """Images side by side with a title under each (e.g. misclassified examples).

    Returns the Figure. An empty list gives a figure that says so.
    """
    import matplotlib.pyplot as plt

    n = len(images)
    if n == 0:
        fig, ax = plt.subplots(figsize=(4, 1))
        ax.text(0.5, 0.5, "no images to show", ha="center", va="center")
        ax.axis("off")
        return fig
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(np.asarray(images[i]))
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def misclassified(images: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, classes=None,
                  *, limit: int = 10, ncols: int = 5):
    """Grid of the images whose prediction differs from the label.

    - images: (m, num_px, num_px, 3); y_true, y_pred: (1, m) labels 0/1.
    """
    y_true = np.asarray(y_true).reshape(-1)
    y_pred = np.asarray(y_pred).reshape(-1)
    wrong = np.flatnonzero(y_true != y_pred)[:limit]
    titles = [f"#{i}: predicted {_class_name(classes, y_pred[i])},\n"
              f"is {_class_name(classes, y_true[i])}" for i in wrong]
    return image_grid([images[i] for i in wrong], titles, ncols=ncols,
                      suptitle=f"{len(np.flatnonzero(y_true != y_pred))} misclassified "
                               f"of {len(y_true)}")
