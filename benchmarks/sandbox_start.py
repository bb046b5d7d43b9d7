"""Per-submission overhead of the sandbox: a cold start against a fork from the zygote.

    python benchmarks/sandbox_start.py [--rounds 20] [ASSIGNMENT]

For one assignment (default week2_logistic_regression) it times, alternately, `--rounds`
times each: (1) a cold sandbox (bubblewrap, a new Python) that runs the assignment's
imports cell and is closed, and (2) the same from a child forked by one warm zygote. The
imports cell is what every submission runs first; the rest of a submission's time is its
own code and the tests, the same either way. Prints the median and mean of each and their
ratio. The zygote's own start, paid once per grading worker, is printed apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nndl.grader.program import load_program, strip_magics  # noqa: E402
from nndl.grader.sandbox import Limits, Sandbox, Zygote, bubblewrap  # noqa: E402


def one_submission(workdir: Path, cells: list[dict], zygote: Zygote | None) -> float:
    start = time.perf_counter()
    sandbox = Sandbox(workdir, Limits(), zygote)
    try:
        reply = sandbox.request({"op": "run", "cells": cells})
        if reply.get("errors"):
            raise SystemExit(f"the imports cell failed in the sandbox: {reply['errors']}")
    finally:
        sandbox.close()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="week2_logistic_regression")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if not bubblewrap():
        print("bubblewrap is not installed: there is no zygote to compare (cold sandboxes "
              "only)")
        return 1
    (source,) = (ROOT / "source" / args.assignment).glob("*.ipynb")
    program = load_program(source, args.assignment)
    workdir = ROOT / "release" / args.assignment
    cells = [{"id": "imports", "source": strip_magics(c.source)}
             for c in program.cells if c.kind == "imports"]

    start = time.perf_counter()
    zygote = Zygote(workdir, Limits(), program.given_modules())
    zygote_start = time.perf_counter() - start
    cold, warm = [], []
    try:
        one_submission(workdir, cells, None)  # page cache warm for both
        for r in range(args.rounds):
            if r % 2:
                warm.append(one_submission(workdir, cells, zygote))
                cold.append(one_submission(workdir, cells, None))
            else:
                cold.append(one_submission(workdir, cells, None))
                warm.append(one_submission(workdir, cells, zygote))
    finally:
        zygote.close()
    print(f"{args.assignment}: imports cell in a fresh sandbox, {args.rounds} rounds")
    print(f"  cold start:      median {statistics.median(cold):.3f} s, "
          f"mean {statistics.mean(cold):.3f} s")
    print(f"  zygote fork:     median {statistics.median(warm):.3f} s, "
          f"mean {statistics.mean(warm):.3f} s")
    print(f"  ratio cold / zygote (medians): "
          f"{statistics.median(cold) / statistics.median(warm):.1f}x")
    print(f"  the zygote's own start (once per worker): {zygote_start:.2f} s "
          f"(imports {', '.join(program.given_modules()[:6])}, ...)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
