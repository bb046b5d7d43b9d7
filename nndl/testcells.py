"""Checks that several test cells share, so that a test cell is a short list of cases.

A test cell imports this module itself (``from nndl import testcells``) and never calls a
helper that another test cell defines: each cell runs on its own, in a notebook and in
the grader. Every helper takes the ``checks.Function`` of the graded function it checks
(``check``) and fails through it, so messages name the function and carry a mistake
code (``nndl.checks.MISTAKES``), as ``check.expect`` does.

    check = checks.Function(linear_forward)
    Z, cache = check.expect_tuple(testcells.call_with_dot_hint(check, A, W, b), 2, "Z, cache")
    testcells.expect_cache_holds(check, "cache", cache, {"A": A, "W": W, "b": b})

Week 4 (the deep network step by step and its application) uses most of them;
``hard_coded_m`` serves week 2.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Mapping

import numpy as np

from nndl import checks, gradcheck

# ------------------------------------------------------------------ calling the function


def call_keeping_random_state(check: checks.Function, *args, **kwargs):
    """check.call(*args, **kwargs), with np.random's global state put back afterwards.

    For a function that seeds np.random itself: the caller's random stream goes on as if
    the call had not happened.
    """
    saved_state = np.random.get_state()
    try:
        return check.call(*args, **kwargs)
    finally:
        np.random.set_state(saved_state)


def _reraise_with_hint(exc: checks.StudentCodeError, message: str):
    """A StudentCodeError with a longer message and everything else of ``exc`` kept."""
    raise checks.StudentCodeError(message, exc.student_frames, function=exc.function,
                                  raised=exc.raised, note=exc.note, code=exc.code,
                                  detail=exc.detail) from None


def call_with_dot_hint(check: checks.Function, *args):
    """check.call(*args); a broadcasting or alignment error says that products need np.dot."""
    try:
        return check.call(*args)
    except checks.StudentCodeError as exc:
        if "broadcast" not in str(exc) and "not aligned" not in str(exc):
            raise
        _reraise_with_hint(
            exc, f"{exc}. Products of matrices such as W A, dZ A_prev^T and W^T dZ need np.dot: "
            "`*` multiplies element by element and only works on matching shapes")


def call_model_backward(check: checks.Function, *args):
    """check.call(*args) for L_model_backward; a KeyError on a dA key names the layer rule."""
    try:
        return check.call(*args)
    except checks.StudentCodeError as exc:
        if "KeyError: 'dA" not in str(exc):
            raise
        _reraise_with_hint(
            exc, f"{exc}: reading dA from the wrong key. When the loop reaches layer l + 1 "
            "(caches[l]), grads holds the dA that the layer above stored, dA{l + 1}, the "
            "gradient of this layer's output; the layer's backward step turns it into "
            "dA{l}, dW{l + 1} and db{l + 1}")


# ------------------------------------------------------------------ parameters and caches


def random_parameters(rng: np.random.Generator, layer_dims: list[int]) -> dict:
    """{"W1", "b1", ..., "WL", "bL"} of standard normal values, drawn W1, b1, W2, ... in turn."""
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = rng.normal(size=(layer_dims[l], layer_dims[l - 1]))
        parameters["b" + str(l)] = rng.normal(size=(layer_dims[l], 1))
    return parameters


def expect_zero_biases(check: checks.Function, parameters: Mapping, names) -> None:
    """Every bias among ``names`` that is a column must be all zeros."""
    for name in names:
        b = parameters[name]
        if isinstance(b, np.ndarray) and b.ndim == 2 and b.shape[1] == 1 and np.any(b != 0):
            check.fail(f"{name} is not all zeros: the biases start at 0, "
                       "np.zeros((n, 1)); only the weights need random values to "
                       "break the symmetry")


def expect_cache_holds(check: checks.Function, what: str, cache, objects: dict) -> None:
    """``cache`` must be the tuple of exactly these arrays (the same objects), in this order."""
    names = list(objects)
    if not isinstance(cache, tuple) or len(cache) != len(names):
        kind = f"of length {len(cache)}" if isinstance(cache, tuple | list) else ""
        check.fail(f"{what} is {type(cache).__name__} {kind}; expected the tuple "
                   f"({', '.join(names)})")
    for i, name in enumerate(names):
        if cache[i] is objects[name]:
            continue
        swapped = [other for other in names if cache[i] is objects[other]]
        if swapped:
            check.fail(f"{what}[{i}] is {swapped[0]}; the cache is "
                       f"({', '.join(names)}), in this order")
        check.fail(f"{what}[{i}] must be {name} itself, the array the function was "
                   "given: the backward pass reads it from the cache")


def expect_layer_cache(check: checks.Function, cache, A_prev, W, b, expected_Z) -> None:
    """The cache of linear_activation_forward: ((A_prev, W, b), Z)."""
    if not isinstance(cache, tuple) or len(cache) != 2:
        check.fail(f"the cache is {type(cache).__name__}; expected the tuple "
                   "(linear_cache, activation_cache) = ((A_prev, W, b), Z)")
    expect_cache_holds(check, "the linear cache (cache[0])", cache[0],
                       {"A_prev": A_prev, "W": W, "b": b})
    check.expect("the activation cache (cache[1], which is Z)", cache[1], expected_Z)


def expect_caches(check: checks.Function, caches, X, parameters: Mapping,
                  expected_caches) -> None:
    """The caches of L_model_forward: one ((A_prev, W, b), Z) per layer, holding X and W, b."""
    L = len(parameters) // 2
    if not isinstance(caches, list | tuple):
        check.fail(f"caches is {type(caches).__name__}; expected a list with one "
                   "cache per layer")
    if len(caches) != L:
        check.fail(f"caches holds {len(caches)} cache(s); expected one per layer, "
                   f"L = {L}: append the cache of every layer, the last (sigmoid) "
                   "layer's included")
    for l in range(1, L + 1):
        cache = caches[l - 1]
        where = f"caches[{l - 1}] (layer {l})"
        if not isinstance(cache, tuple) or len(cache) != 2 or \
                not isinstance(cache[0], tuple) or len(cache[0]) != 3:
            check.fail(f"{where} is not ((A_prev, W, b), Z): store the cache that "
                       "linear_activation_forward returns")
        if l == 1 and cache[0][0] is not X:
            check.fail(f"{where}: A_prev must be X itself, the input of layer 1")
        for name in ("W", "b"):
            if cache[0]["Wb".index(name) + 1] is not parameters[name + str(l)]:
                check.fail(f"{where} does not hold parameters['{name}{l}']: layer "
                           f"{l} uses W{l} and b{l}")
    check.expect("caches", caches, expected_caches)


def forward_caches(X, parameters: Mapping):
    """(AL, caches) of [LINEAR -> RELU] * (L - 1) -> LINEAR -> SIGMOID, in plain NumPy."""
    caches, A = [], X
    L = len(parameters) // 2
    for l in range(1, L + 1):
        W, b = parameters["W" + str(l)], parameters["b" + str(l)]
        Z = np.dot(W, A) + b
        caches.append(((A, W, b), Z))
        A = np.maximum(Z, 0) if l < L else 1 / (1 + np.exp(-Z))
    return A, caches


# ------------------------------------------------------------------ gradients


def backward_from(ref, dAL, caches, last: str = "sigmoid") -> dict:
    """The grads of L_model_backward started from a given dAL (a mistake's, for instance).

    ``ref`` is the reference of week 4's step-by-step assignment (its
    linear_activation_backward runs each layer); ``last`` is the last layer's activation.
    """
    grads, dA = {}, dAL
    for l in reversed(range(len(caches))):
        activation = last if l == len(caches) - 1 else "relu"
        dA, dW, db = ref.linear_activation_backward(dA, caches[l], activation)
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = dA, dW, db
    return grads


def expect_no_off_by_one(check: checks.Function, grads: Mapping, expected: Mapping) -> None:
    """Fail naming the key when grads holds a layer's gradient under its neighbour's key."""
    def same(a, b):
        return (isinstance(a, np.ndarray) and a.shape == b.shape
                and gradcheck.relative_difference(a, b) < 1e-6)

    for key, value in grads.items():
        kind, number = str(key)[:2], str(key)[2:]
        if kind not in ("dA", "dW", "db") or not number.isdigit():
            continue
        if key in expected and same(value, expected[key]):
            continue
        for neighbour in (int(number) - 1, int(number) + 1):
            right_key = f"{kind}{neighbour}"
            if right_key in expected and same(value, expected[right_key]):
                check.fail(
                    f"grads['{key}'] holds the gradient that belongs in grads['{right_key}']: "
                    "off by one layer. Layer l (caches[l - 1]) gives dW{l} and db{l}, the "
                    "gradients of its parameters W{l} and b{l}, and dA{l - 1}, the gradient "
                    "of its input A{l - 1}; the keys run dA0 .. dA{L-1} and dW1 .. dW{L}")


def expect_grads(check: checks.Function, grads, expected: Mapping, m: int,
                 mistakes: dict | None = None, where: str = "") -> None:
    """The grads of L_model_backward: a dictionary, no key off by one layer, the values."""
    if not isinstance(grads, dict):
        check.fail(f"grads is {type(grads).__name__}; expected a dictionary")
    expect_no_off_by_one(check, grads, expected)
    check.expect_keys("grads", grads, list(expected))
    check.expect("grads" + where, grads, expected, m=m, mistakes=mistakes or {},
                 shape_hint="dA{l} has the shape of A{l}, dW{l} of W{l}, db{l} of b{l}")


def gradient_check(L_model_forward: Callable, compute_cost: Callable,
                   L_model_backward: Callable, X, Y, parameters: dict,
                   threshold: float = 1e-6) -> gradcheck.GradCheckResult:
    """The student's backward pass against the numerical gradient of the student's cost.

    Fails with the likeliest reason when they disagree: a wrong sign, a 1/m on one side
    only, else the worst parameter.
    """
    forward = checks.Function(L_model_forward)
    cost = checks.Function(compute_cost)
    backward = checks.Function(L_model_backward)
    AL, caches = forward.expect_tuple(call_with_dot_hint(forward, X, parameters), 2,
                                      "AL, caches")
    J = cost.call(AL, Y)
    if not np.all(np.isfinite(np.asarray(J, dtype=float))):
        cost.fail(f"compute_cost(L_model_forward(X, parameters), Y) is {J}, not a finite "
                  "number: log of 0 or of a negative number. Is every AL inside (0, 1)? The "
                  "last layer of L_model_forward uses the sigmoid")
    grads = call_model_backward(backward, AL, Y, caches)
    if not isinstance(grads, dict):
        backward.fail(f"grads is {type(grads).__name__}; expected a dictionary")
    for name, value in parameters.items():
        if not isinstance(grads.get("d" + name), np.ndarray):
            backward.fail(f"grads must hold d{name}, the gradient of {name}")
        if grads["d" + name].shape != value.shape:
            backward.fail(f"grads['d{name}'] has shape {grads['d' + name].shape}, but {name} "
                          f"has shape {value.shape}: off by one layer? "
                          "dW{l} and db{l} are the gradients of W{l} and b{l}, which layer l "
                          "(caches[l - 1]) gives")
    result = gradcheck.gradient_check(lambda p: cost.call(forward.call(X, p)[0], Y),
                                      parameters, grads)
    if result.overall < threshold:
        return result
    m = X.shape[1]
    analytic = np.concatenate([grads["d" + k].ravel() for k in parameters])
    numerical = np.concatenate([result.numerical[k].ravel() for k in parameters])

    def close(a, b):
        return gradcheck.relative_difference(a, b) < threshold

    if close(analytic, -numerical):
        backward.fail("the gradients point the opposite way to the numerical gradient of "
                      "compute_cost: the cost or the gradients have the wrong sign")
    for factor, words in [(m, "larger"), (1 / m, "smaller")]:
        if close(analytic, factor * numerical):
            backward.fail(f"the gradients are m = {m} times {words} than the numerical "
                          "gradient of compute_cost: compute_cost and the backward pass "
                          "disagree about the 1/m average")
    worst = max(result.differences, key=result.differences.get)
    backward.fail(f"the gradients do not match the numerical gradient of "
                  f"compute_cost(L_model_forward(X, parameters), Y) (relative difference "
                  f"{result.overall:.1e} overall, worst for d{worst}: "
                  f"{result.differences[worst]:.1e}; a correct backward pass gives less than "
                  f"{threshold:g})")


# ------------------------------------------------------------------ training a model

NOT_UPDATED = ("a loop that never updates the parameters (they are still the initial ones: "
               "keep what update_parameters returns, parameters = update_parameters(...))")


def expect_trained(check: checks.Function, got, expected, num_iterations: int,
                   where: str = "", mistakes: dict | None = None) -> None:
    """(parameters, costs) of a training run against the expected ones."""
    parameters, costs = check.expect_tuple(got, 2, "parameters, costs")
    check.expect_keys("parameters", parameters, list(expected[0]))
    if not isinstance(costs, list):
        check.fail(f"costs is {type(costs).__name__}; expected a list")
    if len(costs) != len(expected[1]):
        check.fail(f"after {num_iterations} iterations costs holds {len(costs)} values; "
                   f"expected {len(expected[1])}, one every 100 iterations (when i % 100 == 0)"
                   + (": is the cost appended at every iteration?"
                      if len(costs) == num_iterations > len(expected[1]) else ""))
    check.expect("the trained parameters" + where, parameters, expected[0],
                 mistakes=mistakes)
    check.expect("costs" + where, costs, expected[1])


def expect_prints_cost(check: checks.Function, *args, **kwargs) -> None:
    """Called with print_cost=True, the model prints the cost of iteration 0."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call_keeping_random_state(check, *args, print_cost=True, **kwargs)
    if "Cost after iteration 0" not in out.getvalue():
        check.fail("with print_cost=True it must print the cost of iteration 0 "
                   "(\"Cost after iteration 0: ...\")")


UNSCALED = ("last week's initialize_parameters_deep (randn * 0.01, seed 3) instead of the "
            "scaled initialisation initialize_parameters_deep_scaled")


def expect_start(check: checks.Function, X, Y, layers_dims: list[int],
                 initialize_scaled: Callable, initialize_unscaled: Callable) -> dict:
    """With learning_rate = 0 the parameters stay where initialisation put them.

    The model must seed np.random itself (np.random.seed(1)) and start from
    ``initialize_scaled(layers_dims)``; returns those initial parameters.
    """
    states = []
    for seed in (7, 8):
        saved_state = np.random.get_state()
        try:
            np.random.seed(seed)  # the model must not depend on the state it is called in
            states.append(check.call(X, Y, layers_dims, learning_rate=0.0, num_iterations=1))
        finally:
            np.random.set_state(saved_state)
    started = [check.expect_tuple(s, 2, "parameters, costs")[0] for s in states]
    if all(isinstance(p, dict) for p in started) and started[0].keys() == started[1].keys() \
            and not all(np.array_equal(np.asarray(started[0][k]), np.asarray(started[1][k]))
                        for k in started[0]):
        check.fail("its result depends on the random state it is called in: call "
                   "np.random.seed(1) first, before initialize_parameters_deep_scaled")
    saved_state = np.random.get_state()
    try:
        np.random.seed(1)
        expected_start = initialize_scaled(layers_dims)
        unscaled = initialize_unscaled(layers_dims)
    finally:
        np.random.set_state(saved_state)
    check.expect_keys("parameters", started[0], list(expected_start))
    check.expect("the initial parameters (learning_rate = 0)", started[0], expected_start,
                 mistakes={UNSCALED: unscaled})
    return expected_start


# ------------------------------------------------------------------ week 2


def hard_coded_m(got, expected, m: int) -> dict:
    """{description: got} when got is expected * m / k for a whole k != m, else {}.

    A cost divided by a fixed k instead of m: k = m * expected / got is a whole number.
    Give the result to ``check.expect(..., mistakes=...)``.
    """
    try:
        g, e = float(np.squeeze(got)), float(np.squeeze(expected))
    except (TypeError, ValueError):
        return {}
    if g == 0 or not np.isfinite(g) or e == 0:
        return {}
    k = m * e / g
    if k > 1.5 and abs(k - round(k)) < 1e-6 * k and round(k) != m:
        return {f"a hard-coded m = {round(k)} (the number of examples is "
                "m = X.shape[1])": got}
    return {}
