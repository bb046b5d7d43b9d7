"""What does the training loop's progress bar cost?

Times, interleaved in one run, the reference `L_layer_model` of week4_deep_nn_application
(4 layers [12288, 20, 7, 5, 1] on the synthetic 12288 x 209 data of train_speed.py):

- without the bar (NNDL_PROGRESS=0: `progress` gives back the range itself, as in the
  grader, nbgrader and every test), and
- with the text bar drawn from the first iteration (NNDL_PROGRESS=1, no delay; the bar
  writes to os.devnull),

and prints the ratio of the best CPU times (time.process_time, one BLAS thread: on a
shared machine wall time mostly measures the neighbours), and the wrapper's own cost per
iteration on an empty loop.

    python benchmarks/progress_overhead.py [--iterations N] [--rounds R]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # before numpy: CPU time without spinning threads

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from train_speed import LAYERS, load_model, synthetic_data  # noqa: E402

from nndl import progress  # noqa: E402


@contextlib.contextmanager
def bar(on: bool):
    saved_env, saved_delay, saved_err = os.environ.get(progress.ENV), progress.DELAY, sys.stderr
    os.environ[progress.ENV] = "1" if on else "0"
    progress.DELAY = 0.0
    sink = open(os.devnull, "w")  # noqa: SIM115
    sys.stderr = sink
    try:
        yield
    finally:
        sys.stderr = saved_err
        sink.close()
        progress.DELAY = saved_delay
        if saved_env is None:
            os.environ.pop(progress.ENV, None)
        else:
            os.environ[progress.ENV] = saved_env


def empty_loop(n: int, on: bool) -> float:
    with bar(on):
        start = time.process_time()
        for _ in progress.progress(range(n)):
            pass
        return time.process_time() - start


def train(model, X, Y, iterations: int) -> float:
    with contextlib.redirect_stdout(io.StringIO()):
        start = time.process_time()
        model(X, Y, LAYERS, num_iterations=iterations)
        return time.process_time() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    X, Y = synthetic_data()
    model = load_model()
    times = {False: [], True: []}
    for _ in range(args.rounds):
        for on in (False, True):
            with bar(on):
                seconds = train(model, X, Y, args.iterations)
            times[on].append(seconds)
    plain, shown = min(times[False]), min(times[True])
    print(f"L_layer_model {LAYERS}, {args.iterations} iterations, best of {args.rounds}: "
          f"{plain:.3f} s of CPU without the bar, {shown:.3f} s with it: ratio {shown / plain:.4f}")
    print("every run (s of CPU): without " + ", ".join(f"{t:.3f}" for t in times[False])
          + "; with " + ", ".join(f"{t:.3f}" for t in times[True]))
    n = 200_000
    per = (empty_loop(n, True) - empty_loop(n, False)) / n
    print(f"the bar's own cost: {per * 1e6:.2f} µs per iteration (empty loop of {n}); "
          f"one training iteration took {plain / args.iterations * 1e3:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
