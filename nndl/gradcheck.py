"""Numerical gradients by centred differences, to check a backward pass.

    result = gradient_check(lambda p: compute_cost(forward_propagation(X, p)[0], Y),
                            parameters, grads)
    print(result)                      # one line per parameter
    assert result.overall < 1e-7

The centred difference (f(x + eps) - f(x - eps)) / (2 eps) has an error of order eps^2,
against eps for the one-sided difference, which is why it is the one to use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np


def relative_difference(a, b) -> float:
    """||a - b|| / (||a|| + ||b||): 0 for equal arrays, 1 for a = -b; 0 when both are 0."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / denominator)


def numerical_gradient(f: Callable[[np.ndarray], float], x, eps: float = 1e-7) -> np.ndarray:
    """The gradient of a scalar function f at x, one centred difference per entry.

    Inputs:
    - f: a function of one array of x's shape, returning a number (a float, or an array
      holding one number)
    - x: an array (or a number) of any shape; it is not modified: f receives a float copy
      with one entry moved by +eps or -eps
    - eps: the step

    Returns:
    - grad: float64 array of x's shape, grad[i] = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)
    """
    point = np.array(x, dtype=float)  # a copy: the caller's x stays as it is
    grad = np.zeros_like(point)
    flat_point, flat_grad = point.reshape(-1), grad.reshape(-1)
    for i in range(flat_point.size):
        old = flat_point[i]
        flat_point[i] = old + eps
        f_plus = _scalar(f(point))
        flat_point[i] = old - eps
        f_minus = _scalar(f(point))
        flat_point[i] = old
        flat_grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


@dataclass
class GradCheckResult:
    """What gradient_check found.

    - differences: {parameter name: relative difference between its analytic and its
      numerical gradient}
    - overall: the relative difference over all parameters put end to end
    - numerical: {parameter name: numerical gradient, of the parameter's shape}
    """

    differences: dict[str, float]
    overall: float
    numerical: dict[str, np.ndarray]

    def passed(self, threshold: float = 1e-7) -> bool:
        return self.overall < threshold

    def __str__(self) -> str:
        lines = [f"{name:>8}: relative difference {diff:.3e}"
                 for name, diff in self.differences.items()]
        lines.append(f"{'overall':>8}: relative difference {self.overall:.3e}")
        return "\n".join(lines)


def gradient_check(cost_fn: Callable[[dict], float], parameters: Mapping[str, np.ndarray],
                   grads: Mapping[str, np.ndarray], eps: float = 1e-7) -> GradCheckResult:
    """Compare analytic gradients with centred-difference ones, parameter by parameter.

    Inputs:
    - cost_fn: a function of a parameters dictionary returning the cost J (a number)
    - parameters: {"W1": (n_h, n_x), "b1": (n_h, 1), ...}; not modified
    - grads: the analytic gradients, keyed "dW1" for "W1" (the course's names) or by the
      parameter's own name, each of its parameter's shape
    - eps: the step of the centred differences

    Returns:
    - a GradCheckResult: relative difference ||g - g_num|| / (||g|| + ||g_num||) per
      parameter and overall. Below 1e-7 the gradients agree; above 1e-3 one of them is
      wrong.
    """
    base = {name: np.array(value, dtype=float) for name, value in parameters.items()}
    differences, numerical = {}, {}
    analytic_all, numerical_all = [], []
    for name in base:
        analytic = _gradient_of(grads, name, base[name].shape)

        def cost_of(value, name=name):
            return cost_fn({**base, name: value})

        numerical[name] = numerical_gradient(cost_of, base[name], eps)
        differences[name] = relative_difference(analytic, numerical[name])
        analytic_all.append(analytic.reshape(-1))
        numerical_all.append(numerical[name].reshape(-1))
    overall = relative_difference(np.concatenate(analytic_all) if analytic_all else [],
                                  np.concatenate(numerical_all) if numerical_all else [])
    return GradCheckResult(differences, overall, numerical)


def _gradient_of(grads, name: str, shape) -> np.ndarray:
    key = "d" + name if "d" + name in grads else name
    if key not in grads:
        raise KeyError(f"no gradient for parameter {name!r}: grads has {sorted(grads)}")
    value = np.asarray(grads[key], dtype=float)
    if value.shape != tuple(shape):
        raise ValueError(f"grads[{key!r}] has shape {value.shape}; the parameter {name!r} "
                         f"has shape {tuple(shape)}")
    return value


def _scalar(value) -> float:
    array = np.asarray(value, dtype=float)
    if array.size != 1:
        raise ValueError(f"the function must return one number; it returned shape "
                         f"{array.shape}")
    return float(array.reshape(-1)[0])
