"""The diagrams of the assignments, drawn by code so that a label is changed here, not in a picture.

    python -m nndl.diagrams            # (re)write every source/<assignment>/images/<name>.svg
    python -m nndl.diagrams --check    # draw them into a temporary folder, compare with the files

After a change, run ``nndl release <assignment>``: nbgrader copies ``images/`` into release/.
The notebooks show them with ``![alt text](images/<name>.svg)``.

The SVG files are deterministic: no date or creator in them, element ids from a fixed salt, and
glyphs written as paths (``svg.fonttype = 'path'``). Kept as text, the formulas would be drawn
in whatever font the reader's browser substitutes for DejaVu Sans, and the pieces of a formula,
which matplotlib places one glyph at a time, would overlap or drift apart.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# The matplotlib the committed files were drawn with: another version may write other bytes
# (ids, path precision), so `--check` compares files only under this one.
DRAWN_WITH = "3.11.2"
RC = {
    "svg.hashsalt": "nndl-diagrams",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 11,
    "path.simplify": False,
}
FWD, BWD, CACHE, INK = "#1f5fa8", "#b8322a", "#3b7d3b", "#222222"
LIGHT = {FWD: "#e3edf8", BWD: "#f8e5e3", CACHE: "#e4f1e4", INK: "#f2f2f2"}


# ---- drawing helpers (units: inches, origin bottom left) ---------------------------------------

def _canvas(width: float, height: float):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def _text(ax, x, y, s, size=11, color=INK, ha="center", va="center", **kw):
    ax.text(x, y, s, fontsize=size, color=color, ha=ha, va=va, **kw)


def _box(ax, x, y, w, h, s="", color=INK, size=11, dashed=False, fill=True):
    """A rounded box centred on (x, y) with `s` in it."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                boxstyle="round,pad=0,rounding_size=0.08",
                                fc=LIGHT[color] if fill else "none", ec=color, lw=1.2,
                                ls=(0, (4, 3)) if dashed else "-"))
    if s:
        _text(ax, x, y, s, size=size)


def _circle(ax, x, y, r, s="", color=INK, size=11):
    from matplotlib.patches import Circle

    ax.add_patch(Circle((x, y), r, fc=LIGHT[color], ec=color, lw=1.2))
    if s:
        _text(ax, x, y, s, size=size)


def _arrow(ax, start, end, color=INK, s="", size=10, offset=(0, 0.13), dashed=False, lw=1.3,
           shrink=0.0, ha="center"):
    """An arrow from `start` to `end`, with `s` written at its middle plus `offset`."""
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=color,
                                 lw=lw, ls=(0, (4, 3)) if dashed else "-",
                                 shrinkA=shrink * 72, shrinkB=shrink * 72))
    if s:
        _text(ax, (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1], s,
              size=size, color=color, ha=ha)


def _column(ax, x, ys, r, labels, color=INK, size=10):
    """Units of one layer at height ys; a label of None draws a vertical ellipsis instead."""
    for y, label in zip(ys, labels, strict=True):
        if label is None:
            _text(ax, x, y, r"$\vdots$", size=13)
        else:
            _circle(ax, x, y, r, label, color=color, size=size)


def _connect(ax, x0, ys0, x1, ys1, r0, r1, skip0=(), skip1=(), color="#8a8a8a"):
    """Lines from every unit of one layer to every unit of the next (skipping ellipses)."""
    for i, y0 in enumerate(ys0):
        for j, y1 in enumerate(ys1):
            if i in skip0 or j in skip1:
                continue
            d = np.hypot(x1 - x0, y1 - y0)
            ux, uy = (x1 - x0) / d, (y1 - y0) / d
            ax.plot([x0 + r0 * ux, x1 - r1 * ux], [y0 + r0 * uy, y1 - r1 * uy], color=color, lw=0.7)


def _spread(n: int, centre: float, step: float) -> list[float]:
    return [centre + step * ((n - 1) / 2 - i) for i in range(n)]


# ---- week 2: logistic regression ---------------------------------------------------------------

def lr_neuron():
    """Logistic regression as one neuron: x -> z = w^T x + b -> a = sigma(z) -> L(a, y)."""
    fig, ax = _canvas(8, 3.2)
    ys = _spread(4, 1.65, 0.62)
    _column(ax, 0.75, ys, 0.24, ["$x_1$", "$x_2$", None, "$x_{n_x}$"], color=FWD)
    cx, cy, r = 3.35, 1.65, 0.82
    for y, w in [(ys[0], "$w_1$"), (ys[1], "$w_2$"), (ys[3], "$w_{n_x}$")]:
        end = (cx - r * 0.98, cy + (y - cy) * 0.25)
        _arrow(ax, (0.99, y), end, color=FWD)
        _text(ax, 1.3, y + 0.31 * (end[1] - y) / (end[0] - 0.99) + 0.16, w, size=10, color=FWD)
    _circle(ax, cx, cy, r, color=FWD)
    ax.plot([cx - r, cx + r], [cy, cy], color=FWD, lw=0.8)
    _text(ax, cx, cy + 0.3, "$z = w^T x + b$", size=11)
    _text(ax, cx, cy - 0.3, r"$a = \sigma(z)$", size=11)
    _arrow(ax, (cx, 3.0), (cx, cy + r), color=FWD)
    _text(ax, cx + 0.12, 2.88, "$b$", size=11, color=FWD, ha="left")
    _arrow(ax, (cx + r, cy), (5.05, cy), color=FWD, s=r"$\hat y = a$", size=11)
    _box(ax, 6.5, cy, 2.85, 1.0, color=FWD)
    _text(ax, 6.5, cy + 0.2, r"$\mathcal{L}(a, y)$", size=12)
    _text(ax, 6.5, cy - 0.2, r"$= -y \log a - (1 - y) \log(1 - a)$", size=9.5)
    _arrow(ax, (6.5, 0.45), (6.5, cy - 0.5), color=INK)
    _text(ax, 6.6, 0.5, "$y$, the label (0 or 1)", size=10, ha="left")
    _text(ax, 0.75, 0.22, "$x$: one image as a\ncolumn, $(n_x, 1)$", size=9.5)
    _text(ax, cx, 0.45, "$w$: $(n_x, 1)$, $b$: a number", size=10)
    _text(ax, 0.75, 3.02, "input", size=10, color="#555555")
    _text(ax, cx - 1.2, 3.02, "one neuron", size=10, color="#555555")
    _text(ax, 6.5, 3.02, "loss on this example", size=10, color="#555555")
    return fig


_TINTS = ((0.80, 0.25, 0.22), (0.25, 0.62, 0.28), (0.22, 0.38, 0.80))


def _shade(value: float, channel: int):
    """A pixel of brightness `value` in [0, 1], tinted by its channel."""
    tint = np.array(_TINTS[channel])
    return tuple(1 - value * (1 - tint))


def image_to_vector():
    """A (num_px, num_px, 3) image flattened into one column of X (C order: channel fastest)."""
    from matplotlib.patches import Rectangle

    fig, ax = _canvas(8, 3.4)
    pixels = np.array([[0.1, 0.3, 0.3, 0.1], [0.3, 0.9, 0.8, 0.3],
                       [0.3, 0.8, 0.9, 0.3], [0.1, 0.4, 0.4, 0.1]])
    s, x0, y0 = 0.27, 0.35, 0.95
    for c in (2, 1, 0):
        for i in range(4):
            for j in range(4):
                ax.add_patch(Rectangle((x0 + c * 0.17 + j * s, y0 + c * 0.17 + (3 - i) * s), s, s,
                                       fc=_shade(pixels[i, j], c), ec="#555555", lw=0.6))
        _text(ax, x0 + 4 * s + 0.42, y0 + 0.1 + c * 0.2, f"channel {c}", size=8, ha="left",
              color=_TINTS[c])
    _text(ax, x0 + 0.9, 2.75, "one image", size=11)
    _text(ax, x0 + 0.9, 0.62, r"$(num\_px,\ num\_px,\ 3)$", size=10)
    _text(ax, x0 + 0.9, 0.3, "(drawn with num_px = 4)", size=8.5, color="#555555")
    _arrow(ax, (2.25, 1.7), (3.25, 1.7), color=FWD, s="flatten", size=10)
    # the column: (row, column, channel), channel fastest, as reshape reads memory
    entries = [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 0), (0, 1, 1), None, (3, 3, 2)]
    h, vx = 0.27, 3.4
    top = 2.6
    for k, e in enumerate(entries):
        y = top - (k + 1) * h
        if e is None:
            _text(ax, vx + 0.2, y + h / 2, r"$\vdots$", size=12)
            continue
        ax.add_patch(Rectangle((vx, y), 0.4, h, fc=_shade(pixels[e[0], e[1]], e[2]),
                               ec="#555555", lw=0.6))
        _text(ax, vx + 0.5, y + h / 2, f"{e}", size=8.5, ha="left")
    _text(ax, vx + 0.2, top + 0.25, "one column", size=11)
    _text(ax, vx + 1.05, top + 0.0, "(row, col, channel)", size=8, color="#555555")
    _text(ax, vx + 0.55, 0.62, r"$(num\_px \cdot num\_px \cdot 3,\ 1)$", size=10)
    _text(ax, vx + 0.55, 0.3, "channel changes fastest", size=8.5, color="#555555")
    _arrow(ax, (4.75, 1.7), (5.55, 1.7), color=FWD, s="column $i$", size=10)
    mx, cw = 5.75, 0.27
    for col in range(6):
        x = mx + col * cw + (0.35 if col == 5 else 0)
        for k in range(7):
            y = top - (k + 1) * h
            if col == 0 and entries[k] is not None:
                fc = _shade(pixels[entries[k][0], entries[k][1]], entries[k][2])
            else:
                fc = "#f2f2f2" if k != 5 else "white"
            ax.add_patch(Rectangle((x, y), cw, h, fc=fc, ec="#555555" if k != 5 else "none",
                                   lw=0.6))
    _text(ax, mx + 5 * cw + 0.17, top - 3.5 * h, r"$\cdots$", size=12)
    _text(ax, mx + 0.95, top + 0.25, "$X$: one column per image", size=11)
    _text(ax, mx + 0.95, 0.62, r"$(num\_px \cdot num\_px \cdot 3,\ m)$", size=10)
    _text(ax, 4.0, 0.05, "X_flatten = X.reshape(X.shape[0], -1).T", size=9.5, family="monospace",
          va="bottom", color=FWD)
    return fig


def gradient_descent():
    """Gradient descent on the cost of a small logistic regression: one weight, then (w, b)."""
    fig = _canvas(8, 3.4)[0]
    fig.axes[0].remove()
    x = np.array([-2.0, -1.3, -0.6, -0.2, 0.4, 0.9, 1.6, 2.3])
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])

    def cost(w, b):
        a = 1 / (1 + np.exp(-(np.multiply.outer(w, x) + np.multiply.outer(b, np.ones_like(x)))))
        return -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a), axis=-1)

    def grad(w, b):
        a = 1 / (1 + np.exp(-(w * x + b)))
        return np.mean((a - y) * x), np.mean(a - y)

    left = fig.add_axes((0.07, 0.17, 0.38, 0.68))
    ws = np.linspace(-2.5, 6.5, 200)
    left.plot(ws, cost(ws, 0.0), color=INK, lw=1.3)
    w, alpha, path = -2.0, 1.2, []
    for _ in range(9):
        path.append(w)
        w = w - alpha * grad(w, 0.0)[0]
    path = np.array(path)
    left.plot(path, cost(path, 0.0), "o", color=FWD, ms=5, zorder=3)
    for w0, w1 in zip(path[:-1], path[1:], strict=True):
        left.annotate("", (w1, cost(w1, 0.0)), (w0, cost(w0, 0.0)),
                      arrowprops={"arrowstyle": "-|>", "color": FWD, "lw": 1.0,
                                  "shrinkA": 4, "shrinkB": 4})
    slope = grad(path[0], 0.0)[0]
    t = np.array([-2.45, -1.55])
    left.plot(t, cost(path[0], 0.0) + slope * (t - path[0]), "--", color=BWD, lw=1.1)
    left.text(-1.6, cost(path[0], 0.0) + 0.2, r"slope $\frac{dJ}{dw} < 0$", color=BWD, fontsize=10)
    left.text(path[0] + 0.3, cost(path[0], 0.0) - 0.05, "start", color=FWD, fontsize=10,
              va="top", ha="left")
    left.set_xlabel("$w$")
    left.set_ylabel("cost $J$")
    left.set_title(r"new $w$ = $w - \alpha \, \frac{dJ}{dw}$: steps downhill", fontsize=11)
    left.set_xticks([])
    left.set_yticks([])
    right = fig.add_axes((0.56, 0.17, 0.4, 0.68))
    W, B = np.meshgrid(np.linspace(-3, 6, 181), np.linspace(-4, 4, 161))
    right.contour(W, B, cost(W, B), levels=[0.35, 0.4, 0.5, 0.65, 0.85, 1.1, 1.5, 2.0, 2.6],
                  colors="#8a8a8a", linewidths=0.8)
    w, b, path = -2.0, 3.0, []
    for _ in range(40):
        path.append((w, b))
        dw, db = grad(w, b)
        w, b = w - 1.5 * dw, b - 1.5 * db
    path = np.array(path)
    right.plot(path[:, 0], path[:, 1], "-o", color=FWD, ms=3, lw=1.1)
    right.text(path[0, 0] + 0.25, path[0, 1], "start", color=FWD, fontsize=10, va="center")
    for _ in range(4000):
        dw, db = grad(w, b)
        w, b = w - 1.5 * dw, b - 1.5 * db
    right.plot([w], [b], "*", color=BWD, ms=11)
    right.text(w + 0.3, b - 0.2, "minimum", color=BWD, fontsize=10, va="top")
    right.set_xlabel("$w$")
    right.set_ylabel("$b$", rotation=0)
    right.set_title("$J(w, b)$: contour lines and 40 steps", fontsize=11)
    right.set_xticks([])
    right.set_yticks([])
    return fig


# ---- week 3: one hidden layer ------------------------------------------------------------------

def shallow_network():
    """The network of week 3 (2 inputs, n_h = 4 tanh units, one sigmoid output) with its shapes."""
    fig, ax = _canvas(8, 4.2)
    xs, cy = (1.0, 3.6, 6.0), 2.35
    ins, hid, out = _spread(2, cy, 0.9), _spread(4, cy, 0.55), [cy]
    _connect(ax, xs[0], ins, xs[1], hid, 0.26, 0.26)
    _connect(ax, xs[1], hid, xs[2], out, 0.26, 0.3)
    _column(ax, xs[0], ins, 0.26, ["$x_1$", "$x_2$"], color=INK)
    _column(ax, xs[1], hid, 0.26, [f"$a^{{[1]}}_{j}$" for j in range(1, 5)], color=FWD, size=9.5)
    _column(ax, xs[2], out, 0.3, ["$a^{[2]}$"], color=BWD)
    _arrow(ax, (xs[2] + 0.3, cy), (7.05, cy), color=INK)
    _text(ax, 7.1, cy, r"$\hat y = a^{[2]}$" "\n" r"1 if $> 0.5$", size=10, ha="left")
    _text(ax, xs[0], 4.0, "input layer", size=11)
    _text(ax, xs[1], 4.0, "hidden layer: $n_h = 4$ units", size=11)
    _text(ax, xs[2] + 0.2, 4.0, "output layer", size=11)
    _text(ax, xs[1], 3.65, r"$A^{[1]} = \tanh(W^{[1]} X + b^{[1]})$", size=10, color=FWD)
    _text(ax, xs[2] + 0.2, 3.65, r"$A^{[2]} = \sigma(W^{[2]} A^{[1]} + b^{[2]})$", size=10,
          color=BWD)
    _text(ax, xs[0], 0.6, "$X$: $(n_x, m)$\n$= (2, 400)$", size=9.5)
    _text(ax, xs[1], 0.6, "$W^{[1]}$: $(n_h, n_x) = (4, 2)$\n$b^{[1]}$: $(n_h, 1) = (4, 1)$\n"
          "$Z^{[1]}, A^{[1]}$: $(n_h, m) = (4, 400)$", size=9.5)
    _text(ax, xs[2] + 0.2, 0.6, "$W^{[2]}$: $(n_y, n_h) = (1, 4)$\n$b^{[2]}$: $(n_y, 1) = (1, 1)$\n"
          "$Z^{[2]}, A^{[2]}$: $(n_y, m) = (1, 400)$", size=9.5)
    return fig


def shallow_backward():
    """The backward pass of week 3: the six equations beside the network, with their shapes."""
    fig, ax = _canvas(8, 4.0)
    xs, cy = (0.45, 1.55, 2.65), 2.05
    ins, hid = _spread(2, cy, 0.8), _spread(4, cy, 0.5)
    _connect(ax, xs[0], ins, xs[1], hid, 0.2, 0.2)
    _connect(ax, xs[1], hid, xs[2], [cy], 0.2, 0.24)
    _column(ax, xs[0], ins, 0.2, ["$x_1$", "$x_2$"], size=9)
    _column(ax, xs[1], hid, 0.2, [""] * 4, color=FWD)
    _column(ax, xs[2], [cy], 0.24, [r"$\sigma$"], color=BWD)
    _text(ax, xs[1], hid[-1] - 0.42, "tanh", size=9.5, color=FWD)
    _text(ax, xs[2], cy + 0.45, "$dZ^{[2]}$", size=10, color=BWD)
    _text(ax, xs[1], hid[0] + 0.42, "$dZ^{[1]}$", size=10, color=BWD)
    _arrow(ax, (0.2, 3.55), (2.95, 3.55), color=FWD, s="forward: keep $A^{[1]}, A^{[2]}$",
           size=9.5, offset=(0, 0.17))
    _arrow(ax, (2.95, 0.45), (0.2, 0.45), color=BWD, s="backward: layer 2, then layer 1",
           size=9.5, offset=(0, -0.2))
    rows = [
        ("layer 2 (output)", None),
        ("$dZ^{[2]} = A^{[2]} - Y$", "$(n_y, m)$"),
        (r"$dW^{[2]} = \frac{1}{m}\, dZ^{[2]} A^{[1]T}$", "$(n_y, n_h)$"),
        (r"$db^{[2]} = \frac{1}{m} \sum_i dZ^{[2](i)}$", "$(n_y, 1)$"),
        ("layer 1 (hidden)", None),
        (r"$dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot (1 - (A^{[1]})^2)$", "$(n_h, m)$"),
        (r"$dW^{[1]} = \frac{1}{m}\, dZ^{[1]} X^T$", "$(n_h, n_x)$"),
        (r"$db^{[1]} = \frac{1}{m} \sum_i dZ^{[1](i)}$", "$(n_h, 1)$"),
    ]
    for k, (left, shape) in enumerate(rows):
        y = 3.72 - k * 0.42 - (0.08 if k >= 4 else 0)
        if shape is None:
            _text(ax, 3.3, y, left, size=10, color="#555555", ha="left")
        else:
            _text(ax, 3.5, y, left, size=11.5, color=BWD, ha="left")
            _text(ax, 7.9, y, shape, size=10.5, ha="right")
    _text(ax, 7.9, 3.72, "shape", size=10, color="#555555", ha="right")
    _text(ax, 3.3, 0.34, r"$1 - (A^{[1]})^2 = \tanh'(Z^{[1]})$, from the cache", size=9,
          color="#555555", ha="left")
    _text(ax, 3.3, 0.1, r"$\sum_i$ along the examples: np.sum(dZ, axis=1, keepdims=True)", size=9,
          color="#555555", ha="left")
    return fig


# ---- week 4: the L-layer network, step by step -------------------------------------------------

def l_layer_architecture():
    """[LINEAR -> RELU] x (L - 1) -> LINEAR -> SIGMOID, with the shapes of each layer."""
    fig, ax = _canvas(8, 3.3)
    cy, h, w = 1.85, 0.85, 1.2
    items = [(0.4, 0.7, r"$X = A^{[0]}$" "\n" r"$(n^{[0]}, m)$", INK),
             (1.65, w, "LINEAR\n→ RELU", FWD), (2.75, 0.3, r"$\cdots$", None),
             (4.1, w, "LINEAR\n→ RELU", FWD), (5.8, w, "LINEAR\n→ SIGMOID", BWD),
             (7.45, 0.9, r"$A^{[L]} = \hat Y$" "\n" r"$(1, m)$", INK)]
    for x, wid, s, color in items:
        if color is None:
            _text(ax, x, cy, s, size=13)
        elif color is INK:
            _text(ax, x, cy, s, size=10)
        else:
            _box(ax, x, cy, wid, h, s, color=color, size=10)
    labels = ["", r"$A^{[1]}$", r"$A^{[L-2]}$", r"$A^{[L-1]}$", ""]
    for (x0, w0, *_), (x1, w1, *_), s in zip(items[:-1], items[1:], labels, strict=True):
        _arrow(ax, (x0 + w0 / 2 + 0.03, cy), (x1 - w1 / 2 - 0.03, cy), color=INK, s=s, size=9.5,
               offset=(0, 0.15))
    for x, name, wl, bl in [(1.65, "layer 1", "(n^{[1]}, n^{[0]})", "(n^{[1]}, 1)"),
                            (4.1, "layer $L-1$", "(n^{[L-1]}, n^{[L-2]})", "(n^{[L-1]}, 1)"),
                            (5.8, "layer $L$", "(1, n^{[L-1]})", "(1, 1)")]:
        _text(ax, x, cy + h / 2 + 0.17, name, size=10)
        _text(ax, x, cy - h / 2 - 0.22, f"$W$: ${wl}$", size=9)
        _text(ax, x, cy - h / 2 - 0.45, f"$b$: ${bl}$", size=9)
    ax.plot([1.05, 1.05, 4.7, 4.7], [2.72, 2.8, 2.8, 2.72], color=FWD, lw=1.1)
    _text(ax, 2.875, 3.02, r"[LINEAR → RELU] $\times\ (L - 1)$", size=10.5, color=FWD)
    _text(ax, 5.8, 3.02, "once", size=10.5, color=BWD)
    _text(ax, 4.0, 0.52, r"each layer $l$: $Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}$,  "
          r"$A^{[l]} = g^{[l]}(Z^{[l]})$;  $W^{[l]}$: $(n^{[l]}, n^{[l-1]})$", size=10)
    _text(ax, 4.0, 0.18, "layer_dims = [n_x, n1, ..., 1] has L + 1 entries; "
          "[12288, 20, 7, 5, 1] is a network with L = 4", size=9, color="#555555")
    return fig


def _cache_label(ax, x, y, s, size=8.5):
    ax.text(x, y, s, fontsize=size, color=CACHE, ha="center", va="center",
            bbox={"boxstyle": "round,pad=0.25", "fc": LIGHT[CACHE], "ec": CACHE, "lw": 0.8})


def forward_backward_caches():
    """The forward pass left to right, the backward pass right to left, a cache per layer."""
    fig, ax = _canvas(8, 4.3)
    yf, yb, bw, bh = 3.3, 1.45, 1.3, 0.62
    cols = [(1.45, "1", "relu", "caches[0]", r"$((A^{[0]}, W^{[1]}, b^{[1]}), Z^{[1]})$"),
            (3.35, "2", "relu", "caches[1]", r"$((A^{[1]}, W^{[2]}, b^{[2]}), Z^{[2]})$"),
            (6.1, "L", "sigmoid", "caches[L-1]", r"$((A^{[L-1]}, W^{[L]}, b^{[L]}), Z^{[L]})$")]
    _text(ax, 0.3, yf, "$X$", size=11)
    for x, layer, act, index, content in cols:
        name = "layer $L$" if layer == "L" else f"layer {layer}"
        _box(ax, x, yf, bw, bh, f"{name}\n{act}", color=FWD, size=9.5)
        _box(ax, x, yb, bw, bh, f"{name}\n{act} backward", color=BWD, size=9)
        _arrow(ax, (x, yf - bh / 2), (x, yb + bh / 2), color=CACHE, dashed=True)
        _cache_label(ax, x, (yf + yb) / 2 + 0.14, index, size=8.5)
        ax.text(x, (yf + yb) / 2 - 0.2, content, fontsize=8, color=CACHE, ha="center",
                va="center", bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none"})
        _arrow(ax, (x, yb - bh / 2), (x, 0.62), color=BWD)
        _text(ax, x, 0.45, f"$dW^{{[{layer}]}}, db^{{[{layer}]}}$", size=9.5, color=BWD)
    _text(ax, 4.7, yf, r"$\cdots$", size=13)
    _text(ax, 4.7, yb, r"$\cdots$", size=13)
    _box(ax, 7.58, yf, 0.82, bh, "cost $J$\n(with $Y$)", color=INK, size=9.5)
    fwd = [(0.45, 0.8, ""), (2.1, 2.7, "$A^{[1]}$"), (4.0, 4.5, "$A^{[2]}$"),
           (4.9, 5.45, "$A^{[L-1]}$"), (6.75, 7.17, "$A^{[L]}$")]
    for x0, x1, s in fwd:
        _arrow(ax, (x0, yf), (x1, yf), color=FWD, s=s, size=9, offset=(0, 0.16))
    bwd = [(2.7, 2.1, "$dA^{[1]}$"), (4.5, 4.0, "$dA^{[2]}$"), (5.45, 4.9, "$dA^{[L-1]}$"),
           (0.8, 0.4, "$dA^{[0]}$")]
    for x0, x1, s in bwd:
        _arrow(ax, (x0, yb), (x1, yb), color=BWD, s=s, size=9, offset=(0, -0.17))
    _arrow(ax, (7.58, yf - bh / 2), (6.75, yb + 0.1), color=BWD)
    _text(ax, 7.3, 2.2, "$dA^{[L]}$", size=9.5, color=BWD, ha="left")
    _text(ax, 0.1, 4.05, "forward: L_model_forward keeps one cache per layer", size=10,
          color=FWD, ha="left")
    _text(ax, 0.1, 0.12, "backward: L_model_backward reads them in reverse order; "
          "the gradients go into grads", size=10, color=BWD, ha="left")
    return fig


def linear_backward():
    """One layer backwards: dA -> dZ through the activation, then dZ -> dW, db, dA_prev."""
    fig, ax = _canvas(8, 4.2)
    yf, yb, bh = 3.65, 2.15, 0.62
    _text(ax, 0.5, yf, "$A^{[l-1]}$", size=11)
    _box(ax, 2.7, yf, 2.5, bh, "LINEAR\n" r"$Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}$", color=FWD,
         size=9.5)
    _box(ax, 5.5, yf, 1.9, bh, "activation $g$\n" r"$A^{[l]} = g(Z^{[l]})$", color=FWD, size=9.5)
    _text(ax, 7.45, yf, "$A^{[l]}$", size=11)
    _arrow(ax, (0.85, yf), (1.43, yf), color=FWD)
    _arrow(ax, (3.97, yf), (4.53, yf), color=FWD, s="$Z^{[l]}$", size=9.5, offset=(0, 0.15))
    _arrow(ax, (6.47, yf), (7.1, yf), color=FWD)
    _box(ax, 2.7, yb, 2.5, bh, "linear_backward\n(dZ, linear_cache)", color=BWD, size=9.5)
    _box(ax, 5.5, yb, 1.9, 0.85, "relu_backward or\nsigmoid_backward\n" r"$dZ = dA \odot g'(Z)$",
         color=BWD, size=9.5)
    _arrow(ax, (7.1, yb), (6.47, yb), color=BWD)
    _text(ax, 7.45, yb, "$dA^{[l]}$", size=11, color=BWD)
    _arrow(ax, (4.53, yb), (3.97, yb), color=BWD, s="$dZ^{[l]}$", size=9.5, offset=(0, 0.15))
    _arrow(ax, (1.43, yb), (0.85, yb), color=BWD)
    _text(ax, 0.5, yb, "$dA^{[l-1]}$", size=11, color=BWD)
    for x, s in [(2.7, r"linear cache $(A^{[l-1]}, W^{[l]}, b^{[l]})$"),
                 (5.5, r"activation cache $Z^{[l]}$")]:
        _arrow(ax, (x, yf - bh / 2), (x, yb + 0.43), color=CACHE, dashed=True)
        _cache_label(ax, x, (yf + yb) / 2 + 0.06, s, size=8.5)
    _box(ax, 4.1, yb, 5.3, 1.08, color=INK, dashed=True, fill=False)
    _text(ax, 6.75, yb - 0.7, "linear_activation_backward(dA, cache, activation)", size=8.5,
          color="#555555", ha="right", family="monospace")
    _arrow(ax, (2.7, yb - bh / 2), (2.7, 1.35), color=BWD)
    rows = [(r"$dW^{[l]} = \frac{1}{m}\, dZ^{[l]} A^{[l-1]T}$",
             r"$(n^{[l]}, n^{[l-1]})$, like $W^{[l]}$"),
            (r"$db^{[l]} = \frac{1}{m} \sum_i dZ^{[l](i)}$", r"$(n^{[l]}, 1)$, like $b^{[l]}$"),
            (r"$dA^{[l-1]} = W^{[l]T} dZ^{[l]}$", r"$(n^{[l-1]}, m)$, like $A^{[l-1]}$")]
    for k, (formula, shape) in enumerate(rows):
        y = 1.1 - 0.4 * k
        _text(ax, 1.0, y, formula, size=11, color=BWD, ha="left")
        _text(ax, 4.3, y, shape, size=10, ha="left")
    _text(ax, 7.9, 0.3, r"no $\frac{1}{m}$ in $dA^{[l-1]}$:" "\none column per example", size=9,
          color="#555555", ha="right")
    return fig


def l_model_backward():
    """L_model_backward: from dAL back through layer L (sigmoid) and layers L-1 ... 1 (relu)."""
    fig, ax = _canvas(8, 3.6)
    y, bw, bh = 2.2, 1.3, 0.78
    cols = [(6.1, "layer $L$", "sigmoid", "caches[L-1]", ("dA{L-1}", "dW{L}", "db{L}")),
            (4.05, "layer $L-1$", "relu", "caches[L-2]", ("dA{L-2}", "dW{L-1}", "db{L-1}")),
            (1.6, "layer 1", "relu", "caches[0]", ("dA0", "dW1", "db1"))]
    for x, name, act, cache, keys in cols:
        _box(ax, x, y, bw, bh, f"{name}\n{act}", color=BWD, size=9.5)
        _cache_label(ax, x, y + bh / 2 + 0.25, cache, size=8.5)
        _arrow(ax, (x, y - bh / 2), (x, 1.25), color=BWD)
        _text(ax, x, 0.85, "\n".join(f'grads["{k}"]' for k in keys), size=8.5,
              family="monospace", color=BWD)
    _text(ax, 2.85, y, r"$\cdots$", size=13)
    arrows = [(7.32, 6.78, "$dA^{[L]}$"), (5.42, 4.73, "$dA^{[L-1]}$"), (3.37, 3.05, ""),
              (2.65, 2.28, "$dA^{[1]}$"), (0.92, 0.55, "")]
    for x0, x1, s in arrows:
        _arrow(ax, (x0, y), (x1, y), color=BWD, s=s, size=9.5, offset=(0, 0.16))
    _text(ax, 0.3, y, "$dA^{[0]}$", size=10, color=BWD)
    _text(ax, 7.65, y, "$A^{[L]}, Y$", size=10)
    _text(ax, 7.9, 3.35, r"start: $dA^{[L]} = -\left(\frac{Y}{A^{[L]}} - "
          r"\frac{1 - Y}{1 - A^{[L]}}\right)$", size=10.5, color=BWD, ha="right")
    _text(ax, 4.0, 0.3, "layer L first, with caches[L - 1]; then for l in reversed(range(L - 1)):"
          "\nlayer l + 1 with caches[l]", size=9, family="monospace", color="#555555")
    return fig


# ---- week 4: the application -------------------------------------------------------------------

def _image_icon(ax, x, y, size=0.8):
    """A small grey picture standing for one 64 x 64 image."""
    from matplotlib.patches import Rectangle

    pixels = np.array([[0.1, 0.3, 0.3, 0.1], [0.3, 0.9, 0.8, 0.3],
                       [0.3, 0.8, 0.9, 0.3], [0.1, 0.4, 0.4, 0.1]])
    s = size / 4
    for i in range(4):
        for j in range(4):
            v = 0.95 - 0.75 * pixels[i, j]
            ax.add_patch(Rectangle((x - size / 2 + j * s, y - size / 2 + (3 - i) * s), s, s,
                                   fc=(v, v, v), ec="#777777", lw=0.4))
    _text(ax, x, y - size / 2 - 0.2, "64 × 64 × 3", size=8.5, color="#555555")


def _network(ax, xs, drawn, totals, cy, step, r):
    """Fully connected layers; a layer with more units than drawn shows an ellipsis."""
    columns = []
    for x, n, total in zip(xs, drawn, totals, strict=True):
        ys = _spread(n, cy, step)
        skip = {n - 2} if total > n else set()
        columns.append((x, ys, skip))
    for (x0, ys0, s0), (x1, ys1, s1) in zip(columns[:-1], columns[1:], strict=True):
        _connect(ax, x0, ys0, x1, ys1, r, r, s0, s1)
    return columns


def _model(layer_dims, shown, width, height):
    fig, ax = _canvas(width, height)
    cy, r = 1.95, 0.15
    xs = [1.65 + k * (width - 2.95) / (len(layer_dims) - 1) for k in range(len(layer_dims))]
    _image_icon(ax, 0.45, cy)
    _arrow(ax, (0.9, cy), (xs[0] - 0.25, cy), color=INK, s="flatten", size=8.5)
    columns = _network(ax, xs, shown, layer_dims, cy, 0.3, r)
    last = len(layer_dims) - 1
    for k, (x, ys, skip) in enumerate(columns):
        color = INK if k == 0 else (BWD if k == last else FWD)
        for i, y in enumerate(ys):
            if i in skip:
                _text(ax, x, y, r"$\vdots$", size=11)
            else:
                _circle(ax, x, y, r, color=color)
        if k == 0:
            _text(ax, x, 3.65, "input", size=10)
            _text(ax, x, 3.37, f"$n_x = {layer_dims[0]}$", size=10)
            _text(ax, x, 0.62, f"$X$: $({layer_dims[0]}, m)$", size=9.5)
        else:
            _text(ax, x, 3.65, f"layer {k}", size=10)
            _text(ax, x, 3.37, "sigmoid" if k == last else f"{layer_dims[k]} ReLU", size=10,
                  color=color)
            _text(ax, x, 0.62, f"$W^{{[{k}]}}$: $({layer_dims[k]}, {layer_dims[k - 1]})$",
                  size=9)
            _text(ax, x, 0.35, f"$b^{{[{k}]}}$: $({layer_dims[k]}, 1)$", size=9)
    _arrow(ax, (xs[-1] + r, cy), (xs[-1] + 0.55, cy), color=INK)
    _text(ax, xs[-1] + 0.62, cy, r"$\hat y$: class 1" "\n" r"if $> 0.5$", size=10, ha="left")
    return fig, ax


def two_layer_model():
    """The application's 2-layer model: 12288 inputs, 7 ReLU units, one sigmoid unit."""
    fig, _ = _model([12288, 7, 1], [6, 7, 1], 6.2, 3.8)
    return fig


def l_layer_model():
    """The application's 4-layer model, layers_dims = [12288, 20, 7, 5, 1]."""
    fig, _ = _model([12288, 20, 7, 5, 1], [6, 8, 7, 5, 1], 8, 3.8)
    return fig


# ---- the files ---------------------------------------------------------------------------------

#: (assignment, file name under images/) -> the function that draws it
DIAGRAMS: dict[tuple[str, str], Callable] = {
    ("week2_logistic_regression", "image_to_vector.svg"): image_to_vector,
    ("week2_logistic_regression", "lr_neuron.svg"): lr_neuron,
    ("week2_logistic_regression", "gradient_descent.svg"): gradient_descent,
    ("week3_planar_classification", "shallow_network.svg"): shallow_network,
    ("week3_planar_classification", "shallow_backward.svg"): shallow_backward,
    ("week4_deep_nn_step_by_step", "l_layer_architecture.svg"): l_layer_architecture,
    ("week4_deep_nn_step_by_step", "forward_backward_caches.svg"): forward_backward_caches,
    ("week4_deep_nn_step_by_step", "linear_backward.svg"): linear_backward,
    ("week4_deep_nn_step_by_step", "l_model_backward.svg"): l_model_backward,
    ("week4_deep_nn_application", "two_layer_model.svg"): two_layer_model,
    ("week4_deep_nn_application", "l_layer_model.svg"): l_layer_model,
}


def write_all(source: Path) -> list[Path]:
    """Draw every diagram into source/<assignment>/images/ under `source`; return the paths."""
    import matplotlib.pyplot as plt

    written = []
    previous = plt.get_backend()
    plt.switch_backend("svg")  # no window, the same output on every backend
    try:
        for (assignment, name), draw in DIAGRAMS.items():
            path = source / assignment / "images" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with plt.rc_context(RC):
                fig = draw()
                fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
            plt.close(fig)
            written.append(path)
    finally:
        plt.switch_backend(previous)  # the caller's backend (a notebook's, a test's) again
    return written


def check(source: Path) -> list[str]:
    """Draw every diagram into a temporary folder; the problems with the files under `source`."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for fresh in write_all(Path(tmp)):
            committed = source / fresh.relative_to(tmp)
            if not committed.is_file():
                problems.append(f"{committed} is missing")
            elif not filecmp.cmp(fresh, committed, shallow=False):
                problems.append(f"{committed} differs from what nndl/diagrams.py draws")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nndl.diagrams",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="compare the committed files with freshly drawn ones; change nothing")
    parser.add_argument("--source", type=Path, default=ROOT / "source",
                        help="the course's source/ folder (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.source)
        for problem in problems:
            print(problem)
        if problems:
            print("run `python -m nndl.diagrams`, then `nndl release` for the assignments changed")
            return 1
        print(f"{len(DIAGRAMS)} diagrams up to date")
        return 0
    for path in write_all(args.source):
        print(path.relative_to(args.source.parent) if args.source.parent in path.parents else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
