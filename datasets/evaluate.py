#!/usr/bin/env python3
"""Train the course's three week 2 / week 4 models on a built dataset.

(a) logistic regression (zeros init, learning rate 0.005, 2000 iterations),
(b) the 2-layer net [n_x, 7, 1] (weights randn * 0.01, rate 0.0075, 2500 iterations),
(c) the 4-layer net [n_x, 20, 7, 5, 1] (weights randn / sqrt(fan_in), rate 0.0075,
    2500 iterations), all with full-batch gradient descent and cross-entropy cost,
and print train/test accuracy of each. This is selection tooling: it is a compact
re-statement of the course's models, not the reference implementation.

Usage:
    python datasets/evaluate.py [--data DIR] [--name NAME]
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


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def logistic_regression(X, Y, iterations=2000, learning_rate=0.005):
    w, b, m = np.zeros((X.shape[0], 1)), 0.0, X.shape[1]
    for _ in range(iterations):
        dZ = sigmoid(w.T @ X + b) - Y
        w -= learning_rate * (X @ dZ.T) / m
        b -= learning_rate * np.sum(dZ) / m
    return lambda X: sigmoid(w.T @ X + b) > 0.5


def deep_network(X, Y, layer_dims, init_scale, iterations=2500, learning_rate=0.0075):
    """[LINEAR->RELU] x (L-1) -> LINEAR->SIGMOID, trained by batch gradient descent.

    init_scale(l) gives the factor for randn(n_l, n_{l-1}): 0.01 for the 2-layer
    net, 1/sqrt(n_{l-1}) for the L-layer net, as in the course.
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


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=here, help="folder holding <name>/ (default: %(default)s)")
    ap.add_argument("--name", default=None,
                    help="dataset name (default: the one in <data>/manifest.json)")
    args = ap.parse_args(argv)
    name = args.name
    if name is None:
        with open(os.path.join(args.data, "manifest.json"), encoding="utf-8") as f:
            name = json.load(f)["name"]

    X, Y, Xt, Yt, classes = load(args.data, name)
    n_x = X.shape[0]
    print(f"dataset {name}: classes {[c.decode() for c in classes]}, train {X.shape[1]} "
          f"({int(Y.sum())} positive), test {Xt.shape[1]} ({int(Yt.sum())} positive)")
    models = [
        ("logistic regression", lambda: logistic_regression(X, Y)),
        ("2-layer [n_x, 7, 1]", lambda: deep_network(X, Y, [n_x, 7, 1], lambda l: 0.01)),
        ("4-layer [n_x, 20, 7, 5, 1]",
         lambda: deep_network(X, Y, [n_x, 20, 7, 5, 1],
                              lambda l: 1 / np.sqrt([n_x, 20, 7, 5][l - 1]))),
    ]
    print(f"{'model':28s} {'train':>7s} {'test':>7s} {'seconds':>8s}")
    for label, train in models:
        start = time.time()
        predict = train()
        seconds = time.time() - start
        acc_train = 100 * np.mean(predict(X) == Y)
        acc_test = 100 * np.mean(predict(Xt) == Yt)
        print(f"{label:28s} {acc_train:6.2f}% {acc_test:6.2f}% {seconds:8.1f}")


if __name__ == "__main__":
    main()
