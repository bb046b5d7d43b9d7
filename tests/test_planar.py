"""nndl.planar: the flower and the extra data sets, in the course's layout."""

import numpy as np
import pytest

from nndl.planar import FLOWER_A, FLOWER_NOISE, load_extra_datasets, load_planar_dataset


def test_flower_has_the_course_shapes_and_dtypes():
    """Is the flower X (2, 400) float64 and Y (1, 400) uint8?"""
    X, Y = load_planar_dataset()
    assert X.shape == (2, 400) and X.dtype == np.float64
    assert Y.shape == (1, 400) and Y.dtype == np.uint8


def test_flower_has_200_points_per_class_in_two_blocks():
    """Are the labels 0 for the first 200 columns and 1 for the last 200?"""
    _, Y = load_planar_dataset()
    assert set(np.unique(Y)) == {0, 1}
    assert (Y[0, :200] == 0).all() and (Y[0, 200:] == 1).all()


def test_flower_points_lie_within_the_petal_radius():
    """Is every point within a + noise of the origin (|r| = |a sin 4t + noise|)?"""
    X, _ = load_planar_dataset()
    radius = np.hypot(X[0], X[1])
    # The radial noise is N(0, 0.2**2): 400 draws stay well within 6 standard deviations.
    assert radius.max() <= FLOWER_A + 6 * FLOWER_NOISE
    # The petals do reach out: the largest radius is close to a.
    assert radius.max() > FLOWER_A - 2 * FLOWER_NOISE


def test_flower_classes_interleave_around_the_circle():
    """Does each class own petals all around the origin, not one half-plane?

    A point (r sin t, r cos t) with r < 0 lies at angle t + pi, so the petals of both
    classes point every way and a linear boundary cannot separate them.
    """
    X, Y = load_planar_dataset()
    angle = np.arctan2(X[0], X[1]) % (2 * np.pi)
    for j in (0, 1):
        quadrants = np.unique((angle[Y[0] == j] // (np.pi / 2)).astype(int))
        assert list(quadrants) == [0, 1, 2, 3]


def test_flower_is_the_same_on_every_call_whatever_the_rng_state():
    """Does the flower not depend on what the global generator did before?"""
    X1, Y1 = load_planar_dataset()
    np.random.seed(12345)
    np.random.rand(17)
    X2, Y2 = load_planar_dataset()
    assert np.array_equal(X1, X2) and np.array_equal(Y1, Y2)


def test_flower_leaves_the_global_generator_seeded_with_1():
    """Is the documented side effect real: the global generator continues from seed 1?

    Two classes of two 200-draw calls each: 800 normal draws after np.random.seed(1).
    """
    load_planar_dataset()
    after = np.random.rand(3)
    np.random.seed(1)
    np.random.randn(800)
    assert np.array_equal(after, np.random.rand(3))


def test_extra_datasets_have_the_course_layout():
    """Are all five data sets X (2, 200) floats and Y (1, 200) uint8 labels 0/1?"""
    data = load_extra_datasets()
    assert list(data) == ["noisy_circles", "noisy_moons", "blobs", "gaussian_quantiles",
                          "no_structure"]
    for name, (X, Y) in data.items():
        assert X.shape == (2, 200) and X.dtype == np.float64, name
        assert Y.shape == (1, 200) and Y.dtype == np.uint8, name
        assert set(np.unique(Y)) == {0, 1}, name


def test_extra_datasets_are_reproducible_and_leave_the_global_generator_alone():
    """Same seed, same data; another seed, other data; np.random's state untouched."""
    np.random.seed(7)
    state = np.random.get_state()
    a, b = load_extra_datasets(0), load_extra_datasets(np.random.default_rng(0))
    c = load_extra_datasets(1)
    after = np.random.get_state()
    assert np.array_equal(state[1], after[1]) and state[2] == after[2]
    for name in a:
        assert np.array_equal(a[name][0], b[name][0]) and np.array_equal(a[name][1], b[name][1])
    assert not np.array_equal(a["noisy_moons"][0], c["noisy_moons"][0])
    # blobs is fixed by random_state=5, as in the course
    assert np.array_equal(a["blobs"][0], c["blobs"][0])


def test_blobs_labels_are_the_six_centres_mod_2():
    from sklearn.datasets import make_blobs

    points, labels = make_blobs(n_samples=200, random_state=5, n_features=2, centers=6)
    X, Y = load_extra_datasets()["blobs"]
    assert np.array_equal(X, points.T) and np.array_equal(Y[0], labels % 2)


@pytest.mark.parametrize("n", [10, 51])
def test_extra_datasets_size_can_change(n):
    for X, Y in load_extra_datasets(3, n_samples=n).values():
        assert X.shape == (2, n) and Y.shape == (1, n)
