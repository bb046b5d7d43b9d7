"""The class report: named mistakes with a whole example, counted per submission; a score
histogram with a bar per whole score."""

from __future__ import annotations

import html
import re

import pytest

from nndl.grader import report

NOT_IMPLEMENTED = ("StudentCodeError: {} is not implemented yet (it raises "
                   "NotImplementedError): replace the stub with your code")
TOO_LARGE = ("CheckFailed: linear_backward: dW1 is 12 times too large: the average over the "
             "m = 12 examples needs the factor 1/m")
WRONG_ENTRIES = ("CheckFailed: L_model_backward: dW2 has wrong values in 7 of 12 entries "
                 "(the largest difference is 3.5e-01 at [1, 2]); compare your dZ with the "
                 "formula dZ = dA * g'(Z) and check which cache each layer reads")


def outcome(student, score, messages, max_score=10.0):
    """messages: per test cell, None (passed), a message, or (message, code, function)."""
    cells = []
    for i, m in enumerate(messages):
        message, code, function = m if isinstance(m, tuple) else (m, None, None)
        cells.append({"grade_id": f"test_{i}", "points": 0.0 if m else 1.0, "max_points": 1.0,
                      "message": message, "note": None, "code": code, "function": function,
                      "detail": None})
    return {"student": student, "score": score, "max_score": max_score, "seconds": 0.5,
            "reason": None, "cells": cells}


def coded(message, code, function):
    return message, code, function


CLASS = [
    outcome("empty", 0.0, [coded(NOT_IMPLEMENTED.format(f), "not_implemented", f)
                           for f in ("f", "g", "h", "k")]),
    outcome("ann", 7.0, [coded(TOO_LARGE, "missing_1_over_m", "linear_backward"),
                         coded(WRONG_ENTRIES, "failed", "L_model_backward"), None, None]),
    outcome("bob", 8.5, [coded(TOO_LARGE.replace("12", "9"), "missing_1_over_m",
                               "linear_backward"), None, None, None]),
    outcome("cat", 10.0, [None] * 4),
    outcome("dan", 10.0, [None] * 4),
]


def test_a_mistake_is_named_without_mangling_and_counted_per_submission():
    rows = {name: (subs, tests, example)
            for name, subs, tests, example in report.mistakes_table(CLASS)}
    # an empty notebook: one mistake of one submission, not one per function
    assert rows["not implemented"][:2] == (1, 4)
    # the same mistake with other numbers is one row; its example is a whole message
    assert rows["linear_backward: missing 1/m"] == (2, 2, TOO_LARGE)
    # a test's own failure without a precise code is named by its first clause
    name = "L_model_backward: dW2 has wrong values in 7 of 12 entries"
    assert rows[name] == (1, 1, WRONG_ENTRIES)
    assert not any("N of N" in n or n.endswith("…") for n in rows)


def test_the_code_decides_the_mistake_not_the_wording():
    """Rewording a message moves nothing; the same words under another code do."""
    reworded = [outcome("x", 0.0, [coded("CheckFailed: linear_backward: dW1 is off by a "
                                         "factor of m", "missing_1_over_m", "linear_backward")]),
                outcome("y", 0.0, [coded(TOO_LARGE, "wrong_sign", "linear_backward")])]
    names = [name for name, *_ in report.mistakes_table(reworded)]
    assert sorted(names) == ["linear_backward: missing 1/m", "linear_backward: wrong sign"]


def test_an_unreadable_notebook_and_an_old_record_are_still_named():
    unreadable = outcome("u", 0.0, ["missing notebook: expected a.ipynb, found b.ipynb"] * 2)
    unreadable["reason"] = "missing notebook: expected a.ipynb, found b.ipynb"
    old = outcome("o", 0.0, [TOO_LARGE])
    for cell in old["cells"]:  # written before codes were recorded
        for key in ("code", "function", "detail", "note"):
            del cell[key]
    rows = {name: (subs, tests) for name, subs, tests, _ in
            report.mistakes_table([unreadable, old])}
    assert rows == {"unreadable or missing notebook": (1, 2),
                    "linear_backward": (1, 1)}


def test_every_code_has_a_readable_name():
    from nndl.checks import MISTAKES

    assert all(isinstance(name, str) and name for name in MISTAKES.values())


def test_report_page_shows_name_counts_and_full_example(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "load_outcomes", lambda root, assignment: CLASS)
    page = report.write_report(tmp_path, "demo", out_dir=tmp_path).read_text()
    text = html.unescape(re.sub(r"\s+", " ", page))
    assert "<th>submissions</th><th>failed tests</th><th>example message</th>" in text
    assert "<td>not implemented</td><td>1</td><td>4</td>" in text
    assert f"<td>{WRONG_ENTRIES}</td>" in text


@pytest.mark.parametrize("scores, max_score", [([0.0, 7.0, 8.5, 10.0, 10.0], 10.0),
                                                ([3.0, 20.0, 20.0, 19.0], 20.0),
                                                ([12.0, 40.0, 55.0], 60.0)])
def test_histogram_bars_line_up_with_whole_scores(tmp_path, monkeypatch, scores, max_score):
    import matplotlib.figure

    saved = {}
    original = matplotlib.figure.Figure.savefig

    def keep(fig, path, *args, **kwargs):
        saved[str(path).rsplit("/", 1)[-1]] = fig
        return original(fig, path, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", keep)
    monkeypatch.setattr(report, "load_outcomes", lambda root, assignment: [
        outcome(f"s{i}", s, [None], max_score) for i, s in enumerate(scores)])
    report.write_report(tmp_path, "demo", out_dir=tmp_path)
    ax = saved["scores.png"].axes[0]
    ticks = list(ax.get_xticks())
    assert ticks == [int(t) for t in ticks] and ticks[0] == 0 and ticks[-1] == max_score
    step = ticks[1] - ticks[0]
    for bar in ax.patches:  # every bar is centred on a tick, as wide as the tick step
        left, width = bar.get_x(), bar.get_width()
        assert width == step and left + 0.5 in ticks
    for bar in ax.patches:  # each bar counts the scores within it
        left = bar.get_x()
        assert bar.get_height() == sum(left <= s < left + bar.get_width() for s in scores)
    assert sum(bar.get_height() for bar in ax.patches) == len(scores)
    y_ticks = ax.get_yticks()
    assert all(float(t).is_integer() for t in y_ticks)
