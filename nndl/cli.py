"""The ``nndl`` command: the course's tasks for instructors and CI."""

from __future__ import annotations

import argparse
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
