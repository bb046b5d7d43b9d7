"""nndl.activations: the course's sigmoid and ReLU, forward and backward."""

import warnings

import numpy as np
import pytest

from nndl.activations import relu, relu_backward, sigmoid, sigmoid_backward
from nndl.gradcheck import numerical_gradient, relative_difference

FORWARD = {"sigmoid": sigmoid, "relu": relu}
BACKWARD = {"sigmoid": sigmoid_backward, "relu": relu_backward}


def _away_from_zero(rng, shape):
    """Random Z with no entry near 0, where the ReLU has its kink."""
    Z = rng.normal(size=shape)
    return Z + np.sign(Z) * 0.1


@pytest.mark.parametrize("name", ["sigmoid", "relu"])
@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (4, 1), (1, 7)])
def test_forward_keeps_the_shape_and_caches_z(name, shape):
    """Does the forward function return A of Z's shape and Z itself as the cache?"""
    Z = np.random.default_rng(0).normal(size=shape)
    A, cache = FORWARD[name](Z)
    assert A.shape == Z.shape and A.dtype == np.float64
    assert cache is Z


def test_forward_values():
    Z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(sigmoid(Z)[0], 1 / (1 + np.exp(-Z)), rtol=1e-15)
    np.testing.assert_array_equal(relu(Z)[0], [[0.0, 0.0, 3.0]])


def test_sigmoid_matches_the_course_formula_to_the_last_bits():
    """Is the stable form the same function as 1 / (1 + exp(-Z)) where that one works?"""
    Z = np.random.default_rng(1).normal(scale=5, size=(20, 30))
    np.testing.assert_allclose(sigmoid(Z)[0], 1 / (1 + np.exp(-Z)), rtol=1e-15, atol=0)


def test_sigmoid_of_large_values_gives_no_warning():
    """Does sigmoid(-1000) give 0 without an overflow warning (a test cell would fail)?"""
    Z = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        A, _ = sigmoid(Z)
        dZ = sigmoid_backward(np.ones_like(Z), Z)
    np.testing.assert_allclose(A, [[0.0, 1 / (1 + np.exp(50)), 0.5, 1 / (1 + np.exp(-50)), 1.0]])
    assert np.all(np.isfinite(dZ)) and dZ[0, 2] == 0.25


@pytest.mark.parametrize("name", ["sigmoid", "relu"])
def test_backward_matches_the_numerical_derivative(name):
    """Is dZ the gradient of sum(dA * g(Z)) with respect to Z, for random dA and Z?"""
    rng = np.random.default_rng(2)
    for shape in [(1, 1), (3, 4), (2, 6)]:
        Z = _away_from_zero(rng, shape)
        dA = rng.normal(size=shape)
        numerical = numerical_gradient(lambda z, dA=dA: np.sum(dA * FORWARD[name](z)[0]), Z)
        dZ = BACKWARD[name](dA, Z)
        assert dZ.shape == Z.shape
        assert relative_difference(dZ, numerical) < 1e-7


def test_relu_backward_is_zero_at_zero_and_below():
    Z = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
    dA = np.array([[5.0, 6.0, 7.0], [8.0, 9.0, 10.0]])
    np.testing.assert_array_equal(relu_backward(dA, Z), [[0.0, 0.0, 7.0], [0.0, 9.0, 0.0]])


def test_relu_backward_of_integer_arrays_gives_floats():
    dZ = relu_backward(np.array([[1, 2]]), np.array([[1, -1]]))
    assert dZ.dtype == np.float64
    np.testing.assert_array_equal(dZ, [[1.0, 0.0]])


@pytest.mark.parametrize("name", ["sigmoid", "relu"])
def test_no_function_changes_its_arguments(name):
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(3, 4))
    dA = rng.normal(size=(3, 4))
    Z0, dA0 = Z.copy(), dA.copy()
    FORWARD[name](Z)
    dZ = BACKWARD[name](dA, Z)
    np.testing.assert_array_equal(Z, Z0)
    np.testing.assert_array_equal(dA, dA0)
    assert not np.shares_memory(dZ, dA)


@pytest.mark.parametrize("name", ["sigmoid", "relu"])
def test_backward_names_a_da_of_the_wrong_shape(name):
    """Does a dA of another layer's shape give a clear error instead of broadcasting?"""
    with pytest.raises(ValueError, match=r"dA has shape \(1, 4\) but the cached Z has shape"):
        BACKWARD[name](np.ones((1, 4)), np.ones((3, 4)))
