"""nndl.plots decision boundaries: predict gets data in the course's (2, n) layout."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nndl import plots  # noqa: E402

X = np.array([[-1.0, 0.0, 1.0, 2.0], [0.5, -0.5, 1.5, 0.0]])
Y = np.array([[0, 1, 1, 0]], dtype=np.uint8)


def test_predict_receives_column_major_points_spanning_the_data():
    """Is predict called once with a (2, n) grid that covers the data plus the margin?"""
    calls = []

    def predict(x):
        calls.append(x)
        return x[0:1] > 0.5  # (1, n) booleans, as the course's predict returns

    ax = plots.plot_decision_boundary(predict, X, Y, resolution=30, margin=1.0, title="t")
    (grid,) = calls
    assert grid.shape == (2, 900)
    assert grid[0].min() == pytest.approx(-2.0) and grid[0].max() == pytest.approx(3.0)
    assert grid[1].min() == pytest.approx(-1.5) and grid[1].max() == pytest.approx(2.5)
    assert ax.get_title() == "t"
    assert ax.collections, "no filled regions or points were drawn"
    plt.close("all")


@pytest.mark.parametrize("shape", ["row", "flat", "column"])
def test_any_shape_holding_n_labels_is_accepted(shape):
    def predict(x):
        labels = (x[0] + x[1] > 0).astype(float)
        return {"row": labels.reshape(1, -1), "flat": labels,
                "column": labels.reshape(-1, 1)}[shape]

    plots.plot_decision_boundary(predict, X, Y, resolution=10)
    plt.close("all")


def test_wrong_number_of_labels_is_explained():
    with pytest.raises(ValueError, match=r"\(2, n\)"):
        plots.plot_decision_boundary(lambda x: np.zeros(3), X, Y, resolution=10)
    plt.close("all")


def test_the_data_points_are_drawn_in_their_place():
    ax = plots.plot_decision_boundary(lambda x: np.zeros(x.shape[1]), X, Y, resolution=10)
    scatter = ax.collections[-1]
    np.testing.assert_allclose(scatter.get_offsets(), X.T)
    plt.close("all")


def test_grid_has_one_titled_panel_per_model_and_hides_the_rest():
    models = {f"n_h = {k}": (lambda x, k=k: x[0] > k / 10) for k in (1, 2, 3, 4, 5)}
    fig = plots.decision_boundary_grid(models, X, Y, ncols=3, resolution=20, suptitle="sweep")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == list(models)
    assert len(fig.axes) == 6 and not fig.axes[-1].axison
    assert fig._suptitle.get_text() == "sweep"
    plt.close("all")


def test_empty_grid_says_so():
    fig = plots.decision_boundary_grid({}, X, Y)
    assert "no models" in fig.axes[0].texts[0].get_text()
    plt.close("all")


def test_a_classifier_predicting_one_class_everywhere_keeps_that_class_colour():
    """Does an all-0 prediction get class 0's colour, not the colour map's middle?"""
    ax0 = plots.plot_decision_boundary(lambda x: np.zeros(x.shape[1]), X, Y, resolution=10)
    ax1 = plots.plot_decision_boundary(lambda x: np.ones(x.shape[1]), X, Y, resolution=10)
    cmap = matplotlib.colormaps["Spectral"]
    (regions0,), (regions1,) = ([c for c in ax.collections if c is not ax.collections[-1]]
                                for ax in (ax0, ax1))
    colours0 = [tuple(c) for c in regions0.get_facecolor()]
    colours1 = [tuple(c) for c in regions1.get_facecolor()]
    assert np.allclose(colours0[0][:3], cmap(0.0)[:3])
    assert np.allclose(colours1[-1][:3], cmap(1.0)[:3])
    plt.close("all")
