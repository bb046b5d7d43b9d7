"""Figures the notebooks share: learning curves, images, image grids, decision boundaries."""

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


def _panels(n: int, ncols: int, size: float, empty_text: str):
    """A figure with n square panels in rows of ncols; with n = 0, one that says so."""
    import matplotlib.pyplot as plt

    if n == 0:
        fig, ax = plt.subplots(figsize=(4, 1))
        ax.text(0.5, 0.5, empty_text, ha="center", va="center")
        ax.axis("off")
        return fig, None
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    return plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4),
                        squeeze=False)


def image_grid(images: Sequence[np.ndarray] | np.ndarray, titles: Sequence[str] | None = None,
               *, ncols: int = 5, size: float = 2.2, suptitle: str | None = None):
    """Images side by side with a title under each (e.g. misclassified examples).

    Returns the Figure. An empty list gives a figure that says so.
    """
    n = len(images)
    fig, axes = _panels(n, ncols, size, "no images to show")
    if n == 0:
        return fig
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
    fig = image_grid([images[i] for i in wrong], titles, ncols=ncols,
                     suptitle=f"{len(np.flatnonzero(y_true != y_pred))} misclassified "
                              f"of {len(y_true)}")
    if len(wrong):
        # Two-line titles: tight_layout leaves the images' aspect to squeeze them, and the
        # titles of a row reached into the images above (6 px at 64 x 64). Constrained
        # layout keeps room for every title above its own image.
        width, height = fig.get_size_inches()
        fig.set_size_inches(width, height + 0.3 * (-(-len(wrong) // max(1, ncols))))
        fig.set_layout_engine("constrained")
    return fig


def plot_decision_boundary(predict, X: np.ndarray, Y: np.ndarray, *, ax=None,
                           resolution: int = 300, margin: float = 1.0,
                           title: str | None = None, cmap="Spectral"):
    """The regions a classifier gives to each class, with the data on top.

    - predict: a function of data in the course's layout, X of shape (2, n), returning n
      labels (any shape holding n values: (1, n), (n,), booleans or numbers); e.g.
      `lambda x: predict(parameters, x)`. No transpose is needed.
    - X: (2, m) points; Y: (1, m) labels 0/1, used as colours (predictions too are read
      as 0/1: a binary classifier)
    - resolution: grid points along each axis (resolution**2 calls' worth of data in
      one call to predict)
    - margin: how far the plot extends beyond the data on each side
    Returns the matplotlib Axes.
    """
    ax = _axes(ax, figsize=(5, 4))
    X = np.asarray(X, dtype=float)
    x_min, x_max = X[0].min() - margin, X[0].max() + margin
    y_min, y_max = X[1].min() - margin, X[1].max() + margin
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution),
                         np.linspace(y_min, y_max, resolution))
    grid = np.vstack([xx.ravel(), yy.ravel()])  # (2, resolution**2), column-major like X
    labels = np.asarray(predict(grid))
    if labels.size != grid.shape[1]:
        raise ValueError(f"predict returned {labels.size} values for {grid.shape[1]} points "
                         "(it must take X of shape (2, n) and return n labels)")
    zz = labels.astype(float).reshape(xx.shape)
    # Fixed levels and colour limits: class 0 and class 1 keep their colours even when
    # the classifier predicts one class everywhere or the data holds only one.
    ax.contourf(xx, yy, zz, levels=[-0.5, 0.5, 1.5], cmap=cmap, vmin=0, vmax=1, alpha=0.8)
    ax.scatter(X[0], X[1], c=np.asarray(Y, dtype=float).reshape(-1), cmap=cmap, vmin=0,
               vmax=1, s=20, edgecolors="k", linewidths=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    if title:
        ax.set_title(title)
    return ax


def decision_boundary_grid(models: Mapping[str, object], X: np.ndarray, Y: np.ndarray, *,
                           ncols: int = 4, size: float = 3.2, resolution: int = 200,
                           suptitle: str | None = None):
    """Decision boundaries of several classifiers side by side, one panel each.

    - models: {title: predict}, each predict as in plot_decision_boundary (X (2, n) in,
      n labels out); e.g. {"n_h = 1": ..., "n_h = 5": ...}
    - X: (2, m); Y: (1, m)
    Returns the Figure. An empty mapping gives a figure that says so.
    """
    n = len(models)
    fig, axes = _panels(n, ncols, size, "no models to show")
    if n == 0:
        return fig
    for ax, (title, predict) in zip(list(axes.flat)[:n], models.items(), strict=True):
        plot_decision_boundary(predict, X, Y, ax=ax, resolution=resolution, title=title)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
