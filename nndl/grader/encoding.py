"""Plain-data encoding of the values that cross the sandbox boundary.

Only numbers, strings, None, numeric numpy arrays and scalars, and lists, tuples and
dicts of those cross; everything else becomes an ``Opaque`` that names its type. The
trusted side never unpickles and never runs anything the student's process sent: a forged
``__eq__`` or ``__array__`` does not survive the trip, and an array subclass arrives as a
plain ndarray holding the same bytes.

The encoding is canonical: encoding a decoded value gives the same description again.
Framing, and the bounds on what a frame may hold, are ``protocol``'s.
"""

from __future__ import annotations

import base64
import math

import numpy as np

from nndl.lazy import LazyDict

MAX_DEPTH = 20


class EncodingError(ValueError):
    """A value described by the sandbox is malformed."""


class Opaque:
    """Stands for a value of a type that does not cross the boundary."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self):
        return f"<a {self.type_name}>"

    def __eq__(self, other):
        return isinstance(other, Opaque) and other.type_name == self.type_name

    def __hash__(self):
        return hash(self.type_name)


def _type_name(value) -> str:
    cls = type(value)
    return cls.__qualname__ if cls.__module__ in ("builtins", "__main__") else \
        f"{cls.__module__}.{cls.__qualname__}"


def encode(value, _depth: int = 0):
    """A JSON-able description of value."""
    if _depth > MAX_DEPTH:
        return {"t": "opaque", "type": "deeply nested value"}
    if value is None or isinstance(value, str) and type(value) is str:
        return value
    if type(value) is bool:
        return {"t": "bool", "v": value}
    if type(value) is int:
        return {"t": "int", "v": str(value)}
    if type(value) is float:
        return {"t": "float", "v": repr(value)}
    if isinstance(value, np.ndarray | np.generic):
        array = np.asarray(value)
        if array.dtype.kind not in "biufc" or array.dtype.hasobject:
            return {"t": "opaque", "type": f"numpy array of {array.dtype}"}
        # copy(order="C"), not ascontiguousarray, which turns a 0-d array into 1-d
        array = array.view(np.ndarray).copy(order="C")
        return {"t": "ndarray" if isinstance(value, np.ndarray) else "npscalar",
                "dtype": array.dtype.str, "shape": list(array.shape),
                "data": base64.b64encode(array.tobytes()).decode("ascii")}
    if type(value) in (list, tuple):
        return {"t": type(value).__name__, "v": [encode(v, _depth + 1) for v in value]}
    if type(value) in (dict, LazyDict):  # LazyDict: a reference's grads (week 4)
        if not all(type(k) is str for k in value):
            return {"t": "opaque", "type": "dict with non-string keys"}
        return {"t": "dict", "v": [[k, encode(v, _depth + 1)] for k, v in value.items()]}
    return {"t": "opaque", "type": _type_name(value)}


def decode(obj, _depth: int = 0):
    """The value an encode() result describes; EncodingError when it is malformed."""
    if _depth > MAX_DEPTH + 1:
        raise EncodingError("value nested too deeply")
    if obj is None or type(obj) is str:
        return obj
    if type(obj) is not dict or "t" not in obj:
        raise EncodingError(f"malformed value {str(obj)[:80]!r}")
    tag = obj["t"]
    try:
        if tag == "bool":
            return bool(obj["v"])
        if tag == "int":
            return int(obj["v"])
        if tag == "float":
            return float(obj["v"])
        if tag in ("ndarray", "npscalar"):
            dtype = np.dtype(obj["dtype"])
            if dtype.kind not in "biufc":
                raise EncodingError(f"dtype {dtype} does not cross the boundary")
            shape = tuple(int(s) for s in obj["shape"])
            raw = base64.b64decode(obj["data"], validate=True)
            if len(raw) != dtype.itemsize * math.prod(shape):
                raise EncodingError("array data does not match its shape")
            array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
            return array if tag == "ndarray" else array[()]
        if tag == "list":
            return [decode(v, _depth + 1) for v in obj["v"]]
        if tag == "tuple":
            return tuple(decode(v, _depth + 1) for v in obj["v"])
        if tag == "dict":
            return {str(k): decode(v, _depth + 1) for k, v in obj["v"]}
        if tag == "opaque":
            return Opaque(str(obj["type"])[:200])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, EncodingError):
            raise
        raise EncodingError(f"malformed {tag} value ({exc})") from None
    raise EncodingError(f"unknown value tag {tag!r}")
