"""nndl.vectorization: a loop over the m examples is counted, not timed."""

import numpy as np
import pytest

from nndl import checks, vectorization
from nndl.checks import CheckFailed


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)
    return {"dw": dw, "db": db}, np.squeeze(cost)


def propagate_loop(w, b, X, Y):
    """Every example on its own, scalars only."""
    n, m = X.shape
    dw, db, cost = np.zeros((n, 1)), 0.0, 0.0
    for i in range(m):
        z = b
        for j in range(n):
            z += w[j, 0] * X[j, i]
        a = sigmoid(z)
        cost += -(Y[0, i] * np.log(a) + (1 - Y[0, i]) * np.log(1 - a))
        for j in range(n):
            dw[j, 0] += X[j, i] * (a - Y[0, i])
        db += a - Y[0, i]
    return {"dw": dw / m, "db": db / m}, cost / m


def propagate_dot_per_example(w, b, X, Y):
    """np.dot, but once per example (the vectorization only half done)."""
    m = X.shape[1]
    dw, db, cost = np.zeros_like(w), 0.0, 0.0
    for i in range(m):
        x = X[:, i:i + 1]
        a = sigmoid(np.dot(w.T, x) + b)
        cost += float(-(Y[0, i] * np.log(a) + (1 - Y[0, i]) * np.log(1 - a)).item())
        dw += np.dot(x, (a - Y[0, i]).T)
        db += float((a - Y[0, i]).item())
    return {"dw": dw / m, "db": db / m}, cost / m


def propagate_comprehension(w, b, X, Y):
    """The loop hidden in a one-line comprehension over the columns."""
    m = X.shape[1]
    A = np.array([[sigmoid(float(np.dot(w[:, 0], X[:, i])) + b) for i in range(m)]])
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    return {"dw": 1 / m * np.dot(X, (A - Y).T), "db": 1 / m * np.sum(A - Y)}, cost


def _sigmoid_of_one(x, w, b):
    return sigmoid(float(np.dot(w[:, 0], x)) + b)


def propagate_map_helper(w, b, X, Y):
    """The per-example work in a helper of the same module, called from C by map."""
    m = X.shape[1]
    A = np.array([list(map(_sigmoid_of_one, X.T, [w] * m, [b] * m))])
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    return {"dw": 1 / m * np.dot(X, (A - Y).T), "db": 1 / m * np.sum(A - Y)}, cost


def make_args(m, n=4):
    rng = np.random.default_rng(m)
    return (rng.normal(0, 0.3, (n, 1)), 0.1, rng.normal(size=(n, m)),
            (rng.random((1, m)) > 0.5).astype(float))


LOOPS = [propagate_loop, propagate_dot_per_example, propagate_comprehension,
         propagate_map_helper]


@pytest.mark.parametrize("version", [propagate, *LOOPS], ids=lambda f: f.__name__)
def test_every_version_gives_the_same_values(version):
    """The loops are right: only the count can tell them from the vectorized version."""
    args = make_args(7)
    grads, cost = version(*args)
    want_grads, want_cost = propagate(*args)
    assert np.allclose(grads["dw"], want_grads["dw"]) and np.isclose(grads["db"], want_grads["db"])
    assert np.isclose(float(np.squeeze(cost)), float(want_cost))


def test_vectorized_code_runs_the_same_lines_whatever_m():
    small, large = vectorization.counts(propagate, make_args, m=20)
    assert small == large > 0
    assert vectorization.check_vectorized(propagate, make_args, fail=True)


@pytest.mark.parametrize("version", LOOPS, ids=lambda f: f.__name__)
def test_a_loop_over_examples_grows_with_m(version):
    small, large = vectorization.counts(version, make_args, m=20)
    assert large - small >= 9 * 20, (small, large)
    assert vectorization.loops_over_examples(small, large, 20)


@pytest.mark.parametrize("version", LOOPS, ids=lambda f: f.__name__)
def test_a_loop_fails_with_its_mistake_code(version):
    with pytest.raises(CheckFailed) as info:
        vectorization.check_vectorized(version, make_args, name="propagate", fail=True)
    assert info.value.code == "loops_over_examples" in checks.MISTAKES
    assert info.value.function == "propagate"
    text = str(info.value)
    assert text.startswith("propagate works, but loops over the m examples in Python: "
                           "vectorize with np.dot")
    assert "m = 20" in text and "m = 200" in text


def test_without_fail_it_is_a_note_that_the_grader_collects(capsys):
    assert vectorization.check_vectorized(propagate_loop, make_args, name="propagate") is False
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 and printed[0].startswith("Note: propagate works, but loops")
    assert vectorization.check_vectorized(propagate, make_args, name="propagate") is True
    assert capsys.readouterr().out == ""


def test_a_loop_over_features_is_not_a_loop_over_examples():
    """Only m changes between the two calls: a loop over the n_x rows is not blamed."""
    def per_feature(w, b, X, Y):
        out = np.zeros_like(X)
        for j in range(X.shape[0]):
            out[j] = X[j] * w[j, 0]
        return out.sum(axis=0) + b

    small, large = vectorization.counts(per_feature, make_args, m=20)
    assert small == large


def test_the_count_is_deterministic_and_leaves_the_trace_function_alone():
    import sys

    before = sys.gettrace()
    first = [vectorization.line_events(propagate_loop, *make_args(30)) for _ in range(3)]
    assert len(set(first)) == 1 and sys.gettrace() is before


def test_a_function_that_raises_gives_no_verdict():
    def broken(w, b, X, Y):
        raise ValueError("shapes")

    assert vectorization.counts(broken, make_args, m=5) is None
    assert vectorization.check_vectorized(broken, make_args, fail=True)


def test_not_a_python_function():
    with pytest.raises(TypeError):
        vectorization.line_events(np.dot, np.ones(2), np.ones(2))


# ------------------------------------------------------------- through the sandboxed grader
BACKWARD_LOOP = '''def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dW1, db1 = 0, 0
    dW2, db2 = 0, 0
    for i in range(m):
        x, a1, dz2 = X[:, i:i + 1], A1[:, i:i + 1], A2[:, i:i + 1] - Y[:, i:i + 1]
        dz1 = np.dot(W2.T, dz2) * (1 - np.power(a1, 2))
        dW2, db2 = dW2 + np.dot(dz2, a1.T), db2 + dz2
        dW1, db1 = dW1 + np.dot(dz1, x.T), db1 + dz1
    grads = {"dW1": dW1 / m, "db1": db1 / m, "dW2": dW2 / m, "db2": db2 / m}
    return grads
'''


@pytest.mark.slow
def test_the_grader_counts_in_the_sandbox_and_carries_a_note():
    """Week 3: a backward pass looping over the examples keeps its points, with a Note that
    nndl grade records; the reference's passing cell has no such note."""
    from harness import ROOT, build_submission, load_cases

    from nndl.grader.program import load_program, student_answers
    from nndl.grader.verdict import SubmissionRunner, reference_namespace

    assignment = "week3_planar_classification"
    (source,) = sorted((ROOT / "source" / assignment).glob("*.ipynb"))
    program = load_program(source, assignment)
    workdir = ROOT / "release" / assignment
    reference = reference_namespace(program, ROOT, workdir)
    (perfect,) = [c for c in load_cases(assignment) if c.name == "perfect"]
    solution = student_answers(build_submission(ROOT, perfect))
    verdicts = {}
    for name, answers in {"loop": {**solution, "backward_propagation": BACKWARD_LOOP},
                          "solution": solution}.items():
        cells = SubmissionRunner(program, reference, answers, workdir).run().cells
        verdicts[name] = {c.grade_id: c for c in cells}
    looped = verdicts["loop"]["test_backward_propagation"]
    assert looped.passed and looped.points == looped.max_points, looped.message
    assert "backward_propagation works, but loops over the m examples in Python" in looped.note
    assert all(c.passed for c in verdicts["solution"].values())
    assert all(c.passed for c in verdicts["loop"].values())
    assert "loops over" not in (verdicts["solution"]["test_backward_propagation"].note or "")
