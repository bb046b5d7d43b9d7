"""Grading speed: stock `nbgrader autograde` against `nndl grade`, on the same class, in one run.

    python benchmarks/grade_speed.py [--count 40] [--workers 2] [--cold] [ASSIGNMENT ...]

For each assignment (default: every one with known-bad cases) it builds a course with
--count submissions drawn in turn from tests/submissions/<assignment>/, copies it, grades
one copy with `nbgrader autograde` (serial, as nbgrader runs) and the other with
`nndl grade --workers N`, and prints both times, the seconds per submission and the ratio.
The last line is the ratio over all assignments together. With --cold it also times
`nndl grade --cold` (a new sandboxed Python per submission, no zygote) on a third copy.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from harness import (  # noqa: E402
    build_submission,
    case_assignments,
    load_cases,
    make_course,
    submit,
)

from nndl.validate import run_nbgrader  # noqa: E402


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=None)
    parser.add_argument("--count", type=int, default=40, help="submissions per assignment")
    parser.add_argument("--workers", type=int, default=2, help="nndl grade workers")
    parser.add_argument("--cold", action="store_true",
                        help="also time nndl grade without the zygote")
    args = parser.parse_args()
    assignments = args.assignments or case_assignments()

    from nndl.grader.run import grade_assignment
    from nndl.grader.sandbox import isolation_warning

    print(isolation_warning() or "sandbox: bubblewrap")
    totals = {"stock": 0.0, "nndl": 0.0, "cold": 0.0}
    with tempfile.TemporaryDirectory(prefix="nndl-bench-") as tmp:
        for assignment in assignments:
            stock = make_course(Path(tmp) / f"stock-{assignment}", [assignment])
            cases = load_cases(assignment)
            for i in range(args.count):
                case = cases[i % len(cases)]
                submit(stock, assignment, f"{case.name}-{i:03d}", build_submission(stock, case))
            ours = Path(tmp) / f"nndl-{assignment}"
            shutil.copytree(stock, ours)
            if args.cold:
                cold = Path(tmp) / f"cold-{assignment}"
                shutil.copytree(stock, cold)
            t_stock = timed(partial(run_nbgrader, stock, "autograde", assignment))
            t_ours = timed(partial(grade_assignment, ours, assignment, workers=args.workers,
                                   progress=False, log=lambda *_: None))
            totals["stock"] += t_stock
            totals["nndl"] += t_ours
            line = (f"{assignment:32s} {args.count} submissions: nbgrader autograde "
                    f"{t_stock:7.1f} s ({t_stock / args.count:.2f} s each), nndl grade "
                    f"{t_ours:6.1f} s ({t_ours / args.count:.2f} s each): "
                    f"{t_stock / t_ours:.1f}x")
            if args.cold:
                t_cold = timed(partial(grade_assignment, cold, assignment,
                                       workers=args.workers, progress=False, zygote=False,
                                       log=lambda *_: None))
                totals["cold"] += t_cold
                line += f"; --cold {t_cold:6.1f} s ({t_stock / t_cold:.1f}x)"
            print(line, flush=True)
    print(f"all assignments: nbgrader autograde {totals['stock']:.1f} s, nndl grade "
          f"{totals['nndl']:.1f} s with {args.workers} workers: "
          f"{totals['stock'] / totals['nndl']:.1f}x faster"
          + (f" (--cold {totals['cold']:.1f} s: {totals['stock'] / totals['cold']:.1f}x)"
             if args.cold else ""))


if __name__ == "__main__":
    main()
