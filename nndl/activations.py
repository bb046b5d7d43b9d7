"""The activation functions of the L-layer network, forward and backward.

Given code in the course (week 4), not graded. The forward functions return the
activation and a cache, the backward functions take that cache back:

    A, cache = relu(Z)                  # cache is Z
    dZ = relu_backward(dA, cache)       # dZ = dA * g'(Z), element by element

Every array has the shape of the layer's Z, (n_l, m): one row per unit, one column per
example. No function changes its arguments.
"""

from __future__ import annotations

import numpy as np


def sigmoid(Z):
    """The sigmoid 1 / (1 + exp(-Z)), element by element, without overflow warnings.

    exp is only ever taken of -|Z| (at most 1), so Z = -1000 gives 0 without the
    "overflow in exp" warning that 1 / (1 + np.exp(-Z)) prints there.

    Inputs:
    - Z: the pre-activation of a layer, (n_l, m)

    Returns:
    - A: sigmoid(Z), floats in [0, 1], (n_l, m)
    - cache: Z itself, for sigmoid_backward
    """
    Z_float = np.asarray(Z, dtype=float)
    with np.errstate(under="ignore"):  # exp(-1000) is 0, which is right here
        e = np.exp(-np.abs(Z_float))
    A = np.where(Z_float >= 0, 1 / (1 + e), e / (1 + e))
    cache = Z
    return A, cache


def relu(Z):
    """The rectified linear unit max(0, Z), element by element.

    Inputs:
    - Z: the pre-activation of a layer, (n_l, m)

    Returns:
    - A: max(0, Z), (n_l, m)
    - cache: Z itself, for relu_backward
    """
    A = np.maximum(0, Z)
    cache = Z
    return A, cache


def _check_shapes(name: str, dA, Z) -> None:
    if np.shape(dA) != np.shape(Z):
        raise ValueError(f"{name}: dA has shape {np.shape(dA)} but the cached Z has shape "
                         f"{np.shape(Z)}; dA must be the gradient of this layer's output A, "
                         "which has Z's shape")


def sigmoid_backward(dA, cache):
    """The backward step through a sigmoid: dZ = dA * s * (1 - s) with s = sigmoid(Z).

    Inputs:
    - dA: the gradient of the cost with respect to the layer's output A, (n_l, m)
    - cache: Z, as returned by sigmoid, (n_l, m)

    Returns:
    - dZ: the gradient of the cost with respect to Z, (n_l, m)
    """
    Z = cache
    _check_shapes("sigmoid_backward", dA, Z)
    s, _ = sigmoid(Z)
    dZ = np.asarray(dA, dtype=float) * s * (1 - s)
    return dZ


def relu_backward(dA, cache):
    """The backward step through a ReLU: dZ = dA where Z > 0, and 0 where Z <= 0.

    The ReLU has no derivative at Z = 0; like the course, we take 0 there.

    Inputs:
    - dA: the gradient of the cost with respect to the layer's output A, (n_l, m)
    - cache: Z, as returned by relu, (n_l, m)

    Returns:
    - dZ: the gradient of the cost with respect to Z, float, (n_l, m)
    """
    Z = cache
    _check_shapes("relu_backward", dA, Z)
    dZ = np.where(np.asarray(Z) > 0, np.asarray(dA, dtype=float), 0.0)
    return dZ
