"""nndl.testcells: the checks that test cells share, and that test cells stay independent."""

import ast
from pathlib import Path

import nbformat
import numpy as np
import pytest

from nndl import cells, reference, testcells
from nndl.checks import CheckFailed, Function, StudentCodeError

ROOT = Path(__file__).resolve().parents[1]


def _failure(fn, *args, **kwargs) -> CheckFailed:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return info.value


@pytest.fixture(scope="module")
def ref():
    return reference.load("week4_deep_nn_step_by_step")


def _network(seed=0, dims=(3, 4, 2, 1), m=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return X, Y, testcells.random_parameters(rng, list(dims))


# ------------------------------------------------------------------ calling


def test_call_keeping_random_state_restores_the_callers_stream():
    """Does a function that seeds np.random leave the caller's stream where it was?"""
    def seeds(n):
        np.random.seed(1)
        return np.random.randn(n)

    np.random.seed(123)
    expected_next = np.random.rand()
    np.random.seed(123)
    drawn = testcells.call_keeping_random_state(Function(seeds), 3)
    assert np.array_equal(drawn, np.random.RandomState(1).randn(3))
    assert np.random.rand() == expected_next


def test_call_with_dot_hint_names_np_dot_and_keeps_the_code():
    """Does `*` on shapes that do not broadcast say np.dot, with the error's code and function?"""
    def linear_forward(A, W, b):
        return W * A + b

    check = Function(linear_forward)
    plain = _failure(check.call, np.ones((3, 4)), np.ones((2, 3)), np.ones((2, 1)))
    hinted = _failure(testcells.call_with_dot_hint, check, np.ones((3, 4)), np.ones((2, 3)),
                      np.ones((2, 1)))
    assert isinstance(hinted, StudentCodeError)
    assert str(hinted).startswith(str(plain))
    assert "need np.dot: `*` multiplies element by element" in str(hinted)
    assert (hinted.code, hinted.function, hinted.detail) == (plain.code, plain.function,
                                                             plain.detail)
    assert hinted.student_frames == plain.student_frames


def test_call_with_dot_hint_leaves_other_errors_alone():
    """Is an error that is not about shapes passed on as it was?"""
    def linear_forward(A, W, b):
        raise ZeroDivisionError("no")

    failure = _failure(testcells.call_with_dot_hint, Function(linear_forward), 1, 2, 3)
    assert "np.dot" not in str(failure)
    assert "ZeroDivisionError" in str(failure)


def test_call_model_backward_explains_a_wrong_dA_key():
    """Does a KeyError on 'dA..' name the layer rule, keeping the code?"""
    def L_model_backward(AL, Y, caches):
        return {}["dA1"]

    failure = _failure(testcells.call_model_backward, Function(L_model_backward), 1, 2, [])
    assert "KeyError: 'dA1': reading dA from the wrong key" in str(failure)
    assert failure.code == "raised" and failure.function == "L_model_backward"

    def other(AL, Y, caches):
        return {}["dW1"]

    assert "wrong key" not in str(_failure(testcells.call_model_backward, Function(other),
                                           1, 2, []))


# ------------------------------------------------------------------ parameters and caches


def test_random_parameters_shapes_and_order():
    """W{l} is (n_l, n_{l-1}) and b{l} (n_l, 1), drawn W1, b1, W2, b2 from the generator."""
    p = testcells.random_parameters(np.random.default_rng(5), [3, 4, 1])
    assert {k: v.shape for k, v in p.items()} == {"W1": (4, 3), "b1": (4, 1), "W2": (1, 4),
                                                 "b2": (1, 1)}
    rng = np.random.default_rng(5)
    assert np.array_equal(p["W1"], rng.normal(size=(4, 3)))
    assert np.array_equal(p["b1"], rng.normal(size=(4, 1)))


def test_expect_zero_biases():
    check = Function(lambda: None, name="initialize_parameters")
    testcells.expect_zero_biases(check, {"b1": np.zeros((2, 1))}, ["b1"])
    failure = _failure(testcells.expect_zero_biases, check, {"b1": np.ones((2, 1))}, ["b1"])
    assert str(failure).startswith("initialize_parameters: b1 is not all zeros: the biases")


def test_expect_cache_holds_wants_the_same_objects_in_order():
    check = Function(lambda: None, name="linear_forward")
    A, W, b = np.ones((3, 2)), np.ones((2, 3)), np.ones((2, 1))
    objects = {"A": A, "W": W, "b": b}
    testcells.expect_cache_holds(check, "cache", (A, W, b), objects)
    assert "cache[0] must be A itself" in str(
        _failure(testcells.expect_cache_holds, check, "cache", (A.copy(), W, b), objects))
    assert "cache[0] is W; the cache is (A, W, b), in this order" in str(
        _failure(testcells.expect_cache_holds, check, "cache", (W, A, b), objects))
    assert "cache is tuple of length 2; expected the tuple (A, W, b)" in str(
        _failure(testcells.expect_cache_holds, check, "cache", (A, W), objects))
    assert "cache is dict ; expected" in str(
        _failure(testcells.expect_cache_holds, check, "cache", {}, objects))


def test_expect_layer_cache():
    check = Function(lambda: None, name="linear_activation_forward")
    A, W, b = np.ones((3, 2)), np.ones((2, 3)), np.ones((2, 1))
    Z = np.dot(W, A) + b
    testcells.expect_layer_cache(check, ((A, W, b), Z), A, W, b, Z)
    assert "expected the tuple (linear_cache, activation_cache)" in str(
        _failure(testcells.expect_layer_cache, check, (A, W, b), A, W, b, Z))
    assert "the activation cache (cache[1], which is Z)" in str(
        _failure(testcells.expect_layer_cache, check, ((A, W, b), Z + 1), A, W, b, Z))


def test_forward_caches_is_the_reference_forward_pass(ref):
    X, _, p = _network()
    AL, caches = testcells.forward_caches(X, p)
    expected_AL, expected_caches = ref.L_model_forward(X, p)
    assert np.allclose(AL, expected_AL)
    for (linear, Z), (expected_linear, expected_Z) in zip(caches, expected_caches, strict=True):
        assert all(np.allclose(a, e) for a, e in zip(linear, expected_linear, strict=True))
        assert np.allclose(Z, expected_Z)


def test_expect_caches():
    check = Function(lambda: None, name="L_model_forward")
    X, _, p = _network()
    _, caches = testcells.forward_caches(X, p)
    testcells.expect_caches(check, caches, X, p, caches)
    assert "caches holds 2 cache(s); expected one per layer, L = 3" in str(
        _failure(testcells.expect_caches, check, caches[:2], X, p, caches))
    assert "caches[0] (layer 1): A_prev must be X itself" in str(
        _failure(testcells.expect_caches, check, caches, X.copy(), p, caches))
    swapped = [caches[1], caches[0], caches[2]]
    assert "caches[0] (layer 1) does not hold parameters['W1']" in str(
        _failure(testcells.expect_caches, check, swapped, caches[1][0][0], p, caches))


# ------------------------------------------------------------------ gradients


def test_backward_from_the_right_dAL_is_the_reference(ref):
    X, Y, p = _network(1)
    AL, caches = ref.L_model_forward(X, p)
    dAL = -(Y / AL - (1 - Y) / (1 - AL))
    got, expected = testcells.backward_from(ref, dAL, caches), ref.L_model_backward(AL, Y, caches)
    assert sorted(got) == sorted(expected)
    for key in expected:
        assert np.allclose(got[key], expected[key]), key
    relu_last = testcells.backward_from(ref, dAL, caches, "relu")
    assert not np.allclose(relu_last["dW3"], expected["dW3"])


def test_expect_grads_names_a_gradient_one_layer_off(ref):
    X, Y, p = _network(2, dims=(3, 3, 3, 1))
    AL, caches = ref.L_model_forward(X, p)
    expected = dict(ref.L_model_backward(AL, Y, caches))
    check = Function(lambda: None, name="L_model_backward")
    testcells.expect_grads(check, dict(expected), expected, m=X.shape[1])
    shifted = dict(expected, dW1=expected["dW2"])
    failure = _failure(testcells.expect_grads, check, shifted, expected, X.shape[1])
    assert "grads['dW1'] holds the gradient that belongs in grads['dW2']: off by one" in str(
        failure)
    assert "expected a dictionary" in str(
        _failure(testcells.expect_grads, check, [1], expected, X.shape[1]))
    halved = {k: v / 2 for k, v in expected.items()}
    assert "grads (m = 5)" in str(
        _failure(testcells.expect_grads, check, halved, expected, X.shape[1],
                 where=" (m = 5)"))


def _backward(ref, factor):
    def L_model_backward(AL, Y, caches):
        return {k: factor * v for k, v in ref.L_model_backward(AL, Y, caches).items()}
    return L_model_backward


def test_gradient_check_passes_the_reference_and_names_the_fault(ref):
    X, Y, p = _network(3)
    result = testcells.gradient_check(ref.L_model_forward, ref.compute_cost,
                                      ref.L_model_backward, X, Y, p)
    assert result.overall < 1e-6
    m = X.shape[1]
    for factor, words in [(-1, "point the opposite way"), (m, f"m = {m} times larger"),
                          (1 / m, f"m = {m} times smaller"), (0.5, "do not match")]:
        failure = _failure(testcells.gradient_check, ref.L_model_forward, ref.compute_cost,
                           _backward(ref, factor), X, Y, p)
        assert words in str(failure), (factor, str(failure))
        assert failure.function == "L_model_backward"

    def infinite_cost(AL, Y):
        return np.inf

    assert "not a finite number" in str(
        _failure(testcells.gradient_check, ref.L_model_forward, infinite_cost,
                 ref.L_model_backward, X, Y, p))


# ------------------------------------------------------------------ training


def _model(costs_every=100, update=True, seed=1, prints=True, scale=1.0):
    def model(X, Y, layers_dims, learning_rate=0.1, num_iterations=3, print_cost=False):
        if seed is not None:
            np.random.seed(seed)
        parameters = {"W1": np.random.randn(layers_dims[1], layers_dims[0]) * scale}
        costs = []
        for i in range(num_iterations):
            if update:
                parameters = {"W1": parameters["W1"] - learning_rate}
            if i % costs_every == 0:
                costs.append(float(i))
            if print_cost and prints and i % 100 == 0:
                print(f"Cost after iteration {i}: {float(i)}")
        return parameters, costs
    return model


def test_expect_trained_counts_the_costs():
    right = Function(_model(), name="two_layer_model")
    expected = right.call(None, None, (2, 3, 1), num_iterations=201)
    testcells.expect_trained(right, right.call(None, None, (2, 3, 1), num_iterations=201),
                             expected, 201)
    every = Function(_model(costs_every=1), name="two_layer_model")
    failure = _failure(testcells.expect_trained, every,
                       every.call(None, None, (2, 3, 1), num_iterations=201), expected, 201)
    assert ("after 201 iterations costs holds 201 values; expected 3, one every 100 "
            "iterations (when i % 100 == 0): is the cost appended at every iteration?"
            in str(failure))
    frozen = Function(_model(update=False), name="two_layer_model")
    initial = frozen.call(None, None, (2, 3, 1), num_iterations=201)[0]
    failure = _failure(testcells.expect_trained, frozen, (initial, expected[1]), expected, 201,
                       mistakes={testcells.NOT_UPDATED: initial})
    assert "never updates the parameters" in str(failure)


def test_expect_prints_cost():
    testcells.expect_prints_cost(Function(_model(), name="m"), None, None, (2, 3, 1),
                                 num_iterations=2)
    assert "must print the cost of iteration 0" in str(
        _failure(testcells.expect_prints_cost, Function(_model(prints=False), name="m"),
                 None, None, (2, 3, 1), num_iterations=2))


def test_expect_start_wants_its_own_seed_and_the_scaled_start():
    def scaled(dims):
        return {"W1": np.random.randn(dims[1], dims[0])}

    def unscaled(dims):
        np.random.seed(3)
        return {"W1": np.random.randn(dims[1], dims[0]) * 0.01}

    start = testcells.expect_start(Function(_model(), name="L_layer_model"), None, None,
                                   [2, 3, 1], scaled, unscaled)
    assert start["W1"].shape == (3, 2)
    assert "depends on the random state it is called in" in str(
        _failure(testcells.expect_start, Function(_model(seed=None), name="L_layer_model"),
                 None, None, [2, 3, 1], scaled, unscaled))
    assert "last week's initialize_parameters_deep" in str(
        _failure(testcells.expect_start, Function(_model(seed=3, scale=0.01), name="L_layer_model"),
                 None, None, [2, 3, 1], scaled, unscaled))


def test_hard_coded_m():
    assert testcells.hard_coded_m(0.5, 0.5, 10) == {}
    assert testcells.hard_coded_m(np.array(2.0), 1.0, 8) == {
        "a hard-coded m = 4 (the number of examples is m = X.shape[1])": np.array(2.0)}
    assert testcells.hard_coded_m("x", 1.0, 8) == {}
    assert testcells.hard_coded_m(0.0, 1.0, 8) == {}


# ------------------------------------------------------------------ the notebooks


def _test_cells():
    for path in sorted((ROOT / "source").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        yield path, [c for c in nb.cells if cells.is_test(c)]


def test_no_test_cell_calls_a_helper_that_another_test_cell_defines():
    """Each test cell runs on its own: the functions it calls come from imports or answers."""
    for path, tests in _test_cells():
        defined = {}
        for cell in tests:
            tree = ast.parse(cells.strip_magics(cell.source))
            for node in tree.body:
                if isinstance(node, ast.FunctionDef | ast.ClassDef):
                    defined[node.name] = cells.grade_id(cell)
        for cell in tests:
            tree = ast.parse(cells.strip_magics(cell.source))
            own = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
            used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            borrowed = {name: defined[name] for name in used - own if name in defined}
            assert not borrowed, f"{path.name} {cells.grade_id(cell)} uses {borrowed}"

