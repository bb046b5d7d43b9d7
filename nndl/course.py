"""The nbgrader course directory: where it is and what it holds.

The repository root is the course directory (``nbgrader_config.py``, ``source/``,
``release/``). Code that runs inside a notebook finds it without depending on the working
directory: ``$NNDL_COURSE_DIR`` first, then the nearest parent of the working directory
that holds ``source/`` (nbgrader runs notebooks in ``autograded/<student>/<assignment>/``),
then the repository an editable install points at.
"""

from __future__ import annotations

import os
from pathlib import Path

COURSE_DIR_ENV = "NNDL_COURSE_DIR"
_REPO_ROOT = Path(__file__).resolve().parent.parent


class CourseError(Exception):
    """The course directory or one of its assignments is missing or malformed."""


def is_course_dir(path: Path) -> bool:
    return (path / "source").is_dir() and (path / "nbgrader_config.py").is_file()


def find_course_root(start: str | os.PathLike | None = None) -> Path:
    """Return the course directory; raise CourseError when there is none."""
    if os.environ.get(COURSE_DIR_ENV):
        root = Path(os.environ[COURSE_DIR_ENV]).expanduser().resolve()
        if not is_course_dir(root):
            raise CourseError(f"{COURSE_DIR_ENV}={root} is not a course directory "
                              "(it needs nbgrader_config.py and source/)")
        return root
    here = Path(start or os.getcwd()).resolve()
    for candidate in (here, *here.parents):
        if is_course_dir(candidate):
            return candidate
    if is_course_dir(_REPO_ROOT):
        return _REPO_ROOT
    raise CourseError(f"no course directory above {here}; run from inside the course or set "
                      f"{COURSE_DIR_ENV}")


def missing_parts(path: Path) -> list[str]:
    """What a folder lacks to be a course directory (empty: it is one)."""
    return [name for name, present in (("nbgrader_config.py", (path / "nbgrader_config.py")
                                        .is_file()), ("source/", (path / "source").is_dir()))
            if not present]


def command_course_root(directory: str | os.PathLike | None = None) -> Path:
    """The course an `nndl` command works on: never the installed package's by accident.

    An explicit folder must be a course directory itself; otherwise $NNDL_COURSE_DIR, then
    the working directory or one of its parents. Unlike find_course_root (used by code in
    notebooks), there is no fallback to the repository the package was installed from.
    """
    if directory is not None:
        return _checked(Path(directory), str(Path(directory).expanduser().resolve()))
    if os.environ.get(COURSE_DIR_ENV):
        root = Path(os.environ[COURSE_DIR_ENV])
        return _checked(root, f"{COURSE_DIR_ENV}={root.expanduser().resolve()}")
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if is_course_dir(candidate):
            return candidate
    raise CourseError(f"no course directory at or above {here} (a folder with "
                      "nbgrader_config.py and source/): run nndl from inside the course, or "
                      f"name it with --dir or ${COURSE_DIR_ENV}")


def _checked(path: Path, label: str) -> Path:
    root = path.expanduser().resolve()
    if not root.is_dir():
        raise CourseError(f"{label} is not a course directory: there is no such folder")
    missing = missing_parts(root)
    if missing:
        raise CourseError(f"{label} is not a course directory: it has no "
                          + " and no ".join(missing))
    return root


def assignments(root: Path, tree: str = "source") -> list[str]:
    """Assignment ids: the folders of source/ (or release/) that hold notebooks."""
    base = root / tree
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def notebooks(root: Path, assignment: str, tree: str = "source") -> list[Path]:
    folder = root / tree / assignment
    if not folder.is_dir():
        known = ", ".join(assignments(root, tree)) or "none"
        raise CourseError(f"no assignment {assignment!r} in {root / tree} (known: {known})")
    found = sorted(folder.glob("*.ipynb"))
    if not found:
        raise CourseError(f"{folder} holds no notebook")
    return found
