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
    """Are integer or boolean arrays of the wrong dtype reported before their values?"""
    assert "integers" in _message(Function(f).expect, "Y", np.array([[1, 0]]),
                                  np.array([[1.5, 0.0]]))  # an int array truncates 1.5
    assert "integers" in _message(Function(f).expect, "w", np.zeros((3, 1), dtype=int),
                                  np.zeros((3, 1)))  # not a row of predictions
    assert "booleans" in _message(Function(f).expect, "A", np.array([[True, False]]),
                                  np.array([[0.7, 0.0]]))


@pytest.mark.parametrize("got", [np.array([[1, 0, 1]]), np.array([[True, False, True]]),
                                 np.array([[1, 0, 1]], dtype=np.uint8)])
def test_zero_one_predictions_of_another_dtype_pass_with_a_note(got, capsys):
    """Do int or bool 0/1 predictions pass where the course returns floats, with a note?"""
    Function(f, "predict").expect("predict(w, b, X)", got, np.array([[1.0, 0.0, 1.0]]))
    out = capsys.readouterr().out
    kind = "booleans" if got.dtype == bool else "integers (0 and 1)"
    assert out == (f"Note: predict returns {kind}; the course's version returns floats "
                   "(0. and 1.). Both are accepted.\n")


@pytest.mark.parametrize("got", [np.round(np.array([[0.9, 0.2, 0.51]])), np.array([[1, 0, 1]])])
def test_float_or_int_predictions_pass_where_booleans_are_expected(got, capsys):
    check = Function(f, "predict")
    check.expect("predict(parameters, X)", got, np.array([[True, False, True]]))
    check.expect("predict with all parameters 0", got * 0, np.array([[False, False, False]]))
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("Note: predict returns ")  # once per Function
    assert "the course's version returns booleans" in out[0]


def test_zero_one_predictions_of_another_dtype_still_need_the_right_values(capsys):
    """Do wrong 0/1 values, values other than 0/1, or a wrong shape still fail?"""
    expected = np.array([[True, False, True, False]])
    msg = _message(Function(f).expect, "p", np.array([[1.0, 1.0, 1.0, 0.0]]), expected)
    assert "wrong values in 1 of 4 entries" in msg and "index (0, 1)" in msg
    msg = _message(Function(f).expect, "p", np.array([[0.9, 0.2, 0.8, 0.1]]), expected)
    assert "expected booleans" in msg  # probabilities, not predictions
    msg = _message(Function(f).expect, "p", np.array([1.0, 0.0, 1.0, 0.0]), expected)
    assert "shape (4,); expected (1, 4)" in msg
    msg = _message(Function(f).expect, "p", np.array([[1, 0, 1]]), np.array([[0.0, 0.0, 0.0]]),
                   mistakes={"the threshold A >= 0.5": np.array([[1.0, 0.0, 1.0]])})
    assert "the threshold A >= 0.5" in msg
    assert capsys.readouterr().out == ""  # no note for a failure


def test_a_cost_as_a_0d_array_or_a_float_passes_with_a_note(capsys):
    """Is a 0-d array accepted for a float cost (and a float for a 0-d one), with a note?"""
    check = Function(f, "compute_cost")
    check.expect("the cost", np.array(0.5), 0.5)
    check.expect("cost", 0.25, np.array(0.25))
    check.expect("costs", [np.array(0.5), np.array(0.25)], [0.5, 0.25])
    checks.expect("J", np.array(0.5), 0.5)
    check.expect("cost", np.float64(0.25), 0.25)  # a numpy float is a float: no note
    assert capsys.readouterr().out.splitlines() == [
        "Note: compute_cost: the cost is a 0-d numpy array where the course's version gives "
        "a float. Both are accepted.",
        "Note: compute_cost: cost is a float where the course's version gives a 0-d numpy "
        "array. Both are accepted.",
        "Note: compute_cost: costs[i] is a 0-d numpy array where the course's version gives "
        "a float. Both are accepted.",
        "Note: J is a 0-d numpy array where the course's version gives a float. Both are "
        "accepted.",
    ]


def test_note_is_the_one_place_that_prints_notes(capsys):
    checks.note("x is fine.")
    assert capsys.readouterr().out == "Note: x is fine.\n"


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

    msg = _message(Function(propagate).call, 1, 2, 3, 4)
    assert msg.startswith(checks.signature_message("propagate", ""
                                                   ).removesuffix(" ()"))
    assert "propagate cannot be called as the course calls it: keep the def line as given" \
        in msg
    assert "cannot be called as the course calls it" in _message(
        Function(propagate).call, np.zeros(2), 0.0, X=np.zeros(2), Y=1)


def test_student_exception_names_the_call_with_shapes_and_dtypes_not_values():
    """Does an error on a (hidden) input say what the call was given, without the values?"""

    def propagate(w, b, X, Y):
        return np.dot(w.T, X.T) + b + Y

    w, X, Y = np.full((5, 1), 0.123456), np.full((5, 17), 0.987654), np.ones((1, 17), int)
    msg = _message(Function(propagate).call, w, 0.5, X, Y=Y)
    assert msg.startswith("Called as propagate(w: float64 array (5, 1), b: float, "
                          "X: float64 array (5, 17), Y: int64 array (1, 17)), "
                          "propagate raised ValueError: shapes (1,5) and (17,5) not aligned")
    assert "0.123" not in msg and "0.987" not in msg and "0.5" not in msg


def test_call_description_of_containers_shows_structure_only():
    text = checks.describe_call("update_parameters", (
        {"W1": np.zeros((4, 2)), "b1": np.zeros((4, 1), np.float32)}, 1.2, "relu",
        [np.zeros(3), 7], None), {}, None)
    assert text == ("update_parameters(dict {'W1': float64 array (4, 2), "
                    "'b1': float32 array (4, 1)}, float, str, list of 2: (float64 array (3,), "
                    "int), None)")
    assert "relu" not in text and "1.2" not in text


def test_a_proxy_error_is_named_with_the_call_once():
    """Does a grader proxy's error get the call described, by the Function of that name?"""

    def predict(w, b, X):
        raise checks.StudentCodeError("predict raised KeyError: 'A'", ["frame"],
                                      function="predict", raised="KeyError: 'A'", note="")

    with pytest.raises(checks.StudentCodeError) as info:
        Function(predict).call(np.zeros((2, 1)), 0.0, np.zeros((2, 3)))
    assert str(info.value) == ("Called as predict(w: float64 array (2, 1), b: float, "
                               "X: float64 array (2, 3)), predict raised KeyError: 'A'")
    assert info.value.student_frames == ["frame"]

    def model(X):  # another function's error passes through untouched
        return predict(X, 0.0, X)

    assert _message(Function(model).call, np.zeros(2)) == "predict raised KeyError: 'A'"


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


def _failure(fn, *args, **kwargs) -> CheckFailed:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return info.value


def _raises(exc):
    def g(x):
        raise exc
    return g


def _mutates(x):
    x += 1
    return x


COLUMN = np.array([[0.5], [-1.0]])


@pytest.mark.parametrize("code, call", [
    ("transposed", lambda: Function(f).expect("dw", np.zeros((1, 2)), np.zeros((2, 1)))),
    ("transposed", lambda: Function(f).expect("W", np.array([[1.0, 2.0], [3.0, 4.0]]),
                                              np.array([[1.0, 3.0], [2.0, 4.0]]))),
    ("star_instead_of_dot", lambda: Function(f).expect("dw", np.zeros((2, 3)),
                                                       np.zeros((2, 1)))),
    ("wrong_shape", lambda: Function(f).expect("dw", np.zeros((3, 1)), np.zeros((2, 1)))),
    ("missing_1_over_m", lambda: Function(f).expect("dw", COLUMN * 7, COLUMN, m=7)),
    ("averaged_twice", lambda: Function(f).expect("dw", COLUMN / 7, COLUMN, m=7)),
    ("hard_coded_m", lambda: Function(f).expect("dw", COLUMN * 7 / 209, COLUMN, m=7)),
    ("wrong_sign", lambda: Function(f).expect("cost", -0.7, 0.7)),
    ("known_mistake", lambda: Function(f).expect("dZ", COLUMN * 3, COLUMN,
                                                 mistakes={"tripling": COLUMN * 3})),
    ("wrong_dtype", lambda: Function(f).expect("A", np.zeros((2, 1), dtype=int), COLUMN)),
    ("wrong_dtype", lambda: Function(f).expect("cost", 3, 0.5)),
    ("array_for_number", lambda: Function(f).expect("cost", np.zeros(2), 0.5)),
    ("wrong_type", lambda: Function(f).expect("dw", [1.0, 2.0], COLUMN)),
    ("wrong_type", lambda: Function(f).expect_tuple(None, 2, "grads, cost")),
    ("wrong_keys", lambda: Function(f).expect_keys("grads", {"dw": 1}, ["dw", "db"])),
    ("not_finite", lambda: Function(f).expect("A", np.full((2, 1), np.nan), COLUMN)),
    ("wrong_values", lambda: Function(f).expect("A", COLUMN + 1, COLUMN)),
    ("not_implemented", lambda: Function(_raises(NotImplementedError())).call(1)),
    ("raised", lambda: Function(_raises(KeyError("w"))).call(1)),
    ("mutates_argument", lambda: Function(_mutates).call(np.zeros(2))),
    ("signature", lambda: Function(f).call(1, 2)),
    ("not_a_function", lambda: Function(np.zeros(2), "sigmoid")),
    ("failed", lambda: Function(f).fail("something else")),
])
def test_every_failure_carries_its_mistake_code(code, call):
    """Graders count codes, not wordings: each named mistake has its own code."""
    exc = _failure(call)
    assert exc.code == code and code in checks.MISTAKES


def test_code_names_the_function_and_the_detail():
    exc = _failure(Function(f, "propagate").expect, "dZ", COLUMN * 3, COLUMN,
                   mistakes={"a tripled dZ": COLUMN * 3})
    assert (exc.code, exc.function, exc.detail) == ("known_mistake", "propagate", "a tripled dZ")
    exc = _failure(Function(_raises(KeyError("w")), "predict").call, 1)
    assert (exc.code, exc.function, exc.detail) == ("raised", "predict", "KeyError")


def test_a_failure_that_reads_globals_is_coded_so():
    namespace = {"np": np, "train_set_x": np.zeros((3, 4))}
    exec("def model(X):\n    return np.dot(X, train_set_x)", namespace)
    assert _failure(Function(namespace["model"]).call, np.zeros((2, 2))).code == "uses_globals"


def test_codes_survive_pickling():
    import pickle

    exc = pickle.loads(pickle.dumps(CheckFailed("m", code="wrong_sign", function="g")))
    assert (str(exc), exc.code, exc.function) == ("m", "wrong_sign", "g")
