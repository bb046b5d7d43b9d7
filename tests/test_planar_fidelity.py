"""The week 3 reference reproduces the course's published numbers on the regenerated flower.

Accuracy is computed the course's way, on floats so that uint8 labels cannot wrap around.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from harness import ROOT

from nndl import reference
from nndl.planar import load_planar_dataset

pytestmark = pytest.mark.slow


def accuracy(Y, P) -> float:
    """(Y P^T + (1 - Y)(1 - P)^T) / m * 100, the course's formula."""
    Y, P = np.asarray(Y, dtype=float), np.asarray(P, dtype=float).reshape(Y.shape)
    return float(np.squeeze(np.dot(Y, P.T) + np.dot(1 - Y, 1 - P.T)) / Y.size * 100)


@pytest.fixture(scope="module")
def ref():
    return reference.load("week3_planar_classification", ROOT)


@pytest.fixture
def flower():
    return load_planar_dataset()


def test_logistic_regression_cv_gets_47_percent(flower):
    from sklearn.linear_model import LogisticRegressionCV

    X, Y = flower
    clf = LogisticRegressionCV()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        clf.fit(X.T, Y.ravel())
    assert accuracy(Y, clf.predict(X.T)) == 47.0


def test_four_hidden_units_for_10000_iterations_get_90_75_percent(ref, flower):
    X, Y = flower
    parameters = ref.nn_model(X, Y, 4, num_iterations=10000)
    assert accuracy(Y, ref.predict(parameters, X)) == 90.75


@pytest.mark.parametrize("n_h, expected", [(1, 67.5), (2, 67.25), (3, 90.75), (4, 90.5),
                                           (5, 91.25)])
def test_hidden_size_sweep_at_5000_iterations(ref, flower, n_h, expected):
    X, Y = flower
    parameters = ref.nn_model(X, Y, n_h, num_iterations=5000)
    assert accuracy(Y, ref.predict(parameters, X)) == expected


def test_uint8_labels_would_wrap_around_in_np_dot(flower):
    """Why accuracy() converts to floats: np.dot of uint8 labels and booleans stays uint8."""
    _, Y = flower
    ones = np.ones_like(Y)  # uint8, like the labels
    assert int(np.dot(ones, ones.astype(bool).T)[0, 0]) == 400 % 256
    assert accuracy(Y, Y.astype(bool)) == 100.0
