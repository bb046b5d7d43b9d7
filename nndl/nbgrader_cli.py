"""Running nbgrader's own command line on a course directory, with this interpreter.

The one place that starts ``python -m nbgrader``: the release, the demo, the tests and
the benchmarks all go through it, so that every nbgrader run sees the same environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .course import CourseError, notebooks


def nbgrader_process(root: Path, *args: str, **popen) -> subprocess.Popen:
    """Start `nbgrader ARGS` in the course directory with this interpreter.

    The interpreter's bin/ goes first on PATH: nbgrader runs `alembic` from there when it
    creates a gradebook, which fails when a virtual environment is used without activation.
    """
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, NNDL_COURSE_DIR=str(root),
               PATH=os.pathsep.join([bin_dir, os.environ.get("PATH", "")]))
    # Kernels run beside other kernels and graders: with a second BLAS thread competing for
    # the same cores, training ran several times slower (../shared/MEASUREMENTS.md).
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                            text=True, **popen)


def run_nbgrader(root: Path, *args: str) -> str:
    """Run `nbgrader ARGS` to completion; raise CourseError with its output when it fails."""
    proc = nbgrader_process(root, *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.communicate()[0]
    if proc.returncode != 0:
        raise CourseError(f"nbgrader {' '.join(args)} failed:\n{output}")
    return output


def generate_release(root: Path, assignment: str) -> None:
    """Regenerate release/<assignment>/ from source/ with nbgrader generate_assignment.

    The generated modules of source/<assignment>/ (see nndl.reference) are rewritten from
    the assignments they name first, so that nbgrader copies them fresh into release/; so
    are the "Expected output" cells of source/ (nndl.expected), from the reference.
    """
    from .expected import regenerate
    from .reference import regenerate_modules

    notebooks(root, assignment, "source")  # a clear error for an unknown assignment
    regenerate_modules(root, assignment)
    regenerate(root, assignment)
    run_nbgrader(root, "generate_assignment", assignment, "--force", "--log-level=WARN")
