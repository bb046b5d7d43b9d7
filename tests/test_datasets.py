"""The shipped dataset matches its manifest, and rebuilding it from the source gives it back."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from harness import ROOT

from nndl.data import DEFAULT_DATASET, load_dataset

DATASETS = ROOT / "datasets"
MANIFEST = json.loads((DATASETS / "manifest.json").read_text())
FASHION = Path("/usr/share/datasets/fashion-mnist")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_describes_the_default_dataset():
    assert MANIFEST["name"] == DEFAULT_DATASET
    assert "MIT" in MANIFEST["license"] and MANIFEST["source"]["debian_package"]


@pytest.mark.parametrize("entry", MANIFEST["files"], ids=lambda e: e["path"])
def test_file_matches_its_checksum_and_shapes(entry):
    """Is every shipped file exactly the one the manifest records?"""
    path = DATASETS / entry["path"]
    assert path.stat().st_size == entry["size_bytes"]
    assert sha256(path) == entry["sha256"]
    with h5py.File(path, "r") as f:
        for key, meta in entry["datasets"].items():
            assert list(f[key].shape) == meta["shape"] and f[key].dtype == np.dtype(meta["dtype"])


def test_dataset_is_small_and_in_the_course_schema():
    total = sum((DATASETS / e["path"]).stat().st_size for e in MANIFEST["files"])
    assert total < 5 * 2**20
    train_x, train_y, test_x, test_y, classes = load_dataset()
    assert train_x.shape[1:] == (64, 64, 3) and 100 <= train_x.shape[0] <= 1000
    assert [c.decode() for c in classes] == MANIFEST["list_classes"]
    assert 0 < train_y.mean() < 1 and 0 < test_y.mean() < 1  # both classes present


def test_original_course_files_are_not_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    assert "catvnoncat" not in tracked.stdout


@pytest.mark.slow
@pytest.mark.skipif(not (FASHION / "train-images-idx3-ubyte.gz").is_file(),
                    reason=f"Fashion-MNIST source files not at {FASHION} "
                           "(apt-get install dataset-fashion-mnist)")
def test_rebuild_from_source_gives_the_same_data(tmp_path):
    """Does build_dataset.py rebuild the shipped arrays exactly (and the bytes, same HDF5)?"""
    subprocess.run([sys.executable, str(DATASETS / "build_dataset.py"), "--source", str(FASHION),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    same_library = MANIFEST["built_with"]["h5py"] == h5py.__version__ and \
        MANIFEST["built_with"]["hdf5"] == h5py.version.hdf5_version
    for entry in MANIFEST["files"]:
        shipped, rebuilt = DATASETS / entry["path"], tmp_path / entry["path"]
        with h5py.File(shipped, "r") as a, h5py.File(rebuilt, "r") as b:
            assert sorted(a.keys()) == sorted(b.keys())
            for key in a:
                assert np.array_equal(a[key][()], b[key][()]), f"{entry['path']}:{key} differs"
        if same_library:
            assert sha256(rebuilt) == entry["sha256"]
