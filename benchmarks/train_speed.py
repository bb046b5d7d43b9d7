"""How close does the reference L_layer_model come to the matrix products it must do?

Times, in one run, (1) the reference `L_layer_model` of week4_deep_nn_application
(4 layers [12288, 20, 7, 5, 1], 2500 iterations, on synthetic data of the original
course's shape, 12288 x 209, from a seeded Generator) and (2) the bare matrix products
that any implementation of those iterations must perform:

- forward: W_l @ A_{l-1} for every layer l = 1..L;
- backward: dW_l = dZ_l @ A_{l-1}^T for every layer, and dA_{l-1} = W_l^T @ dZ_l for
  l >= 2 (training never needs dA0).

It prints training time / product time (1.0 would be a loop that does nothing but those
products) and the BLAS library that ran, as threadpoolctl reports it. Ratios compare
within one run; absolute times depend on the machine, its load and the BLAS kernel.

    python benchmarks/train_speed.py [--iterations N] [--rounds R]
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/train_speed.py

(the second form lets OpenBLAS pick its kernel for the CPU; see ../shared/MEASUREMENTS.md.
Tests and CI never change these variables.)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [12288, 20, 7, 5, 1]
M = 209
TARGET = 1.3


def synthetic_data(seed: int = 0):
    """Pixels in [0, 1] and about a third of positive labels, like the course's data."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, size=(LAYERS[0], M)).astype(float) / 255.0
    Y = (rng.random((1, M)) < 0.35).astype(float)
    return X, Y


def product_operands(X, seed: int = 1):
    """Weights, activations and dZs of the right shapes (their values do not change a GEMM)."""
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(LAYERS[l], LAYERS[l - 1])) / np.sqrt(LAYERS[l - 1])
          for l in range(1, len(LAYERS))]
    As = [X]
    for W in Ws:
        As.append(np.maximum(np.dot(W, As[-1]), 0.0))
    dZs = [rng.normal(size=(LAYERS[l], M)) for l in range(1, len(LAYERS))]
    return Ws, As, dZs


def time_products(Ws, As, dZs, iterations: int) -> float:
    """Seconds for `iterations` rounds of the products one training iteration needs."""
    L = len(Ws)
    start = time.perf_counter()
    for _ in range(iterations):
        for l in range(L):                      # forward: Z_l = W_l A_{l-1}
            np.dot(Ws[l], As[l])
        for l in reversed(range(L)):            # backward: dW_l = dZ_l A_{l-1}^T
            np.dot(dZs[l], As[l].T)
            if l >= 1:                          # dA_{l-1} = W_l^T dZ_l, not for dA0
                np.dot(Ws[l].T, dZs[l])
    return time.perf_counter() - start


def load_model():
    sys.path.insert(0, str(ROOT))
    from nndl import reference

    return reference.load("week4_deep_nn_application", ROOT).L_layer_model


def time_training(model, X, Y, iterations: int) -> tuple[float, list]:
    with contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        _, costs = model(X, Y, LAYERS, num_iterations=iterations)
        seconds = time.perf_counter() - start
    return seconds, costs


def blas_report() -> list[str]:
    from threadpoolctl import threadpool_info

    lines = []
    for pool in threadpool_info():
        if pool.get("user_api") != "blas":
            continue
        lines.append(f"{pool.get('internal_api')} {pool.get('version')}, kernel "
                     f"{pool.get('architecture')}, {pool.get('num_threads')} thread(s), "
                     f"threading {pool.get('threading_layer')} ({pool.get('filepath')})")
    env = ", ".join(f"{k}={os.environ.get(k, '(unset)')}" for k in
                    ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS"))
    return lines + [f"environment: {env}"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2500,
                        help="training iterations (default: 2500, as in the notebook)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="split the iterations into this many training runs, each timed "
                             "right after the same number of product iterations, so that both "
                             "see the same machine load (default: 1, one 2500-iteration run)")
    args = parser.parse_args(argv)

    X, Y = synthetic_data()
    operands = product_operands(X)
    model = load_model()
    time_products(*operands, 20)  # warm up: threads started, pages touched
    per_round = args.iterations // args.rounds
    rounds = []
    for r in range(args.rounds):
        # Alternate the order, so that neither side always runs first after a pause.
        if r % 2 == 0:
            products = time_products(*operands, per_round)
            training, costs = time_training(model, X, Y, per_round)
        else:
            training, costs = time_training(model, X, Y, per_round)
            products = time_products(*operands, per_round)
        rounds.append((training, products))
    training = sum(t for t, _ in rounds)
    products = sum(p for _, p in rounds)
    ratio = training / products
    done = per_round * args.rounds

    print(f"L_layer_model {LAYERS} on {LAYERS[0]} x {M} synthetic data: {args.rounds} run(s) "
          f"of {per_round} iterations (last run: cost {float(costs[0]):.6f} -> "
          f"{float(costs[-1]):.6f})")
    print(f"  training:          {training:8.2f} s  ({1e3 * training / done:.2f} ms per "
          "iteration)")
    print(f"  matrix products:   {products:8.2f} s  ({1e3 * products / done:.2f} ms per "
          "iteration)")
    if args.rounds > 1:
        print("  ratio of each round: " + ", ".join(f"{t / p:.3f}" for t, p in rounds))
    print(f"  ratio training / products: {ratio:.3f}  (target <= {TARGET})")
    print("BLAS (threadpoolctl):")
    for line in blas_report():
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
