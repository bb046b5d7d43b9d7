"""nndl.data: loading datasets in the course's schema, and clear errors when they are wrong."""

import h5py
import numpy as np
import pytest

from nndl import data
from nndl.data import DatasetError, load_dataset, load_image


def write_dataset(folder, name="toy", m_train=6, m_test=4, num_px=8, *, skip=(),
                  x_shape=None, x_dtype=np.uint8, labels=None):
    """A dataset in the course's schema, with optional defects."""
    folder = folder / name
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, m in (("train", m_train), ("test", m_test)):
        shape = x_shape or (m, num_px, num_px, 3)
        with h5py.File(folder / f"{split}_{name}.h5", "w") as f:
            if f"{split}_set_x" not in skip:
                f[f"{split}_set_x"] = rng.integers(0, 256, shape).astype(x_dtype)
            f[f"{split}_set_y"] = labels if labels is not None else np.arange(m) % 2
            f["list_classes"] = np.array([b"non-toy", b"toy"])
    return folder


def test_loads_in_the_course_shapes(tmp_path):
    """Does load_dataset return images as stored and labels as (1, m) rows?"""
    write_dataset(tmp_path)
    train_x, train_y, test_x, test_y, classes = load_dataset("toy", data_dir=tmp_path)
    assert train_x.shape == (6, 8, 8, 3) and train_x.dtype == np.uint8
    assert train_y.shape == (1, 6) and test_y.shape == (1, 4) and test_x.shape == (4, 8, 8, 3)
    assert list(classes) == [b"non-toy", b"toy"]


def test_data_dir_may_be_the_dataset_folder_itself(tmp_path):
    folder = write_dataset(tmp_path)
    assert load_dataset("toy", data_dir=folder)[0].shape == (6, 8, 8, 3)


def test_environment_overrides_location_and_name(tmp_path, monkeypatch):
    """Can an instructor point the notebooks at other files without editing them?"""
    write_dataset(tmp_path, name="other")
    monkeypatch.setenv("NNDL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NNDL_DATASET", "other")
    assert load_dataset()[0].shape == (6, 8, 8, 3)


def test_does_not_depend_on_working_directory(tmp_path, monkeypatch):
    """Does the shipped dataset load from any folder?"""
    monkeypatch.delenv("NNDL_DATA_DIR", raising=False)
    monkeypatch.delenv("NNDL_DATASET", raising=False)
    monkeypatch.chdir(tmp_path)
    train_x, train_y, test_x, test_y, classes = load_dataset()
    assert train_x.shape[1:] == (64, 64, 3) and train_y.shape == (1, train_x.shape[0])
    assert set(np.unique(train_y)) == {0, 1} and classes.shape == (2,)


def test_missing_dataset_names_every_place_searched(tmp_path):
    with pytest.raises(DatasetError) as info:
        load_dataset("nothing", data_dir=tmp_path)
    assert "nothing/train_nothing.h5" in str(info.value) and str(tmp_path) in str(info.value)


def test_missing_test_file_is_named(tmp_path):
    folder = write_dataset(tmp_path)
    (folder / "test_toy.h5").unlink()
    with pytest.raises(DatasetError, match="test_toy.h5: file not found"):
        load_dataset("toy", data_dir=tmp_path)


def test_wrong_keys_are_listed(tmp_path):
    write_dataset(tmp_path, skip=("train_set_x",))
    with pytest.raises(DatasetError) as info:
        load_dataset("toy", data_dir=tmp_path)
    assert "train_toy.h5: missing key(s) train_set_x" in str(info.value)
    assert "found ['list_classes', 'train_set_y']" in str(info.value)


def test_wrong_image_shape_is_reported(tmp_path):
    write_dataset(tmp_path, x_shape=(6, 8, 8))
    with pytest.raises(DatasetError, match=r"has shape \(6, 8, 8\); expected \(m, num_px"):
        load_dataset("toy", data_dir=tmp_path)


def test_wrong_dtype_is_reported(tmp_path):
    write_dataset(tmp_path, x_dtype=np.float32)
    with pytest.raises(DatasetError, match="dtype float32; expected uint8"):
        load_dataset("toy", data_dir=tmp_path)


def test_labels_must_match_images_and_be_binary(tmp_path):
    write_dataset(tmp_path, labels=np.array([0, 1, 2, 0, 1, 0]), m_test=6)
    with pytest.raises(DatasetError, match="labels other than 0 and 1"):
        load_dataset("toy", data_dir=tmp_path)


def test_corrupt_file_is_named(tmp_path):
    folder = write_dataset(tmp_path)
    (folder / "train_toy.h5").write_bytes(b"this is not HDF5")
    with pytest.raises(DatasetError, match="train_toy.h5: not a readable HDF5 file"):
        load_dataset("toy", data_dir=tmp_path)


def test_files_are_closed_after_loading(tmp_path):
    """Are the HDF5 files closed (a with block), so they can be replaced at once?"""
    folder = write_dataset(tmp_path)
    load_dataset("toy", data_dir=tmp_path)
    with h5py.File(folder / "train_toy.h5", "w"):  # fails if another handle holds it
        pass


def test_load_image_resizes_to_rgb(tmp_path):
    from PIL import Image

    Image.new("L", (30, 20), color=200).save(tmp_path / "grey.png")
    image = load_image(tmp_path / "grey.png", 64)
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8 and (image == 200).all()


def test_load_image_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such image file"):
        load_image(tmp_path / "missing.png", 64)
    (tmp_path / "fake.png").write_text("not an image")
    with pytest.raises(DatasetError, match="not an image file"):
        load_image(tmp_path / "fake.png", 64)


def test_default_dirs_put_environment_first(monkeypatch, tmp_path):
    monkeypatch.setenv("NNDL_DATA_DIR", str(tmp_path))
    dirs = data.default_data_dirs()
    assert dirs[0] == tmp_path and dirs[-1].name == "datasets"
