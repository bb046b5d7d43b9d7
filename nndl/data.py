"""Image datasets in the course's HDF5 schema, and students' own images.

A dataset called ``name`` is two files in a folder ``name/`` of a data directory:
``train_<name>.h5`` with ``train_set_x`` (m, num_px, num_px, 3) uint8 and ``train_set_y``
(m,), and ``test_<name>.h5`` with ``test_set_x``, ``test_set_y`` and ``list_classes``
(2,) bytes. This is the layout of the original course's cat/non-cat files, so an
instructor can drop those in a folder and point ``data_dir`` (or ``NNDL_DATA_DIR``) at it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

DATA_DIR_ENV = "NNDL_DATA_DIR"
DATASET_ENV = "NNDL_DATASET"
DEFAULT_DATASET = "coats"

_PACKAGE_DIR = Path(__file__).resolve().parent


class DatasetError(Exception):
    """A dataset file is missing, unreadable or not in the course's schema."""


def default_data_dirs() -> list[Path]:
    """Folders searched for datasets when no ``data_dir`` is given, in order.

    ``$NNDL_DATA_DIR`` first; then the copy a wheel carries inside the package; then
    ``datasets/`` at the repository root, which is where an editable install finds them.
    """
    dirs = []
    if os.environ.get(DATA_DIR_ENV):
        dirs.append(Path(os.environ[DATA_DIR_ENV]).expanduser())
    dirs.append(_PACKAGE_DIR / "_datasets")
    dirs.append(_PACKAGE_DIR.parent / "datasets")
    return dirs


def find_dataset(name: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Return the folder that holds dataset ``name``.

    Raises DatasetError naming every place that was searched.
    """
    candidates = [Path(data_dir).expanduser()] if data_dir is not None else default_data_dirs()
    for base in candidates:
        if (base / name / f"train_{name}.h5").is_file():
            return base / name
        # A data_dir may also be the dataset folder itself.
        if (base / f"train_{name}.h5").is_file():
            return base
    searched = ", ".join(str(c) for c in candidates)
    raise DatasetError(
        f"dataset {name!r} not found: expected {name}/train_{name}.h5 and "
        f"{name}/test_{name}.h5 under one of: {searched}. "
        f"Pass data_dir=... or set {DATA_DIR_ENV}."
    )


def _read_split(path: Path, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    import h5py

    if not path.is_file():
        raise DatasetError(f"{path}: file not found")
    x_key, y_key = f"{split}_set_x", f"{split}_set_y"
    try:
        with h5py.File(path, "r") as f:
            missing = [k for k in (x_key, y_key) if k not in f]
            if missing:
                raise DatasetError(
                    f"{path}: missing key(s) {', '.join(missing)}; found {sorted(f.keys())}"
                )
            x = f[x_key][()]
            y = f[y_key][()]
            classes = f["list_classes"][()] if "list_classes" in f else None
    except DatasetError:
        raise
    except OSError as exc:
        raise DatasetError(f"{path}: not a readable HDF5 file ({exc})") from exc

    if x.ndim != 4 or x.shape[3] != 3 or x.shape[1] != x.shape[2]:
        raise DatasetError(
            f"{path}: {x_key} has shape {x.shape}; expected (m, num_px, num_px, 3)"
        )
    if x.dtype != np.uint8:
        raise DatasetError(f"{path}: {x_key} has dtype {x.dtype}; expected uint8")
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise DatasetError(
            f"{path}: {y_key} has shape {y.shape}; expected ({x.shape[0]},) to match {x_key}"
        )
    if not np.isin(y, (0, 1)).all():
        raise DatasetError(f"{path}: {y_key} holds labels other than 0 and 1")
    return x, y, classes


def load_dataset(name: str | None = None, data_dir: str | os.PathLike | None = None):
    """Load a binary image-classification dataset.

    name defaults to $NNDL_DATASET, else the course's own dataset; with
    NNDL_DATASET=catvnoncat and NNDL_DATA_DIR pointing at the original course's files,
    the notebooks run unchanged on those.

    Returns:
    - train_x_orig: (m_train, num_px, num_px, 3) uint8 images
    - train_y: (1, m_train) labels, 0 or 1
    - test_x_orig: (m_test, num_px, num_px, 3) uint8 images
    - test_y: (1, m_test) labels
    - classes: (2,) bytes, the class names (classes[1] is the positive class)
    """
    name = name or os.environ.get(DATASET_ENV) or DEFAULT_DATASET
    folder = find_dataset(name, data_dir)
    train_x, train_y, _ = _read_split(folder / f"train_{name}.h5", "train")
    test_path = folder / f"test_{name}.h5"
    test_x, test_y, classes = _read_split(test_path, "test")
    if classes is None or classes.shape != (2,):
        raise DatasetError(f"{test_path}: list_classes must hold the two class names")
    if train_x.shape[1:] != test_x.shape[1:]:
        raise DatasetError(
            f"{folder}: train images are {train_x.shape[1:]} but test images are "
            f"{test_x.shape[1:]}"
        )
    return train_x, train_y.reshape(1, -1), test_x, test_y.reshape(1, -1), classes


def load_image(path: str | os.PathLike, num_px: int) -> np.ndarray:
    """Read an image file (PNG, JPEG, ...) as a (num_px, num_px, 3) uint8 array.

    The image is converted to RGB and resized to num_px x num_px, like the images of
    the course's datasets, so it can be flattened and fed to a trained model.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such image file")
    try:
        with Image.open(path) as img:
            rgb = img.convert("RGB").resize((num_px, num_px), Image.Resampling.BILINEAR)
            return np.asarray(rgb, dtype=np.uint8)
    except UnidentifiedImageError as exc:
        raise DatasetError(f"{path}: not an image file Pillow can read") from exc
