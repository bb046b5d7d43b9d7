#!/usr/bin/env python3
"""Build the course's own binary image dataset from Fashion-MNIST.

The output mimics the layout of the classic week 2 / week 4 HDF5 files:

    train_<name>.h5: train_set_x (m, 64, 64, 3) uint8, train_set_y (m,) int64,
                     list_classes (2,) bytes
    test_<name>.h5:  test_set_x, test_set_y, list_classes (same layout)

Only numpy, gzip and h5py are used. The selection is driven by a fixed seed and
the HDF5 files are written without timestamps, so running the script again
produces byte-identical files (checked through the sha256 values that are
written to manifest.json next to this script).

Usage:
    python datasets/build_dataset.py [--source DIR] [--out DIR]
"""
import argparse
import gzip
import hashlib
import json
import os
import sys

import h5py
import numpy as np

# ---------------------------------------------------------------- the task --
NAME = "coats"
POSITIVE = 4                 # Fashion-MNIST label of class 1
NEGATIVES = [2, 6]            # Fashion-MNIST labels pooled into class 0
CLASS_NAMES = [b"non-coat", b"coat"]  # list_classes: index 0 = negative, 1 = positive
N_TRAIN, N_TRAIN_POS = 209, 72    # drawn from the official 60k training split
N_TEST, N_TEST_POS = 150, 75      # drawn from the official 10k test split
SEED = 1
SIZE = 64

LABEL_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
SOURCE_PACKAGE = "dataset-fashion-mnist"
SOURCE_VERSION = "0.0~git20200523.55506a9-1"
SELECTION_RULE = (
    "rng = numpy.random.default_rng(SEED). For the train split, then the test "
    "split (in that order): draw n_pos indices without replacement from the "
    "images labelled POSITIVE, then n_neg indices without replacement from the "
    "images whose label is in NEGATIVES (both pools in ascending index order), "
    "concatenate positives + negatives and reorder them with rng.permutation."
)


def read_idx(path):
    """Read a gzip-compressed IDX file (the MNIST container format)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: size does not match header {dims}")
    return arr.reshape(dims)


def load_split(source, split):
    images = read_idx(os.path.join(source, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(source, f"{split}-labels-idx1-ubyte.gz"))
    return images, labels


def bilinear_matrix(n_in, n_out):
    """(n_out, n_in) matrix of bilinear weights, pixel centres aligned."""
    pos = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
    pos = np.clip(pos, 0, n_in - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = pos - lo
    m = np.zeros((n_out, n_in))
    m[np.arange(n_out), lo] += 1.0 - frac
    m[np.arange(n_out), hi] += frac
    return m


def to_rgb64(images):
    """(n, 28, 28) grey uint8 -> (n, 64, 64, 3) uint8, bilinear upsampling."""
    rows = bilinear_matrix(images.shape[1], SIZE)
    cols = bilinear_matrix(images.shape[2], SIZE)
    out = np.empty((len(images), SIZE, SIZE), dtype=np.uint8)
    for i, img in enumerate(images):
        up = rows @ img.astype(np.float64) @ cols.T
        out[i] = np.clip(np.rint(up), 0, 255).astype(np.uint8)
    return np.repeat(out[..., None], 3, axis=3)


def select(rng, labels, n_pos, n_neg):
    pos = rng.choice(np.flatnonzero(labels == POSITIVE), n_pos, replace=False)
    neg = rng.choice(np.flatnonzero(np.isin(labels, NEGATIVES)), n_neg, replace=False)
    idx = np.concatenate([pos, neg])
    y = np.concatenate([np.ones(n_pos, np.int64), np.zeros(n_neg, np.int64)])
    order = rng.permutation(len(idx))
    return idx[order], y[order]


def write_h5(path, prefix, x, y):
    # Fixed file format bounds, no timestamps and explicit chunks keep the
    # bytes identical from one build to the next.
    with h5py.File(path, "w", libver=("earliest", "v108"), track_order=False) as f:
        f.create_dataset(f"{prefix}_x", data=x, chunks=(min(len(x), 32), SIZE, SIZE, 3),
                         compression="gzip", compression_opts=9, shuffle=False,
                         track_times=False)
        f.create_dataset(f"{prefix}_y", data=y, track_times=False)
        f.create_dataset("list_classes", data=np.array(CLASS_NAMES), track_times=False)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default="/usr/share/datasets/fashion-mnist",
                    help="folder with the Fashion-MNIST *-ubyte.gz files")
    ap.add_argument("--out", default=here, help="output folder (default: %(default)s)")
    args = ap.parse_args(argv)

    rng = np.random.default_rng(SEED)
    folder = os.path.join(args.out, NAME)
    os.makedirs(folder, exist_ok=True)
    files = []
    splits = [("train", "train", "train_set", N_TRAIN, N_TRAIN_POS),
              ("test", "t10k", "test_set", N_TEST, N_TEST_POS)]
    for split, source_split, prefix, n, n_pos in splits:
        images, labels = load_split(args.source, source_split)
        idx, y = select(rng, labels, n_pos, n - n_pos)
        x = to_rgb64(images[idx])
        rel = f"{NAME}/{split}_{NAME}.h5"
        path = os.path.join(args.out, rel)
        write_h5(path, prefix, x, y)
        files.append({
            "path": rel,
            "sha256": sha256(path),
            "size_bytes": os.path.getsize(path),
            "datasets": {
                f"{prefix}_x": {"shape": list(x.shape), "dtype": str(x.dtype)},
                f"{prefix}_y": {"shape": list(y.shape), "dtype": str(y.dtype)},
                "list_classes": {"shape": [2], "dtype": np.array(CLASS_NAMES).dtype.str[1:]},
            },
            "count": int(n),
            "positives": int(y.sum()),
            "source_split": f"{source_split}-images-idx3-ubyte.gz",
            "source_indices": [int(i) for i in idx],
        })
        print(f"wrote {path}: {n} images, {int(y.sum())} positive")

    manifest = {
        "name": NAME,
        "task": f"{LABEL_NAMES[POSITIVE]} (class 1) vs "
                f"{' / '.join(LABEL_NAMES[i] for i in NEGATIVES)} (class 0)",
        "list_classes": [c.decode() for c in CLASS_NAMES],
        "class_0_fashion_mnist_labels": {str(i): LABEL_NAMES[i] for i in NEGATIVES},
        "class_1_fashion_mnist_labels": {str(POSITIVE): LABEL_NAMES[POSITIVE]},
        "files": files,
        "source": {
            "debian_package": SOURCE_PACKAGE,
            "debian_version": SOURCE_VERSION,
            "upstream": "Fashion-MNIST by Zalando Research",
            "license": "MIT",
            "files": ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"],
        },
        "license": "MIT (derived from Fashion-MNIST, Copyright (c) 2017 Zalando SE)",
        "build_command": "python datasets/build_dataset.py",
        "seed": SEED,
        "selection_rule": SELECTION_RULE,
        "preprocessing": "28x28 grey -> 64x64 by separable bilinear interpolation "
                         "(pixel centres aligned, edges clamped) in float64 with numpy, "
                         "rounded half to even and clipped to uint8, then repeated over 3 channels",
        "hdf5": "gzip level 9, chunks of up to 32 images, no timestamps, libver (earliest, v108)",
        "built_with": {"python": sys.version.split()[0], "numpy": np.__version__,
                       "h5py": h5py.__version__, "hdf5": h5py.version.hdf5_version},
    }
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {os.path.join(args.out, 'manifest.json')}")


if __name__ == "__main__":
    main()
