"""The diagrams: drawn by nndl/diagrams.py, committed beside the notebooks, shown with alt text."""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nndl import diagrams

ROOT = Path(__file__).resolve().parent.parent
# ![alt](target "optional title") in markdown, and <img ... src="..."> in HTML
MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*["']([^"']*)["']""")


def images_in(markdown: str) -> list[tuple[str, str]]:
    """The (alt text, target) of every image a markdown text shows."""
    found = [(m.group(1), m.group(2)) for m in MARKDOWN_IMAGE.finditer(markdown)]
    for tag in HTML_IMAGE.findall(markdown):
        attributes = dict((k.lower(), v) for k, v in ATTRIBUTE.findall(tag))
        found.append((attributes.get("alt", ""), attributes.get("src", "")))
    return found


def notebook_images() -> list[tuple[Path, str, str]]:
    """(notebook, alt text, target) for every image of every source/ and release/ notebook."""
    found = []
    for tree in ("source", "release"):
        for path in sorted((ROOT / tree).rglob("*.ipynb")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                if cell.cell_type == "markdown":
                    found += [(path, alt, target) for alt, target in images_in(cell.source)]
    return found


IMAGES = notebook_images()


def test_images_in_finds_markdown_and_html_images():
    """Does the scan see both ways of showing an image, with their alt texts?"""
    text = ('Text ![a neuron](images/n.svg) and <img src="images/m.png" alt="">\n'
            '![](images/o.svg "title")')
    assert images_in(text) == [("a neuron", "images/n.svg"), ("", "images/o.svg"),
                               ("", "images/m.png")]


def test_every_diagram_is_shown_by_its_notebook():
    """Is every drawn diagram referenced from its assignment's source and release notebooks?"""
    for tree in ("source", "release"):
        shown = {(path.parent.name, target) for path, _, target in IMAGES
                 if path.is_relative_to(ROOT / tree)}
        missing = [f"{tree}/{assignment}: images/{name}" for assignment, name in diagrams.DIAGRAMS
                   if (assignment, f"images/{name}") not in shown]
        assert not missing, f"diagrams no notebook shows: {missing}"


@pytest.mark.parametrize("notebook, alt, target", IMAGES,
                         ids=[f"{p.relative_to(ROOT)}:{t}" for p, _, t in IMAGES])
def test_image_exists_in_source_and_release_with_alt_text(notebook, alt, target):
    """Does a referenced image have alt text, and the same file in source/ and release/?"""
    assert alt.strip() and alt.strip() != Path(target).stem, (
        f"{target} in {notebook.name} needs an alt text that says what it shows")
    assert not re.match(r"^[a-z]+:", target), f"{target}: images ship with the course, offline"
    tree = ROOT / notebook.relative_to(ROOT).parts[0]
    assignment = notebook.relative_to(tree).parts[0]
    relative = Path(os.path.normpath(notebook.parent / target)).relative_to(tree)
    assert relative.parts[0] == assignment, f"{target} lies outside {assignment}/"
    source, release = ROOT / "source" / relative, ROOT / "release" / relative
    assert source.is_file(), f"{target} is missing from source/{assignment}/"
    assert release.is_file(), f"{target} is missing from release/{assignment}/: run nndl release"
    assert source.read_bytes() == release.read_bytes(), (
        f"release/{relative} differs from source/: run nndl release {assignment}")


def test_check_finds_a_stale_diagram(tmp_path, monkeypatch):
    """Does the check report a diagram whose file is not what the code draws, and a missing one?"""
    monkeypatch.setattr(diagrams, "DIAGRAMS", dict(list(diagrams.DIAGRAMS.items())[:2]))
    written = diagrams.write_all(tmp_path)
    assert diagrams.check(tmp_path) == []
    written[0].write_text(written[0].read_text().replace("</svg>", "<!-- edited -->\n</svg>"))
    written[1].unlink()
    problems = diagrams.check(tmp_path)
    assert len(problems) == 2
    assert "differs" in problems[0] and "missing" in problems[1]


def test_committed_diagrams_are_what_the_code_draws(tmp_path):
    """Does `python -m nndl.diagrams --check` reproduce every committed diagram byte for byte?"""
    import matplotlib

    if matplotlib.__version__ != diagrams.DRAWN_WITH:
        written = diagrams.write_all(tmp_path)  # the code still draws every diagram
        assert len(written) == len(diagrams.DIAGRAMS)
        pytest.skip(f"the diagrams were drawn with matplotlib {diagrams.DRAWN_WITH}, this is "
                    f"{matplotlib.__version__}: its SVG bytes may differ; redraw them with "
                    "python -m nndl.diagrams and update DRAWN_WITH")
    run = subprocess.run([sys.executable, "-m", "nndl.diagrams", "--check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(diagrams.DIAGRAMS)} diagrams up to date" in run.stdout
