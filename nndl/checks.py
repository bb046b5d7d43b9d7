"""Self-checks for graded functions: type, dtype and shape first, then values.

Visible checks in the notebooks and the hidden tests both use this module, so a student
reads the same kind of message in both: what is wrong, in the course's words, and the
likely mistake when the wrong value matches one.

    check = Function(propagate)
    grads, cost = check.call(w, b, X, Y)            # also catches in-place changes to w, X, ...
    check.expect("dw", grads["dw"], expected_dw, m=X.shape[1],
                 shape_hint="dw = (1/m) X dZ^T has one row per feature")

Every failure raises CheckFailed (an AssertionError), which nbgrader counts as a failed test.
"""

from __future__ import annotations

import copy
import dis
import inspect
import numbers
import re
import traceback
import types
import warnings

import numpy as np

from nndl.names import install_kernel_hint

# Bound once at import, before any student code runs, so that a notebook which rebinds
# np.allclose, np.isclose or np.array_equal does not change what these checks decide.
_ndarray = np.ndarray
_asarray = np.asarray
_isfinite = np.isfinite
_abs = np.abs
_isnan = np.isnan
_errstate = np.errstate
_argmax = np.argmax
_unravel = np.unravel_index
_array_equal = np.array_equal
_floating = np.floating
_integer = np.integer
_bool = np.bool_


# Every failure carries a mistake code beside its message: graders and class reports
# count codes, never the wording, so rewording a message moves nothing. Code -> the name a
# class report shows for it.
MISTAKES = {
    "failed": "failed check",  # a test's own CheckFailed without a more precise code
    "not_a_function": "not a function (name overwritten by a value?)",
    "signature": "def line changed",
    "not_implemented": "not implemented",
    "raised": "raised an exception",
    "uses_globals": "uses global variables",
    "mutates_argument": "changes its argument in place",
    "wrong_type": "wrong type",
    "wrong_keys": "wrong dictionary keys",
    "wrong_dtype": "wrong dtype (e.g. integers where floats are expected)",
    "array_for_number": "array where a number is expected",
    "wrong_shape": "wrong shape",
    "transposed": "transposed result",
    "star_instead_of_dot": "`*` where np.dot is needed",
    "not_finite": "NaN or infinite values",
    "known_mistake": "wrong values that match a known mistake",
    "wrong_sign": "wrong sign",
    "missing_1_over_m": "missing 1/m",
    "averaged_twice": "averaged twice (mean where a sum belongs?)",
    "hard_coded_m": "hard-coded number of examples",
    "loops_over_examples": "loops over the m examples in Python (not vectorized)",
    "missing_tanh_derivative": "tanh derivative (1 - A1**2) missing or wrong",
    "wrong_values": "wrong values",
    # set by the grader (nndl.grader.verdict), not by a check
    "older_name": "defined under an older name",
    "answer_cell_raised": "its answer cell raised an exception",
    "timeout": "endless loop or too slow",
    "exited": "crashed its process",
    "bad_reply": "sent the grader an unreadable or oversized reply",
    "unreadable": "unreadable or missing notebook",
    "error": "the test raised an error",
}


class CheckFailed(AssertionError):
    """A self-check or hidden test failed; the message says what to fix.

    ``code`` names the mistake for machines (a key of MISTAKES), ``function`` the graded
    function the check was about (when there is one) and ``detail`` what qualifies the
    code: the known mistake's description, the exception's type.

    IPython shows only the message (``_render_traceback_``): the frames of the test cell
    would show test code, hidden tests included, and say nothing the message does not.
    """

    def __init__(self, message: str = "", *, code: str = "failed",
                 function: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.code, self.function, self.detail = code, function, detail

    def __reduce__(self):
        return _rebuild, (type(self), self.__dict__, str(self))

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


def _rebuild(cls, state, message):
    exc = cls.__new__(cls)
    AssertionError.__init__(exc, message)
    exc.__dict__.update(state)
    return exc


class StudentCodeError(CheckFailed):
    """The graded function raised an exception; the traceback shows the student's frames only.

    A grader's proxy that reports an exception of the student's function ``function`` sets
    ``raised`` ("ValueError: ...") and ``note``, so that ``Function.call`` can name the call
    with the shapes and dtypes of its arguments, as it does for a local function.
    """

    def __init__(self, message: str, student_frames: list[str], *, function: str | None = None,
                 raised: str | None = None, note: str = "", code: str | None = None,
                 detail: str | None = None):
        if code is None:
            code = "uses_globals" if note else "raised"
        if detail is None and raised:
            detail = raised.partition(":")[0].strip() or None
        super().__init__(message, code=code, function=function, detail=detail)
        self.student_frames = student_frames
        self.raised, self.note = raised, note

    def _render_traceback_(self):
        return [*self.student_frames, f"{type(self).__name__}: {self}"]


def _shape_text(shape) -> str:
    return str(tuple(int(s) for s in shape))


def note(text: str) -> None:
    """Print one note: a difference from the course's version that costs nothing.

    Graders collect the printed lines that start with "Note: " from passing test cells
    into the student's feedback; every such line comes from here.
    """
    print(f"Note: {text}")


def signature_message(name: str, detail: str) -> str:
    """A call that fails at the function's entry: the student changed its def line."""
    return (f"{name} cannot be called as the course calls it: keep the def line as given "
            f"({detail})")


def _describe_argument(value, depth: int = 0) -> str:
    """The type, dtype and shape of an argument, never its values."""
    if isinstance(value, _ndarray):
        return f"{value.dtype} array {_shape_text(value.shape)}"
    if value is None:
        return "None"
    if isinstance(value, bool | int | float | str):
        return type(value).__name__
    if isinstance(value, np.generic):
        return f"numpy {type(value).__name__}"
    if isinstance(value, dict):
        if depth > 0 or len(value) > 8:
            return f"dict of {len(value)} items"
        items = ", ".join(f"{k!r}: {_describe_argument(v, depth + 1)}" if isinstance(k, str)
                          else f"{type(k).__name__} key: {_describe_argument(v, depth + 1)}"
                          for k, v in value.items())
        return f"dict {{{items}}}"
    if isinstance(value, list | tuple):
        kind = type(value).__name__
        if depth > 0 or not value or len(value) > 4:
            return f"{kind} of {len(value)} items"
        items = ", ".join(_describe_argument(v, depth + 1) for v in value)
        return f"{kind} of {len(value)}: ({items})"
    return type(value).__name__


def describe_call(name: str, args: tuple, kwargs: dict, bound=None) -> str:
    """propagate(w: float64 array (5, 1), b: float, ...): what was passed, not its values."""
    if bound is not None:
        parts = [f"{k}: {_describe_argument(v)}" for k, v in bound.arguments.items()]
    else:
        parts = [_describe_argument(v) for v in args] + \
                [f"{k}: {_describe_argument(v)}" for k, v in kwargs.items()]
    text = f"{name}({', '.join(parts)})"
    return text if len(text) <= 800 else text[:797] + "..."


def _describe_type(value) -> str:
    if isinstance(value, _ndarray):
        return f"a numpy array of shape {_shape_text(value.shape)} and dtype {value.dtype}"
    if isinstance(value, bool | _bool):
        return f"the boolean {bool(value)}"
    if isinstance(value, int | _integer):
        return f"the integer {int(value)}"
    if isinstance(value, float | _floating):
        return f"the float {float(value)!r}"
    if value is None:
        return "None (did you forget a return statement?)"
    if type(value).__name__ == "Opaque" and hasattr(value, "type_name"):
        return f"an object of type {value.type_name}"  # sent back by the grader's sandbox
    return f"a {type(value).__name__}"


def _plain_array(value) -> np.ndarray:
    """A base-class view, so a subclass cannot alter arithmetic or comparisons."""
    return value.view(_ndarray) if type(value) is not _ndarray else value


def _close(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    with _errstate(all="ignore"):
        diff = _abs(got.astype(float) - expected.astype(float))
        ok = diff <= atol + rtol * _abs(expected.astype(float))
        both_nan = _isnan(got.astype(float)) & _isnan(expected.astype(float))
    return ok | both_nan


def _all_close(got, expected, rtol, atol) -> bool:
    got, expected = _asarray(got), _asarray(expected)
    if got.shape != expected.shape:
        return False
    return bool(_close(got, expected, rtol, atol).all())


class Function:
    """Checks one graded function: how it is called and what it returns."""

    def __init__(self, func, name: str | None = None):
        if not callable(func):
            raise CheckFailed(f"{name or 'the graded function'} is {_describe_type(func)}, "
                              "not a function; did you overwrite its name with a value?",
                              code="not_a_function", function=name)
        self.func = func
        self.name = name or getattr(func, "__name__", "the function")
        self._notes_given: set[str] = set()

    # ------------------------------------------------------------------ calling
    def call(self, *args, **kwargs):
        """Call the function with warnings silenced and check it left its arguments alone.

        Warnings from NumPy (overflow in exp, ...) are silenced because nbgrader fails a
        test cell that writes to stderr, even when the answer is right.
        """
        try:
            bound = inspect.signature(self.func).bind(*args, **kwargs)
        except TypeError as exc:
            raise CheckFailed(signature_message(self.name, str(exc)), code="signature",
                              function=self.name) from None
        except ValueError:
            bound = None
        before = {name: copy.deepcopy(v) for name, v in bound.arguments.items()} if bound else {}
        with warnings.catch_warnings(), _errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                result = self.func(*args, **kwargs)
            except StudentCodeError as exc:
                if exc.raised is None or exc.function != self.name:
                    raise  # already says what went wrong
                # a grader's proxy: the student's function raised in the sandbox
                raise StudentCodeError(
                    self._raised_message(exc.raised, args, kwargs, bound, exc.note),
                    exc.student_frames, function=self.name, raised=exc.raised,
                    note=exc.note, code=exc.code) from None
            except CheckFailed:
                raise  # already says what went wrong
            except Exception as exc:
                raise self._student_error(exc, args, kwargs, bound) from None
        for name, old in before.items():
            if not _same(old, bound.arguments[name]):
                raise CheckFailed(
                    f"{self.name} changed its argument {name!r} in place. A graded function "
                    f"must leave the caller's data untouched: work on a copy "
                    f"(copy.deepcopy({name})) or write `x = x - ...` instead of `x -= ...`.",
                    code="mutates_argument", function=self.name)
        return result

    # ----------------------------------------------------------------- results
    def expect(self, what: str, got, expected, *, m: int | None = None,
               mistakes: dict | None = None, shape_hint: str | None = None,
               rtol: float = 1e-5, atol: float = 1e-7):
        """Compare one returned value with the expected one.

        - what: the name the student knows the value by ("dw", "cost", "the result").
        - m: the number of examples, to recognise a missing or doubled 1/m.
        - mistakes: {description: value that this mistake would produce}; a wrong answer
          that matches one is named in the message.
        - shape_hint: added to the message when the shape is wrong.

        A right value in another representation that the original course accepted (0/1
        predictions as booleans, integers or floats; a cost as a float or a 0-d array)
        passes, and a "Note: " line names the difference (once per Function).
        """
        found: list = []
        try:
            _compare(what, got, expected, m=m, mistakes=mistakes or {},
                     shape_hint=shape_hint, rtol=rtol, atol=atol, notes=found)
        except CheckFailed as exc:
            globals_note = self._globals_note()
            raise CheckFailed(f"{self.name}: {exc}{globals_note}",
                              code="uses_globals" if globals_note else exc.code,
                              function=self.name, detail=exc.detail) from None
        for item in found:
            text = _note_text(*item, function=self.name)
            if text not in self._notes_given:
                self._notes_given.add(text)
                note(text)

    def expect_tuple(self, result, n: int, names: str):
        """The function must return a tuple (or list) of n values, e.g. names="grads, cost"."""
        if not isinstance(result, tuple | list) or len(result) != n:
            raise CheckFailed(f"{self.name} must return {n} values ({names}); it returned "
                              f"{_describe_type(result)}"
                              + (f" of length {len(result)}" if isinstance(result, tuple | list)
                                 else ""), code="wrong_type", function=self.name)
        return result

    def expect_keys(self, what: str, got, keys):
        """got must be a dict holding exactly these keys."""
        if not isinstance(got, dict):
            raise CheckFailed(f"{self.name}: {what} is {_describe_type(got)}; expected a "
                              f"dictionary with keys {sorted(keys)}", code="wrong_type",
                              function=self.name)
        missing = [k for k in keys if k not in got]
        extra = [k for k in got if k not in keys]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing key(s) {missing}")
            if extra:
                parts.append(f"unexpected key(s) {extra}")
            raise CheckFailed(f"{self.name}: {what} has {' and '.join(parts)}; expected "
                              f"exactly {list(keys)}", code="wrong_keys", function=self.name)

    def _student_error(self, exc: BaseException, args=(), kwargs=None,
                       bound=None) -> StudentCodeError:
        # Frames from the call inwards belong to the student's code (and libraries it calls).
        frames = traceback.format_tb(exc.__traceback__.tb_next) if exc.__traceback__ else []
        if isinstance(exc, NotImplementedError):
            return StudentCodeError(f"{self.name} is not implemented yet (it raises "
                                    "NotImplementedError): replace the stub with your code", [],
                                    function=self.name, code="not_implemented")
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        globals_note = self._globals_note()
        return StudentCodeError(
            self._raised_message(detail, args, kwargs or {}, bound, globals_note),
            frames, function=self.name, note=globals_note, detail=type(exc).__name__)

    def _raised_message(self, detail: str, args, kwargs, bound, note_text: str) -> str:
        # "<name> raised <detail>" stays whole and last: test cells add hints after it.
        return (f"Called as {describe_call(self.name, args, kwargs, bound)}, "
                f"{self.name} raised {detail}{note_text}")

    def fail(self, message: str, code: str = "failed"):
        raise CheckFailed(f"{self.name}: {message}", code=code, function=self.name)

    def _globals_note(self) -> str:
        names = global_data_names(self.func)
        if not names:
            return ""
        return (f" Note: {self.name} reads the global variable(s) {', '.join(names)}; a graded "
                "function must work only from its arguments.")


def expect(what: str, got, expected, **options):
    """Compare a value that is not tied to one function (a variable built in a cell)."""
    found: list = []
    _compare(what, got, expected, m=options.pop("m", None),
             mistakes=options.pop("mistakes", None) or {},
             shape_hint=options.pop("shape_hint", None),
             rtol=options.pop("rtol", 1e-5), atol=options.pop("atol", 1e-7), notes=found)
    for text in dict.fromkeys(_note_text(*item) for item in found):
        note(text)


def _note_text(what: str, verb: str, got: str, course: str, function: str | None = None) -> str:
    """One representation note: "predict returns floats 0./1.; the course's version ..."."""
    what = re.sub(r"\[\d+\]", "[i]", what)  # one note for all entries of a list
    if function and re.match(rf"{re.escape(function)}(\W|$)", what):
        return (f"{function} returns {got}; the course's version returns {course}. "
                "Both are accepted.")
    prefix = f"{function}: " if function else ""
    return (f"{prefix}{what} {verb} {got} where the course's version gives {course}. "
            "Both are accepted.")


def passed(name: str) -> None:
    """The last line of a visible check cell."""
    print(f"\N{CHECK MARK} {name}: all checks passed")


# --------------------------------------------------------------------------- internals
def _same(a, b) -> bool:
    if isinstance(a, _ndarray) or isinstance(b, _ndarray):
        if not (isinstance(a, _ndarray) and isinstance(b, _ndarray)):
            return False
        return a.shape == b.shape and a.dtype == b.dtype and bool(
            _array_equal(_plain_array(a), _plain_array(b), equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict):
        return (isinstance(b, dict) and a.keys() == b.keys()
                and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, list | tuple):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_same(x, y) for x, y in zip(a, b, strict=True)))
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:
        return True  # not comparable: nothing we can say about it


def _compare(what, got, expected, *, m, mistakes, shape_hint, rtol, atol, notes=None):
    notes = [] if notes is None else notes
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            raise CheckFailed(f"{what} is {_describe_type(got)}; expected a dictionary with "
                              f"keys {list(expected)}", code="wrong_type")
        for key in expected:
            if key not in got:
                raise CheckFailed(f"{what} has no key {key!r}; expected keys {list(expected)}",
                                  code="wrong_keys")
            _compare(f"{what}[{key!r}]", got[key], expected[key], m=m,
                     mistakes={k: v[key] for k, v in mistakes.items() if key in v},
                     shape_hint=shape_hint, rtol=rtol, atol=atol, notes=notes)
        return
    if isinstance(expected, tuple | list):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            raise CheckFailed(f"{what} is {_describe_type(got)}; expected {len(expected)} values",
                              code="wrong_type")
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            _compare(f"{what}[{i}]", g, e, m=m, mistakes={}, shape_hint=shape_hint,
                     rtol=rtol, atol=atol, notes=notes)
        return
    if isinstance(expected, _ndarray) and expected.ndim > 0:
        _compare_array(what, got, expected, m=m, mistakes=mistakes, shape_hint=shape_hint,
                       rtol=rtol, atol=atol, notes=notes)
        return
    _compare_scalar(what, got, expected, m=m, mistakes=mistakes, rtol=rtol, atol=atol,
                    notes=notes)


_KIND_NAMES = {"f": "floats", "i": "integers", "u": "integers", "b": "booleans",
               "c": "complex numbers", "O": "Python objects", "U": "strings", "S": "bytes"}


_FAMILY = {"b": "b", "i": "i", "u": "i", "f": "f"}
_ZERO_ONE_WORDS = {"b": "booleans", "i": "integers (0 and 1)", "f": "floats (0. and 1.)"}


def _zero_one(a: np.ndarray) -> bool:
    if a.dtype.kind == "b":
        return True
    with _errstate(all="ignore"):
        return bool(((a == 0) | (a == 1)).all())


def _predictions_of_another_dtype(got: np.ndarray, expected: np.ndarray) -> bool:
    """0/1 predictions (a (1, m) row) as booleans, integers or floats where the expected
    ones are of another of these kinds: the original course accepted each of them."""
    got_family = _FAMILY.get(got.dtype.kind)
    want_family = _FAMILY.get(expected.dtype.kind)
    if got_family is None or want_family is None or got_family == want_family:
        return False
    return (expected.ndim == 2 and expected.shape[0] == 1 and _zero_one(expected)
            and _zero_one(got))


def _compare_array(what, got, expected, *, m, mistakes, shape_hint, rtol, atol, notes):
    if not isinstance(got, _ndarray):
        extra = ""
        if isinstance(got, list | tuple):
            extra = "; wrap it in np.array(...)"
        elif isinstance(got, numbers.Number):
            extra = "; a single number cannot stand in for an array here"
        raise CheckFailed(f"{what} is {_describe_type(got)}; expected a numpy array of shape "
                          f"{_shape_text(expected.shape)}{extra}", code="wrong_type")
    got = _plain_array(got)
    want_kind = "f" if expected.dtype.kind in "fc" else expected.dtype.kind
    got_kind = got.dtype.kind
    other_dtype = _predictions_of_another_dtype(got, expected)
    if other_dtype:
        pass  # the values decide, after the shape
    elif want_kind == "f" and got_kind != "f":
        advice = {
            "i": " (an integer array truncates the results: start from floats, e.g. "
                 "np.zeros(shape) rather than np.zeros(shape, dtype=int))",
            "u": " (an integer array truncates the results: convert with .astype(float))",
            "b": " (a comparison gives booleans: convert with .astype(float) or build the "
                 "array with 0. and 1.)",
        }.get(got_kind, "")
        raise CheckFailed(f"{what} holds {_KIND_NAMES.get(got_kind, got.dtype)} "
                          f"(dtype {got.dtype}); expected floats{advice}", code="wrong_dtype")
    if want_kind == "b" and got_kind != "b" and not other_dtype:
        raise CheckFailed(f"{what} has dtype {got.dtype}; expected booleans (the result of a "
                          "comparison such as A2 > 0.5)", code="wrong_dtype")
    if want_kind in "iu" and got_kind not in "iu" and not other_dtype:
        raise CheckFailed(f"{what} has dtype {got.dtype}; expected integers", code="wrong_dtype")
    if got.shape != expected.shape:
        msg = f"{what} has shape {_shape_text(got.shape)}; expected {_shape_text(expected.shape)}"
        code = "wrong_shape"
        if got.shape == expected.shape[::-1]:
            msg += ". It is transposed: check the order of the factors or a missing .T"
            code = "transposed"
        elif got.size > expected.size and expected.size and got.size % expected.size == 0:
            msg += (". It is larger than it should be: `*` broadcasts where np.dot sums, "
                    "or an axis was not summed over")
            code = "star_instead_of_dot"
        if shape_hint:
            msg += f". Hint: {shape_hint}"
        raise CheckFailed(msg, code=code)
    if other_dtype:
        got_f, expected_f = got.astype(float), expected.astype(float)
        same = got_f == expected_f
        if not same.all():
            raise _value_failure(what, got_f, expected_f, same, m=m, mistakes=mistakes,
                                 rtol=rtol, atol=atol)
        notes.append((what, "holds", _ZERO_ONE_WORDS[_FAMILY[got_kind]],
                      _ZERO_ONE_WORDS[_FAMILY[expected.dtype.kind]]))
        return
    if want_kind == "b":
        if not _array_equal(got, expected):
            wrong = int((got != expected).sum())
            raise CheckFailed(f"{what} differs from the expected booleans in {wrong} of "
                              f"{got.size} places", code="wrong_values")
        return
    if expected.dtype.kind == "f":
        bad = ~_isfinite(got) & _isfinite(expected)
        if bad.any():
            raise CheckFailed(f"{what} contains {int(bad.sum())} NaN or infinite value(s) "
                              "where finite numbers are expected (a log of 0, an overflow "
                              "or a division by zero?)", code="not_finite")
    close = _close(got, expected, rtol, atol)
    if close.all():
        return
    raise _value_failure(what, got, expected, close, m=m, mistakes=mistakes, rtol=rtol,
                         atol=atol)


def _value_failure(what, got, expected, close, *, m, mistakes, rtol, atol) -> CheckFailed:
    """The failure of a value of the right type and shape, with its mistake's code."""
    for description, value in mistakes.items():
        if _all_close(got, value, rtol, atol):
            return CheckFailed(f"{what} has the wrong values: they match what {description} "
                               "gives", code="known_mistake", detail=description)
    with _errstate(all="ignore"):
        nonzero = bool((_abs(expected) > atol).any())
        if nonzero and _all_close(got, -expected, rtol, atol):
            return CheckFailed(f"{what} has the wrong sign: check the minus sign in the "
                               "formula", code="wrong_sign")
        if m and m > 1 and nonzero:
            if _all_close(got, expected * m, rtol, atol):
                return CheckFailed(f"{what} is {m} times too large: the average over the "
                                   f"m = {m} examples needs the factor 1/m",
                                   code="missing_1_over_m")
            if _all_close(got, expected / m, rtol, atol):
                return CheckFailed(f"{what} is {m} times too small: a mean where a sum "
                                   "belongs, or the factor 1/m applied twice?",
                                   code="averaged_twice")
            hard_coded = _averaged_over(got, expected, m, rtol, atol)
            if hard_coded:
                return CheckFailed(f"{what} is averaged over {hard_coded} examples instead of "
                                   f"m = {m}: is the number of examples hard-coded? Use "
                                   "m = X.shape[1]", code="hard_coded_m")
        if expected.ndim == 2 and expected.shape[0] == expected.shape[1] > 1 and \
                _all_close(got, expected.T, rtol, atol):
            return CheckFailed(f"{what} is the transpose of the expected matrix",
                               code="transposed")
    if close.size == 1:
        got_value, expected_value = got.reshape(-1)[0].item(), expected.reshape(-1)[0].item()
        return CheckFailed(f"{what} is {got_value!r}; expected {expected_value!r}",
                           code="wrong_values")
    idx = _unravel(int(_argmax(~close)), close.shape)
    n_wrong = int((~close).sum())
    return CheckFailed(f"{what} has wrong values in {n_wrong} of {close.size} entries; first "
                       f"at index {tuple(int(i) for i in idx)}: got {got[idx].item()!r}, "
                       f"expected {expected[idx].item()!r}", code="wrong_values")


def _averaged_over(got, expected, m, rtol, atol) -> int | None:
    """k when got equals expected * m / k for a whole k other than 1 and m (a hard-coded m)."""
    mask = _abs(expected) > atol
    if not mask.any():
        return None
    ratio = float((got[mask] / expected[mask]).reshape(-1)[0])
    if ratio <= 0:
        return None
    k = m / ratio
    if abs(k - round(k)) > 1e-6 * k or round(k) in (1, m):
        return None
    return round(k) if _all_close(got, expected * m / round(k), rtol, atol) else None


def _compare_scalar(what, got, expected, *, m, mistakes, rtol, atol, notes):
    expected_0d = isinstance(expected, _ndarray)
    if expected_0d:  # a 0-d array: the course's np.squeeze(cost)
        expected = expected[()]
    if isinstance(expected, bool | _bool):
        if not isinstance(got, bool | _bool):
            raise CheckFailed(f"{what} is {_describe_type(got)}; expected True or False",
                              code="wrong_type")
        if bool(got) != bool(expected):
            raise CheckFailed(f"{what} is {bool(got)}; expected {bool(expected)}",
                              code="wrong_values")
        return
    if isinstance(expected, int | _integer):
        if isinstance(got, bool | _bool) or not isinstance(got, int | _integer):
            raise CheckFailed(f"{what} is {_describe_type(got)}; expected an integer",
                              code="wrong_type")
        if int(got) != int(expected):
            raise CheckFailed(f"{what} is {int(got)}; expected {int(expected)}",
                              code="wrong_values")
        return
    # expected is a float: accept a Python float, a numpy float or a 0-d float array
    got_0d = isinstance(got, _ndarray)
    if got_0d:
        if got.ndim > 0:
            raise CheckFailed(f"{what} is {_describe_type(got)}; expected a single number "
                              "(use np.squeeze(...) or float(...) on a 1-element array)",
                              code="array_for_number")
        got = _plain_array(got)[()]
    if isinstance(got, bool | _bool) or isinstance(got, int | _integer):
        raise CheckFailed(f"{what} is {_describe_type(got)}; expected a float "
                          f"(write {float(got)!r}, not {int(got)})", code="wrong_dtype")
    if not isinstance(got, float | _floating):
        raise CheckFailed(f"{what} is {_describe_type(got)}; expected a float",
                          code="wrong_type")
    got_arr, exp_arr = _asarray(float(got)), _asarray(float(expected))
    if _all_close(got_arr, exp_arr, rtol, atol):
        if got_0d != expected_0d:
            forms = ("a 0-d numpy array", "a float")
            notes.append((what, "is", *(forms if got_0d else forms[::-1])))
        return
    mistakes = {k: _asarray(v, dtype=float).reshape(1) for k, v in mistakes.items()
                if _asarray(v).size == 1}
    got_arr, exp_arr = got_arr.reshape(1), exp_arr.reshape(1)
    raise _value_failure(what, got_arr, exp_arr, _close(got_arr, exp_arr, rtol, atol), m=m,
                         mistakes=mistakes, rtol=rtol, atol=atol)


def global_data_names(func) -> list[str]:
    """Names of global data (arrays, numbers, containers) that func's code reads."""
    if isinstance(getattr(func, "_global_data_names", None), list):
        return list(func._global_data_names)  # a grader proxy, told by the sandbox
    code = getattr(func, "__code__", None)
    namespace = getattr(func, "__globals__", None)
    if code is None or namespace is None:
        return []
    names: set[str] = set()
    stack = [code]
    while stack:
        c = stack.pop()
        names.update(ins.argval for ins in dis.get_instructions(c)
                     if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"))
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    found = []
    for name in sorted(names):
        if name.startswith("_") or name not in namespace:
            continue
        value = namespace[name]
        if isinstance(value, _ndarray | numbers.Number | list | dict | tuple) and \
                not isinstance(value, bool):
            found.append(name)
    return found


# In a Jupyter kernel, a test cell whose function exists only under an older name
# (normalizeRows) fails with a NameError before any check runs: name the older one there.
install_kernel_hint()
