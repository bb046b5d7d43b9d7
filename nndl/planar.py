"""Two-dimensional data sets for week 3: the "flower" and five sklearn-generated ones.

Every data set comes as the course lays out data: X of shape (2, m), one example per
column, and labels Y of shape (1, m) holding 0 and 1 (dtype uint8).
"""

from __future__ import annotations

import numpy as np

FLOWER_M = 400  # examples, half of each class
FLOWER_A = 4  # the petals reach out to radius a (plus noise)
FLOWER_NOISE = 0.2  # standard deviation of the noise on the angle and on the radius


def load_planar_dataset() -> tuple[np.ndarray, np.ndarray]:
    """The course's flower: two classes of 200 points each, on interleaved petals.

    Class j (0 or 1) gets 200 angles t spread over [3.12 j, 3.12 (j + 1)] plus noise, and
    the radius r = a sin(4t) plus noise, with a = 4; its points are (r sin t, r cos t).

    The numbers are exactly those of the original course, because the points are drawn
    with the same calls in the same order from NumPy's legacy global generator after
    np.random.seed(1). **Side effect:** like the course's loader, this re-seeds the
    global generator (np.random.seed(1)), so whatever np.random draws next depends on it.
    The result never depends on the generator's state before the call.

    Returns:
    - X: (2, 400) float64, one point per column
    - Y: (1, 400) uint8, labels 0 (first 200 columns) and 1 (last 200)
    """
    np.random.seed(1)
    m = FLOWER_M
    n = m // 2  # points per class
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1), dtype="uint8")
    a = FLOWER_A
    for j in range(2):
        ix = range(n * j, n * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, n) + np.random.randn(n) * FLOWER_NOISE
        r = a * np.sin(4 * t) + np.random.randn(n) * FLOWER_NOISE
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def load_extra_datasets(rng: np.random.Generator | int | None = 0,
                        n_samples: int = 200) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Five more planar data sets to try the network on, reproducibly.

    The course drew them from unseeded generators, so they changed on every run; here
    every draw comes from `rng` (a np.random.Generator, or a seed for one; the default
    seed 0 makes a notebook show the same data every time). The global NumPy generator
    is not touched.

    - "noisy_circles": make_circles(factor=.5, noise=.3), a ring around a disc
    - "noisy_moons": make_moons(noise=.2), two interleaved half-moons
    - "blobs": make_blobs(random_state=5, centers=6), with labels mod 2 (two classes made
      of three blobs each); fixed by random_state=5 as in the course
    - "gaussian_quantiles": make_gaussian_quantiles(cov=.5, n_classes=2), a disc and the
      ring around it
    - "no_structure": points uniform in the unit square with labels drawn independently of
      them (the course's version gave 2-D labels that its notebook could not use)

    Returns:
    - {name: (X, Y)} in the order above, X (2, n_samples) float64, Y (1, n_samples) uint8
    """
    from sklearn import datasets

    rng = np.random.default_rng(rng)

    def seed() -> int:
        return int(rng.integers(0, 2**31 - 1))

    n = n_samples
    raw = {
        "noisy_circles": datasets.make_circles(n_samples=n, factor=0.5, noise=0.3,
                                               random_state=seed()),
        "noisy_moons": datasets.make_moons(n_samples=n, noise=0.2, random_state=seed()),
        "blobs": datasets.make_blobs(n_samples=n, random_state=5, n_features=2, centers=6),
        "gaussian_quantiles": datasets.make_gaussian_quantiles(
            mean=None, cov=0.5, n_samples=n, n_features=2, n_classes=2, shuffle=True,
            random_state=seed()),
        "no_structure": (rng.random((n, 2)), (rng.random(n) < 0.5).astype(int)),
    }
    result = {}
    for name, (points, labels) in raw.items():
        labels = np.asarray(labels) % 2  # blobs has 6 labels; the others already 0/1
        result[name] = (np.asarray(points, dtype=float).T,
                        labels.reshape(1, -1).astype(np.uint8))
    return result
