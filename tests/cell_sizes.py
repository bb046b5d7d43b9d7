"""How long are the test cells? Lines and hidden-test lines of each, at a git revision or now.

    python tests/cell_sizes.py                      # the working tree
    python tests/cell_sizes.py --rev f46d988        # a commit, read with git show
    python tests/cell_sizes.py --top 5 week4_deep_nn_step_by_step

Hidden lines are those between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``. The
figures of issue 11's closing note come from this script.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import nbformat

from nndl import cells

ROOT = Path(__file__).resolve().parents[1]


def sizes(source: str) -> tuple[int, int]:
    """(lines, hidden lines) of a test cell's source."""
    lines = source.splitlines()
    hidden, inside = 0, False
    for line in lines:
        mark = line.strip()
        if mark == "### BEGIN HIDDEN TESTS":
            inside = True
        elif mark == "### END HIDDEN TESTS":
            inside = False
        elif inside:
            hidden += 1
    return len(lines), hidden


def notebook_text(path: Path, rev: str | None) -> str:
    if rev is None:
        return path.read_text(encoding="utf-8")
    relative = path.relative_to(ROOT).as_posix()
    return subprocess.run(["git", "show", f"{rev}:{relative}"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("assignments", nargs="*", help="default: every assignment in source/")
    parser.add_argument("--rev", help="a git revision (default: the working tree)")
    parser.add_argument("--top", type=int, default=3, help="largest cells listed per notebook")
    args = parser.parse_args(argv)
    folders = [ROOT / "source" / a for a in args.assignments] or \
        sorted(p for p in (ROOT / "source").iterdir() if p.is_dir())
    for folder in folders:
        for path in sorted(folder.glob("*.ipynb")):
            notebook = nbformat.reads(notebook_text(path, args.rev), as_version=4)
            tests = [(cells.grade_id(c), *sizes(c.source)) for c in notebook.cells
                     if cells.is_test(c)]
            total = sum(t[1] for t in tests)
            hidden = sum(t[2] for t in tests)
            print(f"{folder.name}: {len(tests)} test cells, {total} lines ({hidden} hidden)")
            for grade_id, lines, hid in sorted(tests, key=lambda t: -t[1])[:args.top]:
                print(f"  {grade_id:32s} {lines:4d} lines ({hid} hidden)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
