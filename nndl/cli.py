"""The ``nndl`` command: the course's tasks for instructors and CI."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .course import CourseError, assignments, find_course_root


def _root(args) -> Path:
    return find_course_root(args.dir) if args.dir else find_course_root()


def cmd_validate(args) -> int:
    from .validate import validate_course

    root = _root(args)
    ids = args.assignment or assignments(root)
    print(f"validating {len(ids)} assignment(s) in {root}: every source notebook must pass, "
          "every student version must score zero")
    problems = validate_course(root, ids)
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"\nthe course is valid: {len(ids)} assignment(s)")
    return 0


def cmd_release(args) -> int:
    from .validate import generate_release

    root = _root(args)
    ids = args.assignment or assignments(root)
    for assignment in ids:
        generate_release(root, assignment)
        print(f"release/{assignment}/ regenerated")
    return 0


def cmd_tidy(args) -> int:
    from .notebooks import tidy

    root = _root(args)
    paths = [Path(p) for p in args.paths] or sorted(
        p for tree in ("source", "release", "notebooks") for p in (root / tree).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts)
    changed = [p for p in paths if tidy(p)]
    for p in changed:
        print(f"tidied {p}")
    print(f"{len(changed)} of {len(paths)} notebook(s) changed")
    return 0


def cmd_grade(args) -> int:
    import time

    from .grader.run import grade_assignment
    from .grader.sandbox import Limits

    root = _root(args)
    start = time.monotonic()
    outcomes = grade_assignment(root, args.assignment, workers=args.workers,
                                students=args.student or None, force=args.force,
                                db_url=args.db, limits=Limits(call_seconds=args.timeout),
                                zygote=not args.cold)
    if not outcomes:
        print("nothing to grade")
        return 0
    elapsed = time.monotonic() - start
    scores = [o.score for o in outcomes]
    full = outcomes[0].max_score if outcomes else 0
    print(f"\ngraded {len(outcomes)} submission(s) of {args.assignment} in {elapsed:.1f} s "
          f"({elapsed / len(outcomes):.2f} s each with {args.workers} worker(s)); "
          f"mean score {sum(scores) / len(scores):.2f} of {full:g}")
    ended = [o for o in outcomes if o.reason]
    if ended:
        print(f"{len(ended)} submission(s) ended early:")
        for o in ended:
            print(f"  {o.student}: {o.reason}")
    slowest = max(outcomes, key=lambda o: o.seconds)
    print(f"slowest: {slowest.student} ({slowest.seconds:.1f} s)")
    return 0


def cmd_feedback(args) -> int:
    from .validate import run_nbgrader

    root = _root(args)
    print(run_nbgrader(root, "generate_feedback", args.assignment, "--force").strip())
    print(f"feedback written to {root / 'feedback'}")
    return 0


def cmd_export(args) -> int:
    from .validate import run_nbgrader

    root = _root(args)
    print(run_nbgrader(root, "export", f"--to={args.to}").strip())
    print(f"grades written to {args.to}")
    return 0


def cmd_report(args) -> int:
    from .grader.report import write_report

    path = write_report(_root(args), args.assignment)
    print(f"class report: {path}")
    return 0


def cmd_demo(args) -> int:
    from .grader.demo import run_demo

    run_demo(Path(args.path) if args.path else None, workers=args.workers,
             assignments=args.assignment)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nndl", description=__doc__)
    parser.add_argument("--dir", help="the course directory (default: found from here)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="run every source and student notebook and check "
                                        "that solutions pass and stubs score zero")
    p.add_argument("assignment", nargs="*", help="assignment ids (default: all)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("release", help="regenerate release/ from source/ with nbgrader")
    p.add_argument("assignment", nargs="*", help="assignment ids (default: all)")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("grade", help="grade every submission of an assignment in sandboxes, "
                                     "in parallel, into nbgrader's gradebook")
    p.add_argument("assignment")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="submissions graded at once (default: the number of cores)")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument("--force", action="store_true", help="grade again what is already graded")
    p.add_argument("--db", help="nbgrader gradebook URL (default: sqlite in the course)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds one call of a student's function may take (default: 60)")
    p.add_argument("--cold", action="store_true",
                   help="start a new sandboxed Python for every submission instead of forking "
                        "it from a warm one (slower; for comparison or troubleshooting)")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("feedback", help="HTML feedback per student (nbgrader generate_feedback)")
    p.add_argument("assignment")
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("export", help="grades as CSV (nbgrader export)")
    p.add_argument("--to", default="grades.csv", help="the CSV file (default: grades.csv)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="class report of a graded assignment (HTML, PNG plots)")
    p.add_argument("assignment")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("demo", help="the whole loop on a class of 30 in a fresh course: "
                                    "release, grade, feedback, reports, grades")
    p.add_argument("path", nargs="?", help="the demo course folder (default: a new temporary "
                                           "folder)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--assignment", action="append",
                   help="only this assignment (repeatable; default: every one with cases)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("tidy", help="strip outputs and execution counts from notebooks")
    p.add_argument("paths", nargs="*", help="notebooks (default: all in the course)")
    p.set_defaults(func=cmd_tidy)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CourseError as exc:
        print(f"nndl: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
