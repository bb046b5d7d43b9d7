"""nbgrader preprocessors the course adds to feedback generation: hidden tests' tracebacks
scrubbed, maths rendered without a network, long messages wrapped."""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor

from . import cells


class ScrubTestTracebacks(NbGraderPreprocessor):
    """Reduce the error of a failed test cell to its message.

    A traceback through a test cell quotes the lines around the failure, hidden tests
    included, and ClearHiddenTests only clears the cell's source. The message written by
    nndl.checks says what to fix; the student's own frames stay in their answer cells.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cells.is_test(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


# Feedback is read offline: nbgrader's feedback template loads MathJax from a CDN (its
# `mathjax()` macro ignores HTMLExporter.mathjax_url), so the maths of markdown cells is
# turned into MathML here, which browsers render themselves, without any script.
_CODE_OR_MATH = re.compile(
    r"(?P<fence>^(?P<ticks>```|~~~).*?^(?P=ticks)[^\n]*$)"  # fenced code: left alone
    r"|(?P<code>(?P<bt>`+).+?(?P=bt))"                       # inline code: left alone
    r"|(?<!\\)\$\$(?P<display>.+?)(?<!\\)\$\$"
    r"|\\\[(?P<display2>.+?)\\\]"
    r"|\\\((?P<inline2>.+?)\\\)"
    r"|(?<![\\$])\$(?![\s$])(?P<inline>(?:[^$\n]|\n(?!\s*\n))*?[^\s\\$])\$(?!\d)",
    re.DOTALL | re.MULTILINE)
# Characters markdown would read as emphasis, links or escapes inside the MathML's text.
_MARKDOWN_ACTIVE = str.maketrans({"_": "&#95;", "*": "&#42;", "[": "&#91;", "]": "&#93;",
                                  "\\": "&#92;", "`": "&#96;", "$": "&#36;"})


def latex_to_mathml(latex: str, display: bool = False) -> str | None:
    """MathML for a LaTeX formula on one line, or None when it cannot be converted."""
    from latex2mathml.converter import convert

    try:
        mathml = convert(latex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - an unsupported command keeps its LaTeX
        return None
    mathml = re.sub(r">([^<]+)<", lambda m: ">" + m.group(1).translate(_MARKDOWN_ACTIVE) + "<",
                    mathml.replace("\n", " "))
    return mathml


def render_maths(markdown: str) -> str:
    """Replace $…$, $$…$$, \\(…\\) and \\[…\\] by MathML; code stays as written."""

    def replace(match: re.Match) -> str:
        if match.group("fence") or match.group("code"):
            return match.group(0)
        display = match.group("display") or match.group("display2")
        latex = display if display is not None else (match.group("inline")
                                                      or match.group("inline2"))
        mathml = latex_to_mathml(latex, display=display is not None)
        return match.group(0) if mathml is None else mathml

    return _CODE_OR_MATH.sub(replace, markdown)


class RenderMaths(NbGraderPreprocessor):
    """Render the LaTeX of markdown cells as MathML, for feedback read offline."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown" and ("$" in cell.source or "\\(" in cell.source
                                             or "\\[" in cell.source):
            cell.source = render_maths(cell.source)
        return cell, resources


# Error and text outputs are <pre>: a long failure message would run off the page.
FEEDBACK_CSS = """
div.output_area pre, div.output_subarea pre, div.output_text pre {
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}
div.output_subarea { max-width: 100%; min-width: 0; }
math[display="block"] { display: block; margin: 0.6em 0; overflow-x: auto; }
"""


class FeedbackStyle(NbGraderPreprocessor):
    """Add the course's CSS to the page (after nbconvert's CSSHTMLHeaderPreprocessor)."""

    def preprocess(self, nb, resources):
        inlining = resources.setdefault("inlining", {})
        inlining["css"] = [*inlining.get("css", []), FEEDBACK_CSS]
        return nb, resources
