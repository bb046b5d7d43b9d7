"""``nndl student-bundle``: what students get, without a solution or a hidden test.

The repository is the instructor's: ``source/`` holds every solution and hidden test and
``tests/submissions`` holds complete answers. A student bundle holds only

- ``<assignment>/``: the release notebooks of the chosen assignments and the files beside
  them (images, generated modules), exactly as ``release/`` has them;
- ``nndl/``: the helper package the notebooks import, with the course's dataset inside it
  (``nndl/_datasets``, where a wheel keeps it) and without ``nndl/_cases``;
- ``pyproject.toml``, so that ``pip install ./BUNDLE`` installs the helper package and
  JupyterLab, and ``README.md`` saying how to start.

Every visible check runs from it: a release notebook's checks compare with numbers
written in the cell and never read ``source/`` (``nndl.reference`` is used by hidden tests
only, which the release does not hold).

Generated modules. Week 4's application releases ``dnn_utils.py``, generated from the
step-by-step assignment's reference solutions. An assignment that releases such a module
is left out of a bundle that also holds the assignment its module comes from (with a
message saying so): release it in a later bundle, after that assignment's deadline
(``nndl student-bundle week4_deep_nn_application``), or pass ``--allow-generated`` to
put both in one bundle anyway.
"""

from __future__ import annotations

import shutil
import tomllib
import zipfile
from pathlib import Path

from .course import CourseError, assignments, notebooks
from .reference import generated_from

# Never in a bundle: known-bad submissions hold complete answers; caches are noise.
_PACKAGE_SKIP = {"_cases", "_datasets", "__pycache__"}
_DATASET_FILES = ("README.md", "manifest.json")


def generated_modules(root: Path, assignment: str) -> dict[str, str]:
    """{file name: the assignment it is generated from} for release/<assignment>/."""
    folder = root / "release" / assignment
    return {p.name: src for p in sorted(folder.glob("*.py"))
            if (src := generated_from(p)) is not None}


def plan(root: Path, chosen: list[str] | None, *, exclude: list[str] | None = None,
         allow_generated: bool = False) -> tuple[list[str], list[str]]:
    """(assignments to bundle, why each left-out one is left out)."""
    released = assignments(root, "release")
    chosen = list(chosen) if chosen else released
    for name in chosen + list(exclude or []):
        if name not in released:
            raise CourseError(f"no assignment {name!r} in {root / 'release'}; released: "
                              f"{', '.join(released)} (run nndl release first?)")
    keep = [a for a in chosen if a not in set(exclude or [])]
    notes = []
    if not allow_generated:
        for assignment in list(keep):
            for module, origin in generated_modules(root, assignment).items():
                if origin in keep and assignment in keep:
                    keep.remove(assignment)
                    notes.append(
                        f"{assignment} left out: its {module} holds the solutions of {origin}, "
                        f"which this bundle hands out. After {origin}'s deadline, bundle it "
                        f"on its own (nndl student-bundle {assignment}), or pass "
                        "--allow-generated to hand both out at once.")
    if not keep:
        raise CourseError("nothing to bundle: " + (" ".join(notes) or "no assignment chosen"))
    return keep, notes


def _copy_package(dest: Path) -> None:
    package = Path(__file__).resolve().parent
    shutil.copytree(package, dest / "nndl",
                    ignore=lambda folder, names: [n for n in names if n in _PACKAGE_SKIP
                                                  or n.endswith(".pyc")])


def _copy_datasets(root: Path, dest: Path) -> None:
    """The course's datasets into nndl/_datasets, where nndl.data looks in a wheel."""
    from .data import default_data_dirs

    source = next((d for d in (root / "datasets", *default_data_dirs()[1:])
                   if d.is_dir() and any(d.glob("*/train_*.h5"))), None)
    if source is None:
        raise CourseError(f"no dataset found in {root / 'datasets'}")
    target = dest / "nndl" / "_datasets"
    target.mkdir(parents=True)
    for item in sorted(source.iterdir()):
        if item.is_dir() and any(item.glob("train_*.h5")):
            shutil.copytree(item, target / item.name)
        elif item.name in _DATASET_FILES:
            shutil.copy2(item, target / item.name)


def _pyproject(root: Path) -> str:
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = "".join(f'    "{d}",\n' for d in meta.get("dependencies", []))
    return (
        '[build-system]\nrequires = ["hatchling>=1.24"]\nbuild-backend = "hatchling.build"\n\n'
        f'[project]\nname = "nndl"\nversion = "{meta.get("version", "0")}"\n'
        'description = "The helper package of the course\'s notebooks (student bundle)"\n'
        f'requires-python = "{meta.get("requires-python", ">=3.11")}"\n'
        f"dependencies = [\n{deps}]\n\n"
        '[tool.hatch.build.targets.wheel]\npackages = ["nndl"]\n')


def _readme(chosen: list[str], titles: dict[str, str]) -> str:
    rows = "\n".join(f"| `{a}/` | {titles.get(a, '')} |" for a in chosen)
    return f"""# Neural Networks and Deep Learning: the student notebooks

This folder holds the notebooks of your assignments and the helper package they import
(`nndl/`, with the course's dataset inside it). It holds no solutions.

## Once: install

With Python 3.11 or newer, in this folder:

```bash
python3 -m venv .venv && . .venv/bin/activate && pip install .
```

## Each time: work

```bash
. .venv/bin/activate && jupyter lab
```

Open the week's notebook, fill in each function between `# YOUR CODE HERE` and the end of
its cell, run the check cell below it and read its message: it names the likely mistake.
The notebooks run top to bottom offline once every function is filled in. Hand in the
notebook as your instructor says (nbgrader's Assignment List, or the file itself).

| folder | assignment |
|---|---|
{rows}

The graded version of each check cell also holds tests you do not see: write each
function for any input of the documented shapes, not only for the visible examples.
"""


def _title(notebook: Path) -> str:
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def build(root: Path, dest: Path, chosen: list[str] | None = None, *,
          exclude: list[str] | None = None, allow_generated: bool = False,
          as_zip: bool = False) -> tuple[Path, list[str], list[str]]:
    """Write the bundle to dest (a new folder, or dest.zip); (path, assignments, notes)."""
    keep, notes = plan(root, chosen, exclude=exclude, allow_generated=allow_generated)
    folder = dest.with_suffix("") if as_zip else dest
    if folder.exists() and any(folder.iterdir()):
        raise CourseError(f"{folder} exists and is not empty: name a new folder")
    if as_zip and folder.with_suffix(".zip").exists():
        raise CourseError(f"{folder.with_suffix('.zip')} exists: name a new one")
    folder.mkdir(parents=True, exist_ok=True)
    titles = {}
    for assignment in keep:
        shutil.copytree(root / "release" / assignment, folder / assignment,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        titles[assignment] = _title(notebooks(root, assignment, "release")[0])
    _copy_package(folder)
    _copy_datasets(root, folder)
    (folder / "pyproject.toml").write_text(_pyproject(root), encoding="utf-8")
    (folder / "README.md").write_text(_readme(keep, titles), encoding="utf-8")
    if not as_zip:
        return folder, keep, notes
    archive = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            zf.write(path, Path(folder.name) / path.relative_to(folder))
    shutil.rmtree(folder)
    return archive, keep, notes


# ----------------------------------------------------------------------- the command
def cmd_student_bundle(args) -> int:
    from .cli import _root

    root = _root(args)
    path, keep, notes = build(root, Path(args.to).resolve(), args.assignment or None,
                              exclude=args.exclude, allow_generated=args.allow_generated,
                              as_zip=args.zip)
    for text in notes:
        print(text)
    shown = [f"{a}/{m} (solutions of {o})" for a in keep
             for m, o in generated_modules(root, a).items() if o in keep]
    print(f"student bundle: {path} ({len(keep)} assignment(s): {', '.join(keep)}); "
          "no source/, no hidden tests, " + (
              f"solutions only in {', '.join(shown)}, as --allow-generated asked" if shown
              else "no solutions"))
    return 0


def add_command(command, some: str) -> None:
    """Register ``nndl student-bundle`` (command: cli.build_parser's subparser factory)."""
    p = command("student-bundle",
                help="write what students get: release notebooks, data and the helper "
                     "package, without solutions or hidden tests",
                description="Write a folder (or --zip) holding the release notebooks of "
                            "the chosen assignments, the course's data, the helper package "
                            "and a student README; no source/, no known-bad submissions. An "
                            "assignment whose released module is generated from another "
                            "one's solutions (week 4's dnn_utils.py) is left out while that "
                            "one is in the bundle.")
    p.add_argument("assignment", nargs="*", help=some)
    p.add_argument("--to", default="student-bundle",
                   help="the new folder (with --zip, the archive without .zip), relative to "
                        "the working directory (default: student-bundle)")
    p.add_argument("--zip", action="store_true", help="write one .zip archive instead")
    p.add_argument("--exclude", action="append", default=[],
                   help="leave this assignment out (repeatable)")
    p.add_argument("--allow-generated", action="store_true",
                   help="bundle an assignment whose generated module holds the solutions of "
                        "another one in the same bundle (week 4's application with the step "
                        "by step)")
    p.set_defaults(func=cmd_student_bundle)
