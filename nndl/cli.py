"""The ``nndl`` command: the course's tasks for instructors and CI."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from .course import (
    _REPO_ROOT,
    CourseError,
    assignments,
    command_course_root,
    is_course_dir,
    notebooks,
)


def _root(args) -> Path:
    """The course the command works on, named in the command's first line."""
    root = command_course_root(args.dir)
    print(f"course: {root}", flush=True)
    return root


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def _nbgrader(root: Path, *args: str) -> str:
    """Run nbgrader; when it fails, say so in one line instead of its traceback."""
    from .nbgrader_cli import run_nbgrader

    try:
        return run_nbgrader(root, *args)
    except CourseError as exc:
        lines = [line.strip() for line in str(exc).splitlines()[1:] if line.strip()]
        errors = [line for line in lines if "ERROR" in line or "Error" in line]
        last = (errors or lines or ["no output"])[-1]
        raise CourseError(f"nbgrader {args[0]} failed: {last}") from None


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
    from .nbgrader_cli import generate_release

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

    from .grader.run import NotGraded, grade_assignment, submissions
    from .grader.sandbox import Limits

    root = _root(args)
    notebooks(root, args.assignment, "source")  # a clear error for an unknown assignment
    folder = root / "submitted"
    found = submissions(root, args.assignment, args.student)
    if not found:
        print(f"nothing to grade: no submission of {args.assignment} in {folder} (expected "
              f"{folder / '<student_id>' / args.assignment}/)", file=sys.stderr)
        return 1
    from .grader.cluster import cluster_address

    cluster = cluster_address(root, args.cluster)  # --cluster, $NNDL_CLUSTER, the config
    limits = Limits(call_seconds=args.timeout, submission_seconds=args.submission_timeout)
    start = time.monotonic()
    fault = None
    try:
        outcomes = grade_assignment(root, args.assignment, workers=args.workers,
                                    students=args.student or None, force=args.force,
                                    db_url=args.db, limits=limits,
                                    zygote=not args.cold, cluster=cluster)
    except NotGraded as exc:  # the others are recorded: summarise them, then say it loudly
        outcomes, fault = exc.outcomes, exc
    if fault is not None and not outcomes:
        print(f"nndl: {fault}", file=sys.stderr)
        return 3
    if not outcomes:
        print(f"all {len(found)} submission(s) of {args.assignment} in {folder} were graded "
              "before: nothing new to grade (--force grades them again)")
        return 0
    elapsed = time.monotonic() - start
    scores = [o.score for o in outcomes]
    full = outcomes[0].max_score if outcomes else 0
    print(f"\ngraded {len(outcomes)} submission(s) of {args.assignment} in {elapsed:.1f} s "
          f"({elapsed / len(outcomes):.2f} s each "
          + (f"on the cluster {cluster}" if cluster else f"with {args.workers} worker(s)")
          + "); "
          f"mean score {sum(scores) / len(scores):.2f} of {full:g}")
    ended = [o for o in outcomes if o.reason]
    if ended:
        print(f"{len(ended)} submission(s) ended early:")
        for o in ended:
            print(f"  {o.student}: {o.reason}")
    slowest = max(outcomes, key=lambda o: o.seconds)
    print(f"slowest: {slowest.student} ({slowest.seconds:.1f} s)")
    if fault is not None:
        print(f"\nnndl: {fault}", file=sys.stderr)
        return 3
    return 0


def cmd_feedback(args) -> int:
    root = _root(args)
    notebooks(root, args.assignment, "source")
    print(_nbgrader(root, "generate_feedback", args.assignment, "--force").strip())
    print(f"feedback written to {root / 'feedback'}")
    return 0


def cmd_export(args) -> int:
    root = _root(args)
    # Relative to where the command runs (nbgrader itself runs in the course directory).
    to = Path(args.to).expanduser().resolve()
    if not to.parent.is_dir():
        raise CourseError(f"cannot write {to}: the folder {to.parent} does not exist")
    if to.is_dir():
        raise CourseError(f"cannot write {to}: it is a folder; name a .csv file")
    print(_nbgrader(root, "export", f"--to={to}").strip())
    missing = _mark_ungraded(root, to)
    print(f"grades written to {to}")
    if missing:
        print(f"WARNING: {len(missing)} submission(s) are NOT graded (a fault of the "
              "grader's, or not graded yet); their score is left empty and their status "
              "says so: " + ", ".join(missing), file=sys.stderr)
    return 0


def _mark_ungraded(root: Path, csv_path: Path) -> list[str]:
    """Blank the scores nbgrader exported for submissions without an up-to-date grade.

    nbgrader exports a missing submission as a score of 0; a submission that is there but
    was not graded (a grader fault, or submitted since) is not a 0. A `status` column says
    which rows are ungraded.
    """
    import csv

    from .grader.run import ungraded

    with open(csv_path, newline="") as f:
        reader = csv.DictReader(f)
        rows, fields = list(reader), list(reader.fieldnames or [])
    if not fields:
        return []
    submitted = {p.name for p in (root / "submitted").glob("*/*")
                 if (root / "source" / p.name).is_dir()}
    pending: dict[str, set[str]] = {}
    for assignment in {r["assignment"] for r in rows} | submitted:
        with contextlib.suppress(CourseError):
            pending[assignment] = set(ungraded(root, assignment))
    missing = []
    for row in rows:
        row["status"] = ""
        if row["student_id"] in pending.get(row["assignment"], ()):
            row.update(raw_score="", score="", status="not graded")
    listed = {(r["assignment"], r["student_id"]) for r in rows}
    for assignment, students in sorted(pending.items()):
        for student in sorted(students - {s for a, s in listed if a == assignment}):
            # never recorded at all: nbgrader does not know the student
            rows.append(dict.fromkeys(fields, "") | {
                "assignment": assignment, "student_id": student, "status": "not graded"})
    for row in rows:
        if row["status"]:
            missing.append(f"{row['student_id']} ({row['assignment']})")
    with open(csv_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[*fields, "status"])
        writer.writeheader()
        writer.writerows(rows)
    return missing


def cmd_report(args) -> int:
    from .grader.report import write_report

    root = _root(args)
    notebooks(root, args.assignment, "source")
    path = write_report(root, args.assignment)
    print(f"class report: {path}")
    return 0


def cmd_demo(args) -> int:
    from .course import find_course_root
    from .grader.demo import run_demo

    # The demo copies a course into a new folder: the one named, the one around the working
    # directory, or, only here, the course the package was installed from.
    repo = command_course_root(args.dir) if args.dir else find_course_root()
    print(f"course: {repo} (copied into the demo course)", flush=True)
    run_demo(Path(args.path) if args.path else None, workers=args.workers,
             assignments=args.assignment, repo=repo, cluster=args.cluster)
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nndl")
    except PackageNotFoundError:
        return "unknown"


def _assignment_names() -> str:
    """The assignments named in --help: the course around the working directory's, else the
    installed course's."""
    try:
        root = command_course_root()
    except CourseError:
        root = _REPO_ROOT if is_course_dir(_REPO_ROOT) else None
    names = assignments(root) if root else []
    return ", ".join(names) or "the folders of the course's source/"


def build_parser() -> argparse.ArgumentParser:
    names = _assignment_names()
    one = f"the assignment id, a folder of source/: {names}"
    some = f"assignment ids, folders of source/ (default: all): {names}"
    dir_help = ("the course directory, a folder with nbgrader_config.py and source/ "
                "(default: the one at or above the working directory, or $NNDL_COURSE_DIR)")
    parser = argparse.ArgumentParser(prog="nndl", description=__doc__)
    parser.add_argument("--version", action="version", version=f"nndl {_version()}")
    parser.add_argument("--dir", default=None, help=dir_help)
    # --dir is accepted after the subcommand too; SUPPRESS keeps the one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", default=argparse.SUPPRESS, help=dir_help)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name, **kwargs):
        return sub.add_parser(name, parents=[common], **kwargs)

    p = command("validate", help="run every source and student notebook and check "
                                 "that solutions pass and stubs score zero")
    p.add_argument("assignment", nargs="*", help=some)
    p.set_defaults(func=cmd_validate)

    p = command("release", help="regenerate release/ from source/ with nbgrader")
    p.add_argument("assignment", nargs="*", help=some)
    p.set_defaults(func=cmd_release)

    p = command("grade", help="grade every submission of an assignment in sandboxes, "
                              "in parallel, into nbgrader's gradebook",
                description="Grade submitted/<student_id>/<assignment>/ of every student "
                            "(or the named ones) into gradebook.db and autograded/.")
    p.add_argument("assignment", help=one)
    p.add_argument("--workers", type=_positive_int, default=os.cpu_count() or 1,
                   help="submissions graded at once, at least 1 (default: the number of "
                        "cores)")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument("--force", action="store_true", help="grade again what is already graded")
    p.add_argument("--db", help="nbgrader gradebook URL (default: sqlite in the course)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds one call of a student's function may take (default: 60)")
    p.add_argument("--submission-timeout", type=float, default=600.0,
                   help="seconds all of one submission's calls may take together; the tests "
                        "after that fail with a named reason (default: 600)")
    p.add_argument("--cold", action="store_true",
                   help="start a new sandboxed Python for every submission instead of forking "
                        "it from a warm one (slower; for comparison or troubleshooting)")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="grade on a Dask cluster: its scheduler (tcp://HOST:8786, tls://...) "
                        "or 'local' for worker processes on this machine (default: "
                        "$NNDL_CLUSTER, else c.NndlGrade.cluster in nbgrader_config.py, "
                        "else a local process pool); see docs/cluster.md")
    p.set_defaults(func=cmd_grade)

    p = command("feedback", help="HTML feedback per student (nbgrader generate_feedback)")
    p.add_argument("assignment", help=one)
    p.set_defaults(func=cmd_feedback)

    p = command("export", help="grades as CSV (nbgrader export)")
    p.add_argument("--to", default="grades.csv",
                   help="the CSV file, relative to the working directory (default: grades.csv)")
    p.set_defaults(func=cmd_export)

    p = command("report", help="class report of a graded assignment (HTML, PNG plots)")
    p.add_argument("assignment", help=one)
    p.set_defaults(func=cmd_report)

    p = command("demo", help="the whole loop on a class of 30 in a fresh course: "
                             "release, grade, feedback, reports, grades")
    p.add_argument("path", nargs="?", help="the demo course folder (default: a new temporary "
                                           "folder)")
    p.add_argument("--workers", type=_positive_int, default=os.cpu_count() or 1,
                   help="submissions graded at once, at least 1 (default: the number of "
                        "cores)")
    p.add_argument("--assignment", action="append",
                   help=f"only this assignment (repeatable; default: every one with "
                        f"known-bad submissions): {names}")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="grade on a Dask cluster: 'local' (--workers worker processes on "
                        "this machine) or a scheduler address, tcp://HOST:8786")
    p.set_defaults(func=cmd_demo)

    p = command("tidy", help="strip outputs and execution counts from notebooks")
    p.add_argument("paths", nargs="*", help="notebooks (default: all in the course)")
    p.set_defaults(func=cmd_tidy)

    from .bundle import add_command as add_student_bundle

    add_student_bundle(command, some)
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
