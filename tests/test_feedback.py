"""Feedback HTML read offline: maths rendered without MathJax, long messages wrapped."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from nndl.feedback import FEEDBACK_CSS, render_maths

ROOT = Path(__file__).resolve().parent.parent


def feedback_html(nb) -> str:
    """The notebook through nbgrader's feedback template and the course's preprocessors,
    as nbgrader generate_feedback configures them (less GetGrades, which needs a gradebook)."""
    import nbgrader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from traitlets.config import Config

    from nndl.feedback import FeedbackStyle, RenderMaths, ScrubTestTracebacks

    templates = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
    c = Config()
    c.HTMLExporter.template_name = "feedback"
    c.HTMLExporter.extra_template_basedirs = [str(templates)]
    c.HTMLExporter.extra_template_paths = [
        str(templates.parent / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    exporter = HTMLExporter(config=c)
    for preprocessor in (CSSHTMLHeaderPreprocessor, ScrubTestTracebacks, RenderMaths,
                         FeedbackStyle):
        exporter.register_preprocessor(preprocessor(config=c), enabled=True)
    for cell in nb.cells:  # what GetGrades records from the gradebook
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta.update(score=0, points=meta.get("points", 1))
    resources = {"nbgrader": {"notebook": "n", "score": 0, "max_score": 1, "late_penalty": 0}}
    return exporter.from_notebook_node(nb, resources=resources)[0]


def text_outside_tags(page: str) -> str:
    body = page.split("<body", 1)[1]
    body = re.sub(r"<script.*?</script>", "", body, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", "", body)


def test_maths_becomes_mathml_and_code_stays():
    text = render_maths(r"cost $J = \frac{1}{m}\sum_i L_i$ and `x = $a$`; \$5 stays")
    assert "<math" in text and "<mfrac>" in text and r"\frac" not in text
    assert "`x = $a$`" in text and r"\$5 stays" in text
    block = render_maths("$$\ndw = \\frac{1}{m} X (A - Y)^T\n$$")
    assert block.startswith("<math") and 'display="block"' in block and "$" not in block


@pytest.mark.parametrize("path", sorted(ROOT.glob("source/*/*.ipynb")),
                         ids=lambda p: p.parent.name)
def test_course_notebook_maths_renders_without_a_network(path):
    """Every formula of the course's notebooks is MathML in the feedback, none raw LaTeX."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown"]  # code keeps its dollars
    had_maths = any("$" in c.source for c in nb.cells if c.cell_type == "markdown")
    text = text_outside_tags(feedback_html(nb))
    leftover = re.findall(r"\$[^$\n]{0,40}", text)
    assert not leftover, leftover[:5]
    assert not re.search(r"\\(frac|sigma|partial|sum|hat)\b", text)
    if had_maths:
        assert "<math" in feedback_html(nb)


def test_long_error_messages_wrap():
    message = "dW1 has wrong values in 12 of 12 entries; " * 40
    cell = new_code_cell("check()", metadata={"nbgrader": {"grade": True, "grade_id": "t",
                                                           "points": 1, "solution": False}})
    cell.outputs = [new_output("error", ename="AssertionError", evalue=message,
                               traceback=["long traceback"])]
    page = feedback_html(new_notebook(cells=[new_markdown_cell("# t"), cell]))
    assert "output_error" in page and message.strip()[:60] in page
    assert FEEDBACK_CSS.strip() in page
    assert re.search(r"pre\s*\{[^}]*white-space:\s*pre-wrap", FEEDBACK_CSS)
