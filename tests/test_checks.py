"""nndl.checks: the messages students read when a graded function is wrong."""

import numpy as np
import pytest

from nndl import checks
from nndl.checks import CheckFailed, Function


def _message(fn, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return str(info.value)


def f(x):
    return x


def test_correct_values_pass_silently():
    """Does a right answer of the right type pass, including a 0-d cost and a numpy float?"""
    check = Function(f)
    check.expect("dw", np.array([[1.0], [2.0]]), np.array([[1.0], [2.0 + 1e-9]]))
    check.expect("cost", np.squeeze(np.array([[0.5]])), 0.5)
    check.expect("db", np.float64(0.25), np.float64(0.25))
    check.expect("flag", True, True)
    check.expect("n", 3, 3)


def test_wrong_shape_names_both_shapes_and_the_transpose():
    """Is a transposed result reported with both shapes and the word transposed?"""
    msg = _message(Function(f).expect, "dw", np.zeros((1, 2)), np.zeros((2, 1)))
    assert "f: dw has shape (1, 2); expected (2, 1)" in msg and "transposed" in msg


def test_broadcast_shape_suggests_np_dot():
    """Does a result blown up by broadcasting point at `*` vs np.dot and the hint?"""
    msg = _message(Function(f).expect, "dw", np.zeros((2, 3)), np.zeros((2, 1)),
                   shape_hint="dw = (1/m) X (A - Y)^T")
    assert "np.dot" in msg and "Hint: dw = (1/m) X (A - Y)^T" in msg


def test_missing_one_over_m_is_named():
    """Is a gradient m times too large diagnosed as the missing 1/m?"""
    expected = np.array([[0.5], [-1.0]])
    msg = _message(Function(f).expect, "dw", expected * 7, expected, m=7)
    assert "7 times too large" in msg and "1/m" in msg
    msg = _message(Function(f).expect, "cost", 0.25 * 7, 0.25, m=7)
    assert "7 times too large" in msg


def test_wrong_sign_is_named():
    """Is a negated cost reported as a sign error?"""
    assert "wrong sign" in _message(Function(f).expect, "cost", -0.7, 0.7)


def test_declared_mistake_is_named():
    """Does a wrong value that equals a declared mistake's value get that mistake's name?"""
    expected = np.array([0.1, 0.2, 0.3])
    msg = _message(Function(f).expect, "dZ1", expected * 2, expected,
                   mistakes={"using np.tanh(Z1) instead of A1": expected * 2})
    assert "np.tanh(Z1) instead of A1" in msg


def test_int_where_float_expected():
    """Is b = 0 (an int) rejected with a message that says to write 0.0?"""
    msg = _message(Function(f).expect, "b", 0, 0.0)
    assert "integer 0" in msg and "0.0" in msg


def test_array_where_float_expected():
    """Is a (1, 1) array rejected where a single number is expected?"""
    msg = _message(Function(f).expect, "cost", np.array([[0.3]]), 0.3)
    assert "shape (1, 1)" in msg and "np.squeeze" in msg


def test_integer_and_boolean_arrays_where_floats_expected():
    """Are predictions of the wrong dtype reported before their values?"""
    assert "integers" in _message(Function(f).expect, "Y", np.array([[1, 0]]),
                                  np.array([[1.0, 0.0]]))
    assert "booleans" in _message(Function(f).expect, "Y", np.array([[True, False]]),
                                  np.array([[1.0, 0.0]]))


def test_list_where_array_expected():
    assert "np.array" in _message(Function(f).expect, "v", [1.0, 2.0], np.array([1.0, 2.0]))


def test_nan_is_reported():
    msg = _message(Function(f).expect, "A", np.array([np.nan, 1.0]), np.array([0.5, 1.0]))
    assert "NaN" in msg


def test_first_wrong_entry_is_shown():
    msg = _message(Function(f).expect, "s", np.array([1.0, 2.0, 3.5]), np.array([1.0, 2.0, 3.0]))
    assert "1 of 3 entries" in msg and "index (2,)" in msg and "3.5" in msg


class _Liar(np.ndarray):
    def __eq__(self, other):  # a forged comparison: always "equal"
        return np.ones(self.shape, dtype=bool)


def test_forged_eq_does_not_pass():
    """Does an array subclass whose == always says True still fail on its values?"""
    forged = np.zeros((2, 1)).view(_Liar)
    assert "wrong values" in _message(Function(f).expect, "w", forged, np.ones((2, 1)))


def test_rebinding_numpy_does_not_change_the_verdict(monkeypatch):
    """Does a student who rebinds np.allclose / np.isclose still fail?"""
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "isclose", lambda a, b, **k: np.ones(np.shape(a), dtype=bool))
    _message(Function(f).expect, "w", np.zeros(3), np.ones(3))


def test_call_detects_in_place_mutation():
    """Is a function that changes its caller's array caught, naming the argument?"""

    def update(w, learning_rate):
        w -= learning_rate
        return w

    msg = _message(Function(update).call, np.ones((2, 1)), 0.1)
    assert "changed its argument 'w' in place" in msg and "copy" in msg


def test_call_detects_in_place_mutation_inside_a_dict():
    def update(parameters):
        parameters["W1"] *= 2
        return parameters

    assert "'parameters'" in _message(Function(update).call, {"W1": np.ones(2)})


def test_call_reports_signature_mismatch():
    def propagate(w, b, X):
        return w

    assert "signature" in _message(Function(propagate).call, 1, 2, 3, 4)


def test_call_wraps_student_exceptions_without_test_frames():
    """Does an exception in student code show the student's frames, not the test's?"""

    def broken(x):
        return x.nonexistent

    with pytest.raises(checks.StudentCodeError) as info:
        Function(broken).call(np.zeros(2))
    assert "broken raised AttributeError" in str(info.value)
    rendered = "\n".join(info.value._render_traceback_())
    assert "x.nonexistent" in rendered  # the student's line
    assert "Function(broken).call" not in rendered  # not the test's line
    assert "nndl/checks.py" not in rendered


def test_stub_is_reported_as_not_implemented():
    def stub(x):
        raise NotImplementedError()

    assert "not implemented yet" in _message(Function(stub).call, 1)


def test_call_silences_numpy_warnings(capfd):
    """Does an overflow warning in correct code stay off stderr (nbgrader would fail it)?"""
    Function(lambda z: 1 / (1 + np.exp(-z))).call(np.array([-1000.0]))
    assert capfd.readouterr().err == ""


def test_globals_are_named_in_failures():
    """Does a failing function that reads a global data array get told so?"""
    namespace = {"np": np, "train_set_x": np.zeros((3, 4))}
    exec("def predict(w, b, X):\n    return np.zeros((1, train_set_x.shape[1]))", namespace)
    msg = _message(Function(namespace["predict"]).expect, "Y_prediction",
                   namespace["predict"](0, 0, 0), np.zeros((1, 2)))
    assert "global variable(s) train_set_x" in msg


def test_expect_keys_and_tuple():
    check = Function(f)
    assert "missing key(s) ['db']" in _message(check.expect_keys, "grads", {"dw": 1},
                                               ["dw", "db"])
    assert "must return 2 values" in _message(check.expect_tuple, (1, 2, 3), 2, "grads, cost")
    assert "None" in _message(check.expect_tuple, None, 2, "grads, cost")


def test_non_callable_is_rejected():
    with pytest.raises(CheckFailed, match="not a function"):
        Function(np.zeros(2), "sigmoid")


def test_passed_prints_to_stdout(capsys):
    checks.passed("sigmoid")
    out = capsys.readouterr()
    assert "sigmoid: all checks passed" in out.out and out.err == ""


def test_hard_coded_number_of_examples_is_named():
    """Is a gradient averaged over a fixed 209 examples (m = 7 here) told to use X.shape[1]?"""
    expected = np.array([[0.5], [-1.0]])
    msg = _message(Function(f).expect, "dw", expected * 7 / 209, expected, m=7)
    assert "averaged over 209 examples instead of m = 7" in msg and "X.shape[1]" in msg


def test_attribute_names_are_not_mistaken_for_globals():
    """Does `X.shape` not count as reading a global called `shape`?"""
    namespace = {"np": np, "shape": (3, 4)}
    exec("def size(X):\n    return X.shape[0]", namespace)
    assert checks.global_data_names(namespace["size"]) == []


def test_student_errors_mention_globals():
    namespace = {"np": np, "train_set_x": np.zeros((3, 4))}
    exec("def model(X):\n    return np.dot(X, train_set_x)", namespace)
    assert "global variable(s) train_set_x" in _message(Function(namespace["model"]).call,
                                                        np.zeros((2, 2)))
