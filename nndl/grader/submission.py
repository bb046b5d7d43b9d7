"""Reading what students submitted: ``submitted/<student>/<assignment>/``.

Everything in ``submitted/`` is the students' (nbgrader's exchange and ``zip_collect`` copy
it there as sent), so nothing in it is trusted: folder names become student ids only when
they are safe in a path, a CSV row and a command line; files are read without following
symbolic links, with a size limit, and exactly once, so that what is graded is what the
digest in the done marker describes.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import stat
from pathlib import Path

import nbformat

from nndl.course import CourseError

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_TIMESTAMP_BYTES = 200
# Letters, digits and . _ @ + - (user names, e-mail addresses, numbers), at most 100, not
# starting with a dot: no commas, quotes, spaces, slashes or line breaks, which would break
# the CSV export, nbgrader's paths or the feedback step.
STUDENT_ID = re.compile(r"[A-Za-z0-9_@+-][A-Za-z0-9._@+-]{0,99}")


def student_id_problem(student: str) -> str | None:
    """Why a submission folder's name cannot be a student id, or None when it can."""
    if STUDENT_ID.fullmatch(student):
        return None
    shown = student.encode("unicode_escape").decode("ascii")[:60]
    return (f"the folder name {shown!r} is not a valid student id (letters, digits and "
            ". _ @ + - only, at most 100, not starting with a dot)")


def submissions(root: Path, assignment: str, students: list[str] | None = None,
                refused: dict[str, str] | None = None) -> list[str]:
    """Student ids with a submission of the assignment; invalid ids go to refused."""
    base = root / "submitted"
    found = []
    for folder in sorted(base.glob(f"*/{assignment}")):
        student = folder.parent.name
        problem = student_id_problem(student)
        if problem:
            if refused is not None:
                refused[student] = problem
            continue
        if folder.is_dir() or folder.is_symlink():  # a linked folder is refused when read
            found.append(student)
    if students:
        missing = sorted(set(students) - set(found))
        if missing:
            raise CourseError(f"no submission of {assignment} for: {', '.join(missing)}")
        found = [s for s in found if s in students]
    return found


def _read_regular(path: Path, limit: int) -> bytes:
    """At most limit + 1 bytes of a regular file, never through a symbolic link."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise IsADirectoryError(f"{path.name} is not a regular file")
        return file.read(limit + 1)


def read_submission(folder: Path, name: str):
    """(notebook or None, reason or None, sha256 of the bytes read).

    The notebook is read once, without following symbolic links: a link could point at
    the instructor's files or at the machine's, and its target would be graded, or leak
    into the feedback. Grading uses exactly the bytes whose digest the marker records.
    """
    path = folder / name
    for part in (folder.parent, folder, path):
        if part.is_symlink():
            return None, (f"{part.name} is a symbolic link; submissions are read only as "
                          "regular files and folders"), "refused"
    if not path.is_file():
        present = sorted(p.name for p in folder.glob("*.ipynb"))[:20] or ["no notebook"]
        return None, f"missing notebook: expected {name}, found {', '.join(present)}"[:500], \
            "missing"
    try:
        data = _read_regular(path, MAX_NOTEBOOK_BYTES)
    except OSError as exc:
        return None, f"{name} cannot be read ({exc.strerror or exc})"[:500], "unreadable"
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_NOTEBOOK_BYTES:
        size = path.stat().st_size
        limit = MAX_NOTEBOOK_BYTES >> 20
        return None, f"{name} is {size / 2**20:.0f} MB, over the {limit} MB limit", digest
    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4), None, digest
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not raised
        return None, f"{name} is not a readable notebook ({type(exc).__name__}: {exc})"[:500], \
            digest


def digest(folder: Path, name: str) -> str:
    return read_submission(folder, name)[2]


def read_timestamp(folder: Path) -> datetime.datetime | None:
    """The submission time in ``timestamp.txt`` (nbgrader's), as stock autograde reads it.

    None when there is none or it is empty; CourseError when it is not a time (stock
    autograde stops on it too).
    """
    from nbgrader.utils import parse_utc

    path = folder / "timestamp.txt"
    if folder.is_symlink() or folder.parent.is_symlink():
        return None  # a refused submission: nothing is read through the link
    if not path.exists() and not path.is_symlink():
        return None
    try:
        text = _read_regular(path, MAX_TIMESTAMP_BYTES)[:MAX_TIMESTAMP_BYTES]
        text = text.decode("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseError(f"{path} cannot be read as a timestamp ({exc})") from None
    if not text:
        return None
    try:
        return parse_utc(text)
    except (ValueError, OverflowError):
        raise CourseError(f"invalid timestamp in {path}: {text[:60]!r}") from None


def exchange_files(folder: Path) -> dict[str, bytes]:
    """nbgrader's small bookkeeping files of a submission (``timestamp.txt``,
    ``submission_secret.txt``: ``release_feedback`` needs both beside the feedback), read
    as regular files of at most 1 KB; anything else is left behind."""
    found = {}
    if folder.is_symlink() or folder.parent.is_symlink():
        return found
    for name in ("timestamp.txt", "submission_secret.txt"):
        try:
            data = _read_regular(folder / name, 1024)
        except OSError:
            continue
        if len(data) <= 1024:
            found[name] = data
    return found
