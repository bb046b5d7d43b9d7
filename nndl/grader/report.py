"""`nndl report`: a class report of one graded assignment, as HTML with PNG plots.

It reads what `nndl grade` recorded beside each autograded notebook and shows the score
distribution, the pass rate of each test, the most frequent named mistakes (counted by
the mistake codes the checks and the grader give, nndl.checks.MISTAKES, never by the
wording of the messages), and the slowest and the failed submissions.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from pathlib import Path

from nndl.checks import MISTAKES
from nndl.course import CourseError

from .run import recorded_outcomes
from .verdict import CellVerdict

# Mistakes that are the same whatever the function: an empty notebook is one mistake, not
# one per function.
_WHOLE_SUBMISSION = {"not_implemented", "timeout", "exited", "unreadable"}
_KIND = re.compile(r"^(?:[A-Z]\w*(?:Error|Failed|Exception)): ")


def verdicts(outcome: dict) -> list[CellVerdict]:
    """The cells of a recorded outcome as verdicts. A cell recorded without a code (an
    unreadable notebook, or a marker written before codes) whose message is the
    submission's reason is coded "unreadable"; any other keeps no code."""
    found = []
    for record in outcome["cells"]:
        cell = CellVerdict.from_record(record)
        if cell.message and cell.code is None and cell.message == outcome.get("reason"):
            cell.code = "unreadable"
        found.append(cell)
    return found


def named_mistake(cell: CellVerdict) -> str:
    """A short name for a failed test's mistake, from its code, e.g. "L_model_backward:
    missing 1/m" or "L_model_backward raised KeyError"; the report shows one message of
    each whole beside it. Without a code (a test's own failure, an old record), the name is
    the message's first clause."""
    code, function, detail = cell.code, cell.function, cell.detail
    if code == "known_mistake" and detail:
        name = f"wrong values: they match what {detail} gives"
    elif code in ("raised", "error") and detail:
        return f"{function} raised {detail}" if function else f"the test raised {detail}"
    elif code in MISTAKES and code not in ("failed", "error"):
        name = MISTAKES[code]
    else:  # no precise code: the message says what it is
        text = _KIND.sub("", (cell.message or "").strip(), count=1)
        if function and text.startswith(f"{function}: "):
            text = text[len(function) + 2:]
        name = _first_clause(text)
    if function is None or code in _WHOLE_SUBMISSION:
        return name
    return f"{function}: {name}"


def _first_clause(text: str) -> str:
    """The text up to the first colon, semicolon, full stop or bracketed remark outside
    brackets (the numbers that differ between submissions are mostly in those)."""
    depth = 0
    for i, char in enumerate(text):
        if char == "(" and depth == 0 and text[i - 1:i] == " ":
            return text[:i - 1]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and char in ":;." and text[i + 1:i + 2] in (" ", "\n", ""):
            return text[:i]
    return text


def mistakes_table(outcomes: list[dict]) -> list[tuple[str, int, int, str]]:
    """(mistake, submissions that made it, failed tests, one example message), most
    frequent first."""
    students: dict[str, set] = {}
    tests: Counter = Counter()
    example: dict[str, str] = {}
    for outcome in outcomes:
        for cell in verdicts(outcome):
            if cell.message:
                name = named_mistake(cell)
                students.setdefault(name, set()).add(outcome["student"])
                tests[name] += 1
                example.setdefault(name, cell.message)
    return sorted(((name, len(who), tests[name], example[name])
                   for name, who in students.items()),
                  key=lambda row: (-row[1], -row[2], row[0]))


def load_outcomes(root: Path, assignment: str) -> list[dict]:
    outcomes = recorded_outcomes(root, assignment)
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

    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(6, 3.5))
    # One bar per whole score, centred on it (several scores per bar past 25 points).
    top = math.ceil(max_score)
    width = max(1, math.ceil((top + 1) / 25))
    edges = [k - 0.5 for k in range(0, top + width + 1, width)]
    ax.hist(scores, bins=edges, color="#4477aa", edgecolor="white")
    ax.set_xticks(range(0, top + 1, width))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title=f"{assignment}: scores of {len(outcomes)} submissions", xlabel="score",
           ylabel="submissions", xlim=(edges[0], edges[-1]))
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

    mistakes = mistakes_table(outcomes)
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
<p>Each mistake, the number of submissions that made it, the failed tests it caused and
one of its messages as the student saw it.</p>
<table><tr><th>mistake</th><th>submissions</th><th>failed tests</th><th>example message</th>
</tr>
{rows(mistakes) or "<tr><td colspan=4>none</td></tr>"}</table>
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
