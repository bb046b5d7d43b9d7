"""The reference solutions reproduce the original course's published numbers.

These need the original cat/non-cat files, which the project never ships; the tests skip
with the reason when ../shared/datasets/catvnoncat/ is absent (a user's fresh clone).

Figures are held to the digits the original printed: the cost to its six decimals, the
accuracies to a float's digits, which the convex logistic regression reproduces with
OpenBLAS's Haswell and SkylakeX kernels alike (measured 2026-11-29).
"""

from __future__ import annotations

import numpy as np
import pytest
from harness import ROOT

from nndl import reference
from nndl.data import load_dataset

CAT_DIR = ROOT.parent / "shared" / "datasets"
needs_cats = pytest.mark.skipif(
    not (CAT_DIR / "catvnoncat" / "train_catvnoncat.h5").is_file(),
    reason=f"the original course's cat/non-cat files are not at {CAT_DIR}/catvnoncat/ "
           "(compatibility data, never in the repository)")

pytestmark = [needs_cats, pytest.mark.slow]


@pytest.fixture(scope="module")
def cats():
    train_x, train_y, test_x, test_y, classes = load_dataset("catvnoncat", data_dir=CAT_DIR)
    flatten = lambda x: x.reshape(x.shape[0], -1).T / 255.0  # noqa: E731
    return flatten(train_x), train_y, flatten(test_x), test_y


def accuracy(prediction, y) -> float:
    return 100 - np.mean(np.abs(prediction - y)) * 100


def test_logistic_regression_reproduces_the_published_run(cats):
    """lr 0.005, 2000 iterations: cost 0.693147 -> 0.140872, train 99.043 %, test 70 %."""
    ref = reference.load("week2_logistic_regression", ROOT)
    d = ref.model(*cats, num_iterations=2000, learning_rate=0.005, print_cost=False)
    assert len(d["costs"]) == 20
    assert round(float(d["costs"][0]), 6) == 0.693147
    assert round(float(d["costs"][-1]), 6) == 0.140872
    assert accuracy(d["Y_prediction_train"], cats[1]) == pytest.approx(99.04306220095694,
                                                                       abs=1e-9)
    assert accuracy(d["Y_prediction_test"], cats[3]) == pytest.approx(70.0, abs=1e-9)


@pytest.mark.parametrize("learning_rate, test_accuracy", [(0.01, 68.0), (0.001, 64.0),
                                                          (0.0001, 36.0)])
def test_learning_rate_comparison_reproduces_the_published_table(cats, learning_rate,
                                                                  test_accuracy):
    ref = reference.load("week2_logistic_regression", ROOT)
    d = ref.model(*cats, num_iterations=1500, learning_rate=learning_rate, print_cost=False)
    assert accuracy(d["Y_prediction_test"], cats[3]) == pytest.approx(test_accuracy, abs=1e-9)
