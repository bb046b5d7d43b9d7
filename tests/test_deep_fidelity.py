"""The week 4 reference models reproduce the original course's published runs.

two_layer_model and L_layer_model of source/week4_deep_nn_application, with the building
blocks generated from source/week4_deep_nn_step_by_step, trained on the original course's
cat/non-cat files. These files are never shipped: the tests skip, saying so, when
../shared/datasets/catvnoncat/ is absent (a user's fresh clone).
"""

from __future__ import annotations

import contextlib
import io
import re

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

# The published costs are printed with 16 significant digits; another BLAS kernel or
# summation order moves the last one or two, so they are matched to a relative 1e-9.
# Measured 2026-11-29 with OpenBLAS's Haswell and SkylakeX kernels: the final costs of
# both runs differ in the 16th digit (0.08843994344170203 and ...204), the accuracies
# not at all. These runs stay on one path; the 4-layer run on the course's own data
# does not (its test accuracy moves by an image between the kernels), so the notebooks
# and datasets/README.md quote that one as a band.
DIGITS = 1e-9


@pytest.fixture(scope="module")
def cats():
    train_x, train_y, test_x, test_y, _ = load_dataset("catvnoncat", data_dir=CAT_DIR)
    flatten = lambda x: x.reshape(x.shape[0], -1).T / 255.0  # noqa: E731
    return flatten(train_x), train_y, flatten(test_x), test_y


def train(model, X, Y, layers_dims):
    """Run a reference model for 2500 iterations; return parameters, costs, printed costs."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        parameters, costs = model(X, Y, layers_dims, num_iterations=2500, print_cost=True)
    printed = {int(i): float(c) for i, c in
               re.findall(r"Cost after iteration (\d+): ([-+.\deE]+)", out.getvalue())}
    return parameters, costs, printed


def accuracy(ref, X, Y, parameters) -> float:
    with contextlib.redirect_stdout(io.StringIO()):
        return float(np.mean(ref.predict(X, None, parameters) == Y))


def test_two_layer_model_reproduces_the_published_run(cats):
    """[12288, 7, 1], 2500 iterations: cost 0.693049735659989 -> 0.04421498215868953,
    train accuracy 1.0, test 0.72."""
    train_x, train_y, test_x, test_y = cats
    ref = reference.load("week4_deep_nn_application", ROOT)
    parameters, costs, printed = train(ref.two_layer_model, train_x, train_y,
                                       (train_x.shape[0], 7, 1))
    assert len(costs) == 25 and sorted(printed) == [*range(0, 2500, 100), 2499]
    assert float(costs[0]) == pytest.approx(0.693049735659989, rel=DIGITS)
    assert printed[0] == float(costs[0])
    assert printed[2499] == pytest.approx(0.04421498215868953, rel=DIGITS)
    assert accuracy(ref, train_x, train_y, parameters) == pytest.approx(1.0, abs=1e-12)
    assert accuracy(ref, test_x, test_y, parameters) == pytest.approx(0.72, abs=1e-12)


def test_L_layer_model_reproduces_the_published_run(cats):
    """[12288, 20, 7, 5, 1], 2500 iterations: cost 0.7717493284237686 -> 0.088439943441702,
    train accuracy 0.9856459330143539, test 0.8."""
    train_x, train_y, test_x, test_y = cats
    ref = reference.load("week4_deep_nn_application", ROOT)
    parameters, costs, printed = train(ref.L_layer_model, train_x, train_y,
                                       [train_x.shape[0], 20, 7, 5, 1])
    assert len(costs) == 25 and sorted(printed) == [*range(0, 2500, 100), 2499]
    assert float(costs[0]) == pytest.approx(0.7717493284237686, rel=DIGITS)
    assert printed[2499] == pytest.approx(0.088439943441702, rel=DIGITS)
    assert accuracy(ref, train_x, train_y, parameters) == pytest.approx(0.9856459330143539,
                                                                         rel=DIGITS)
    assert accuracy(ref, test_x, test_y, parameters) == pytest.approx(0.8, abs=1e-12)
