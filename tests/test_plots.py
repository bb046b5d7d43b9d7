"""nndl.plots draws what the notebooks ask for."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nndl import plots  # noqa: E402


def test_single_learning_curve_uses_iterations_on_x():
    ax = plots.plot_costs([0.7, 0.5, 0.3], title="lr = 0.005")
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [0, 100, 200] and ax.get_title() == "lr = 0.005"
    assert ax.get_xlabel() == "iteration" and ax.get_ylabel() == "cost"
    plt.close("all")


def test_several_runs_share_one_axis_with_a_legend():
    ax = plots.plot_costs({"0.01": [0.7, 0.4], "0.001": [0.7, 0.6]})
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0.01", "0.001"]
    plt.close("all")


def test_costs_as_0d_arrays_are_accepted():
    ax = plots.plot_costs([np.squeeze(np.array([[0.7]])), np.float64(0.5)])
    assert len(ax.get_lines()[0].get_ydata()) == 2
    plt.close("all")


def test_show_image_titles_with_the_class_name():
    ax = plots.show_image(np.zeros((4, 4, 3), np.uint8), np.array([1]),
                          np.array([b"non-cat", b"cat"]))
    assert ax.get_title() == "y = 1 (cat)"
    plt.close("all")


def test_misclassified_shows_only_the_wrong_ones():
    images = np.zeros((5, 4, 4, 3), np.uint8)
    fig = plots.misclassified(images, np.array([[1, 0, 1, 0, 1]]), np.array([[1, 1, 1, 0, 0]]),
                              np.array([b"non-cat", b"cat"]))
    titled = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titled) == 2 and "predicted cat" in titled[0] and "is non-cat" in titled[0]
    assert fig._suptitle.get_text() == "2 misclassified of 5"
    plt.close("all")


def test_empty_grid_says_so():
    fig = plots.image_grid([])
    assert "no images" in fig.axes[0].texts[0].get_text()
    plt.close("all")


def _title_image_overlaps(fig) -> list[str]:
    """Where a panel's title reaches into another panel's image, in pixels, as drawn."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    images = [(ax, image.get_window_extent(renderer)) for ax in fig.axes for image in ax.images]
    found = []
    for ax in fig.axes:
        if not ax.get_title():
            continue
        title = ax.title.get_window_extent(renderer)
        for other, box in images:
            width = min(title.x1, box.x1) - max(title.x0, box.x0)
            height = min(title.y1, box.y1) - max(title.y0, box.y0)
            if other is not ax and width > 0 and height > 0.5:
                found.append(f"{ax.get_title()!r} covers {height:.1f} px of an image")
    return found


@pytest.mark.parametrize("wrong, dpi", [(10, 100), (10, 72), (7, 100), (15, 100), (3, 100)])
def test_misclassified_titles_stay_clear_of_the_images_above(wrong, dpi):
    """Two-line titles of the second row used to reach 6 px into the first row's images."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (40, 64, 64, 3)).astype(np.uint8)
    y_true = np.zeros((1, 40), int)
    y_pred = np.zeros((1, 40), int)
    y_pred[0, :wrong] = 1
    fig = plots.misclassified(images, y_true, y_pred, np.array([b"non-coat", b"coat"]),
                              limit=wrong)
    fig.set_dpi(dpi)
    assert sum(1 for ax in fig.axes if ax.images) == wrong
    assert _title_image_overlaps(fig) == []
    plt.close("all")
