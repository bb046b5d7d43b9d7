#!/usr/bin/env python3
"""Train the course's three week 2 / week 4 models on a built dataset.

(a) logistic regression (zeros init, learning rate 0.005, 2000 iterations),
(b) the 2-layer net [n_x, 7, 1] (weights randn * 0.01, rate 0.0075, 2500 iterations),
(c) the 4-layer net [n_x, 20, 7, 5, 1] (weights randn / sqrt(fan_in), rate 0.0075,
    2500 iterations), all with full-batch gradient descent and cross-entropy cost,
and print train/test accuracy of each. This is selection tooling: it is a compact
re-statement of the course's models, not the reference implementation.

The 4-layer figures depend on the BLAS kernel (one test image in 150 between OpenBLAS's
Haswell and SkylakeX kernels, see datasets/README.md), so the kernel is printed first.

With --costs FILE it also records the cost of both networks at every iteration, prints
where it rose, and writes the costs to FILE (JSON); --compare A B compares two such
files, e.g. one written with each BLAS kernel, and says from which iteration they part.

Usage:
    python datasets/evaluate.py [--data DIR] [--name NAME] [--costs FILE]
                                [--models lr 2-layer 4-layer] [--learning-rate RATE]
    python datasets/evaluate.py --compare A B
"""
import argparse
import json
import os
import time

import h5py
import numpy as np


def load(folder, name):
    with h5py.File(os.path.join(folder, name, f"train_{name}.h5"), "r") as f:
        x_train, y_train = f["train_set_x"][:], f["train_set_y"][:]
    with h5py.File(os.path.join(folder, name, f"test_{name}.h5"), "r") as f:
        x_test, y_test = f["test_set_x"][:], f["test_set_y"][:]
        classes = f["list_classes"][:]
    def flat(x):  # (n_x, m), as in week 2
        return x.reshape(x.shape[0], -1).T / 255.0

    return (flat(x_train), y_train.reshape(1, -1), flat(x_test), y_test.reshape(1, -1),
            classes)


def blas_kernel():
    """Which BLAS numpy uses, and its kernel, when threadpoolctl can tell."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl is not installed)"
    found = [f"{i.get('internal_api')} {i.get('version')}, kernel {i.get('architecture')}"
             for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(found) or "unknown"


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def logistic_regression(X, Y, iterations=2000, learning_rate=0.005):
    w, b, m = np.zeros((X.shape[0], 1)), 0.0, X.shape[1]
    for _ in range(iterations):
        dZ = sigmoid(w.T @ X + b) - Y
        w -= learning_rate * (X @ dZ.T) / m
        b -= learning_rate * np.sum(dZ) / m
    return lambda X: sigmoid(w.T @ X + b) > 0.5


def deep_network(X, Y, layer_dims, init_scale, iterations=2500, learning_rate=0.0075,
                 costs=None):
    """[LINEAR->RELU] x (L-1) -> LINEAR->SIGMOID, trained by batch gradient descent.

    init_scale(l) gives the factor for randn(n_l, n_{l-1}): 0.01 for the 2-layer
    net, 1/sqrt(n_{l-1}) for the L-layer net, as in the course. A list given as
    costs receives the cross-entropy cost of every iteration.
    """
    np.random.seed(1)
    L, m = len(layer_dims) - 1, X.shape[1]
    W = [None] + [np.random.randn(layer_dims[l], layer_dims[l - 1]) * init_scale(l)
                  for l in range(1, L + 1)]
    b = [None] + [np.zeros((layer_dims[l], 1)) for l in range(1, L + 1)]

    def forward(A):
        cache = []
        for l in range(1, L + 1):
            Z = W[l] @ A + b[l]
            cache.append((A, Z))
            A = sigmoid(Z) if l == L else np.maximum(0, Z)
        return A, cache

    for _ in range(iterations):
        AL, cache = forward(X)
        if costs is not None:
            costs.append(float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))))
        dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))  # d(cross-entropy)/dAL
        for l in range(L, 0, -1):
            A_prev, Z = cache[l - 1]
            if l == L:
                s = sigmoid(Z)
                dZ = dA * s * (1 - s)
            else:
                dZ = dA * (Z > 0)
            dW = dZ @ A_prev.T / m
            db = np.sum(dZ, axis=1, keepdims=True) / m
            dA = W[l].T @ dZ
            W[l] -= learning_rate * dW
            b[l] -= learning_rate * db
    return lambda X: forward(X)[0] > 0.5


def describe(costs):
    """Where a run's cost rose by more than 10 % from one iteration to the next."""
    c = np.asarray(costs)
    jumps = np.flatnonzero(c[1:] > 1.1 * c[:-1]) + 1
    where = f", first at iteration {jumps[0]}, last at {jumps[-1]}" if jumps.size else ""
    return (f"cost rose by more than 10 % at {jumps.size} of {c.size} iterations{where}; "
            f"every 100: {' '.join(f'{x:.3f}' for x in c[::100])}")


def compare(path_a, path_b):
    """From which iteration two runs' costs (files written by --costs) differ."""
    with open(path_a, encoding="utf-8") as f:
        a = json.load(f)
    with open(path_b, encoding="utf-8") as f:
        b = json.load(f)
    print(f"A: {a['blas']}\nB: {b['blas']}")
    for label in a["costs"]:
        ca, cb = np.asarray(a["costs"][label]), np.asarray(b["costs"][label])
        rel = np.abs(ca - cb) / np.abs(ca)
        parts = [f"{t:g} from iteration {np.argmax(rel > t)}" if (rel > t).any()
                 else f"never {t:g}" for t in (1e-12, 1e-3, 0.1)]
        print(f"{label}: relative difference of the costs " + ", ".join(parts))


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=here, help="folder holding <name>/ (default: %(default)s)")
    ap.add_argument("--name", default=None,
                    help="dataset name (default: the one in <data>/manifest.json)")
    ap.add_argument("--costs", metavar="FILE",
                    help="record the networks' cost at every iteration and write it to FILE")
    ap.add_argument("--models", nargs="+", choices=["lr", "2-layer", "4-layer"],
                    default=["lr", "2-layer", "4-layer"], help="which models to train")
    ap.add_argument("--learning-rate", type=float, default=0.0075,
                    help="learning rate of the two networks (default: %(default)s)")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"),
                    help="compare two files written by --costs, then stop")
    args = ap.parse_args(argv)
    if args.compare:
        compare(*args.compare)
        return
    name = args.name
    if name is None:
        with open(os.path.join(args.data, "manifest.json"), encoding="utf-8") as f:
            name = json.load(f)["name"]

    X, Y, Xt, Yt, classes = load(args.data, name)
    print(f"BLAS: {blas_kernel()}")
    n_x = X.shape[0]
    print(f"dataset {name}: classes {[c.decode() for c in classes]}, train {X.shape[1]} "
          f"({int(Y.sum())} positive), test {Xt.shape[1]} ({int(Yt.sum())} positive)")
    rate = args.learning_rate
    traces = {m: [] for m in ("2-layer", "4-layer") if m in args.models} if args.costs else {}
    models = [
        ("lr", "logistic regression", lambda: logistic_regression(X, Y)),
        ("2-layer", "2-layer [n_x, 7, 1]",
         lambda: deep_network(X, Y, [n_x, 7, 1], lambda l: 0.01, learning_rate=rate,
                              costs=traces.get("2-layer"))),
        ("4-layer", "4-layer [n_x, 20, 7, 5, 1]",
         lambda: deep_network(X, Y, [n_x, 20, 7, 5, 1],
                              lambda l: 1 / np.sqrt([n_x, 20, 7, 5][l - 1]),
                              learning_rate=rate, costs=traces.get("4-layer"))),
    ]
    if rate != 0.0075:
        print(f"networks trained with learning rate {rate}")
    print(f"{'model':28s} {'train':>7s} {'test':>7s} {'seconds':>8s}")
    for key, label, train in models:
        if key not in args.models:
            continue
        start = time.time()
        predict = train()
        seconds = time.time() - start
        acc_train = 100 * np.mean(predict(X) == Y)
        acc_test = 100 * np.mean(predict(Xt) == Yt)
        print(f"{label:28s} {acc_train:6.2f}% {acc_test:6.2f}% {seconds:8.1f}")
    for label, costs in traces.items():
        print(f"{label}: {describe(costs)}")
    if args.costs:
        with open(args.costs, "w", encoding="utf-8") as f:
            json.dump({"blas": blas_kernel(), "costs": traces}, f)


if __name__ == "__main__":
    main()
