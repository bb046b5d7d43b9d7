"""nndl.gradcheck: centred differences agree with known gradients and catch wrong ones."""

import numpy as np
import pytest

from nndl.gradcheck import gradient_check, numerical_gradient, relative_difference


def test_gradient_of_a_quadratic_form_matches_the_formula():
    """d/dx (x^T A x) = (A + A^T) x, for a random A and x."""
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    x = rng.normal(size=(4, 1))
    num = numerical_gradient(lambda v: (v.T @ A @ v).item(), x)
    assert num.shape == x.shape
    assert relative_difference(num, (A + A.T) @ x) < 1e-8


def test_gradient_of_log_sum_exp_is_softmax_for_any_shape():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 2))
    num = numerical_gradient(lambda v: np.log(np.exp(v).sum()), x)
    softmax = np.exp(x) / np.exp(x).sum()
    assert relative_difference(num, softmax) < 1e-7


def test_numerical_gradient_leaves_its_argument_alone_and_takes_integers():
    x = np.array([1, 2, 3])
    num = numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
    assert np.array_equal(x, [1, 2, 3]) and x.dtype.kind == "i"
    np.testing.assert_allclose(num, [2.0, 4.0, 6.0], rtol=1e-6)


def test_numerical_gradient_needs_a_scalar_function():
    with pytest.raises(ValueError, match="one number"):
        numerical_gradient(lambda v: v * 2, np.ones(3))


def test_relative_difference_extremes():
    a = np.array([1.0, -2.0])
    assert relative_difference(a, a) == 0.0
    assert relative_difference(a, -a) == pytest.approx(1.0)
    assert relative_difference(np.zeros(2), np.zeros(2)) == 0.0


def _logistic_problem(rng):
    X = rng.normal(size=(3, 7))
    Y = (rng.random((1, 7)) > 0.5).astype(float)
    params = {"w": rng.normal(size=(1, 3)), "b": np.array([[0.3]])}

    def cost(p):
        A = 1 / (1 + np.exp(-(p["w"] @ X + p["b"])))
        return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))

    A = 1 / (1 + np.exp(-(params["w"] @ X + params["b"])))
    grads = {"dw": (A - Y) @ X.T / 7, "db": np.sum(A - Y, keepdims=True) / 7}
    return cost, params, grads


def test_gradient_check_accepts_correct_logistic_regression_gradients():
    """The analytic gradients of the cross-entropy cost pass, per parameter and overall."""
    cost, params, grads = _logistic_problem(np.random.default_rng(2))
    before = {k: v.copy() for k, v in params.items()}
    result = gradient_check(cost, params, grads)
    assert result.overall < 1e-7 and result.passed()
    assert set(result.differences) == {"w", "b"}
    assert all(d < 1e-7 for d in result.differences.values())
    assert all(np.array_equal(before[k], params[k]) for k in params)
    assert "overall" in str(result)


@pytest.mark.parametrize("break_it", ["sign", "missing 1/m", "one entry"])
def test_gradient_check_detects_a_wrong_gradient(break_it):
    """A wrong sign, a missing 1/m or one wrong entry gives a large difference."""
    cost, params, grads = _logistic_problem(np.random.default_rng(3))
    if break_it == "sign":
        grads["dw"] = -grads["dw"]
    elif break_it == "missing 1/m":
        grads = {k: v * 7 for k, v in grads.items()}
    else:
        grads["dw"] = grads["dw"].copy()
        grads["dw"][0, 1] += 0.05
    result = gradient_check(cost, params, grads)
    assert result.differences["w"] > 1e-3 and result.overall > 1e-3 and not result.passed()


def test_gradient_check_accepts_grads_keyed_by_parameter_name_and_checks_shapes():
    cost, params, grads = _logistic_problem(np.random.default_rng(4))
    plain = {"w": grads["dw"], "b": grads["db"]}
    assert gradient_check(cost, params, plain).overall < 1e-7
    with pytest.raises(ValueError, match="shape"):
        gradient_check(cost, params, {"dw": grads["dw"].T, "db": grads["db"]})
    with pytest.raises(KeyError, match="no gradient"):
        gradient_check(cost, params, {"dw": grads["dw"]})
