"""`nndl report`: a class report of one graded assignment, as HTML with PNG plots.

It reads what `nndl grade` recorded beside each autograded notebook and shows the score
distribution, the pass rate of each test, the most frequent named mistakes, and the
slowest and the failed submissions.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path

from nndl.course import CourseError

from .run import MARKER

# How a failure message names a mistake, most specific first.
_PATTERNS = [
    (re.compile(r"they match what (.+?) gives"), None),
    (re.compile(r"times too large"), "missing 1/m"),
    (re.compile(r"times too small"), "averaged twice (mean where a sum belongs?)"),
    (re.compile(r"number of examples hard-coded"), "hard-coded number of examples"),
    (re.compile(r"wrong sign"), "wrong sign"),
    (re.compile(r"changed its argument"), "changes its argument in place"),
    (re.compile(r"transposed"), "transposed result"),
    (re.compile(r"`\*` broadcasts|need np\.dot|operands could not be broadcast"),
     "`*` where np.dot is needed"),
    (re.compile(r"is the integer|holds integers"), "int where a float is expected"),
    (re.compile(r"expected a single number"), "array where a number is expected"),
    (re.compile(r"global variable"), "uses global variables"),
    (re.compile(r"not implemented yet"), "not implemented"),
    (re.compile(r"did not finish within"), "endless loop or too slow"),
    (re.compile(r"ended the Python process|segmentation fault|killed"), "crashed its process"),
    (re.compile(r"not a readable notebook|missing notebook|over the .* limit"),
     "unreadable or missing notebook"),
]


def named_mistake(message: str) -> str:
    for pattern, name in _PATTERNS:
        found = pattern.search(message)
        if found:
            return name or found.group(1)
    text = message.split(": ", 1)[-1]
    return re.sub(r"\d+(\.\d+)?", "N", text)[:80]


def load_outcomes(root: Path, assignment: str) -> list[dict]:
    outcomes = []
    for marker in sorted((root / "autograded").glob(f"*/{assignment}/{MARKER}")):
        try:
            outcomes.append(json.loads(marker.read_text()))
        except (OSError, json.JSONDecodeError):
            continue
    if not outcomes:
        raise CourseError(f"nothing graded for {assignment}: run nndl grade {assignment}")
    return outcomes


def write_report(root: Path, assignment: str, out_dir: Path | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outcomes = load_outcomes(root, assignment)
    out_dir = out_dir or root / "reports" / assignment
    out_dir.mkdir(parents=True, exist_ok=True)
    max_score = max(o["max_score"] for o in outcomes) or 1.0
    scores = [o["score"] for o in outcomes]

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(scores, bins=min(20, int(max_score) + 1), range=(0, max_score),
            color="#4477aa", edgecolor="white")
    ax.set(title=f"{assignment}: scores of {len(outcomes)} submissions", xlabel="score",
           ylabel="submissions")
    fig.tight_layout()
    fig.savefig(out_dir / "scores.png", dpi=100)
    plt.close(fig)

    tests = [c["grade_id"] for c in outcomes[0]["cells"]]
    passed = Counter(c["grade_id"] for o in outcomes for c in o["cells"] if not c["message"])
    rates = [100 * passed[t] / len(outcomes) for t in tests]
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(tests) + 1.2))
    ax.barh(tests[::-1], rates[::-1], color="#228833")
    ax.set(title="pass rate per test", xlabel="% of submissions", xlim=(0, 100))
    fig.tight_layout()
    fig.savefig(out_dir / "pass_rates.png", dpi=100)
    plt.close(fig)

    mistakes = Counter(named_mistake(c["message"]) for o in outcomes for c in o["cells"]
                       if c["message"])
    slowest = sorted(outcomes, key=lambda o: -o["seconds"])[:5]
    ended = [o for o in outcomes if o.get("reason")]

    def rows(items):
        return "\n".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in item)
                         + "</tr>" for item in items)

    mean = sum(scores) / len(scores)
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(assignment)}: class report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2em .6em}}</style>
</head><body>
<h1>{html.escape(assignment)}: class report</h1>
<p>{len(outcomes)} submissions, mean score {mean:.2f} of {max_score:g},
{sum(s == max_score for s in scores)} with full marks, {len(ended)} ended early.</p>
<h2>Score distribution</h2><img src="scores.png" alt="score histogram">
<h2>Pass rate per test</h2><img src="pass_rates.png" alt="pass rate per test">
<table><tr><th>test</th><th>passed</th><th>%</th></tr>
{rows((t, passed[t], f"{r:.0f}") for t, r in zip(tests, rates, strict=True))}</table>
<h2>Most frequent mistakes</h2>
<table><tr><th>mistake</th><th>failed tests</th></tr>
{rows(mistakes.most_common(40))}</table>
<h2>Slowest submissions</h2>
<table><tr><th>student</th><th>seconds</th><th>score</th></tr>
{rows((o["student"], f"{o['seconds']:.1f}", o["score"]) for o in slowest)}</table>
<h2>Submissions that ended early</h2>
<table><tr><th>student</th><th>reason</th></tr>
{rows((o["student"], o["reason"]) for o in ended) or "<tr><td colspan=2>none</td></tr>"}
</table></body></html>
"""
    path = out_dir / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
