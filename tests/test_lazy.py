"""nndl.lazy.LazyDict, and the reference L_model_backward that defers dA0 with it."""

from __future__ import annotations

import copy
import json
import pickle

import numpy as np
import pytest

from nndl import reference
from nndl.grader import encoding
from nndl.lazy import LazyDict


def make(calls):
    grads = LazyDict()
    grads["dW1"] = 1

    def compute():
        calls.append("dA0")
        return np.arange(3.0)

    grads.defer("dA0", compute)
    grads["db1"] = 2
    return grads


def test_keys_length_and_membership_do_not_compute():
    calls = []
    grads = make(calls)
    assert list(grads) == ["dW1", "dA0", "db1"]
    assert list(grads.keys()) == ["dW1", "dA0", "db1"]
    assert len(grads) == 3 and "dA0" in grads and "dA1" not in grads
    assert grads["dW1"] == 1
    assert calls == []


@pytest.mark.parametrize("read", [
    lambda g: g["dA0"],
    lambda g: g.get("dA0"),
    lambda g: list(g.values()),
    lambda g: list(g.items()),
    lambda g: dict(g),
    lambda g: {**g},
    lambda g: (lambda **kw: kw)(**g),
    lambda g: g.copy(),
    lambda g: copy.copy(g),
    lambda g: copy.deepcopy(g),
    lambda g: pickle.loads(pickle.dumps(g)),
    lambda g: repr(g),
    lambda g: g == {},
    lambda g: {} == g,
    lambda g: g | {},
    lambda g: {} | g,
    lambda g: g.pop("dA0"),
    lambda g: g.popitem() and g.popitem(),
    lambda g: g.setdefault("dA0"),
], ids=["getitem", "get", "values", "items", "dict", "unpack", "kwargs", "copy", "copy.copy",
        "deepcopy", "pickle", "repr", "eq", "req", "or", "ror", "pop", "popitem",
        "setdefault"])
def test_every_read_computes_once_and_sees_the_value(read):
    calls = []
    grads = make(calls)
    result = read(grads)
    assert calls == ["dA0"]
    if isinstance(result, dict):
        assert "dA0" in result and isinstance(result["dA0"], np.ndarray)
        np.testing.assert_array_equal(result["dA0"], np.arange(3.0))
        assert not any(type(v).__name__ == "_Pending" for v in dict.values(result))
    if "dA0" in grads:
        np.testing.assert_array_equal(grads["dA0"], np.arange(3.0))
    assert calls == ["dA0"]


def test_equality_compares_computed_values():
    grads = make([])
    other = {"dW1": 1, "dA0": None, "db1": 2}
    with pytest.raises(ValueError):  # comparing arrays: the value really is computed
        grads == other  # noqa: B015
    assert make([]).keys() == other.keys()
    assert make([]) != {"dW1": 1, "db1": 2}


def test_overwriting_or_deleting_a_deferred_key_never_computes_it():
    calls = []
    grads = make(calls)
    grads["dA0"] = "set"
    assert grads["dA0"] == "set"
    grads.defer("dA0", lambda: calls.append("again"))
    del grads["dA0"]
    grads.update(dA0=5)
    assert grads == {"dW1": 1, "db1": 2, "dA0": 5}
    grads.clear()
    assert grads == {} and calls == []


def test_json_and_grader_encoding_see_values():
    grads = LazyDict(a=1)
    grads.defer("b", lambda: 2)
    assert json.loads(json.dumps(grads)) == {"a": 1, "b": 2}
    grads = LazyDict()
    grads.defer("dA0", lambda: np.ones((2, 2)))
    decoded = encoding.decode(encoding.encode(grads))
    assert type(decoded) is dict
    np.testing.assert_array_equal(decoded["dA0"], np.ones((2, 2)))


def test_reference_backward_defers_only_dA0_with_the_eager_values():
    ref = reference.load("week4_deep_nn_step_by_step")
    rng = np.random.default_rng(5)
    dims = [6, 4, 3, 1]
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = rng.normal(size=(dims[l], dims[l - 1]))
        parameters[f"b{l}"] = rng.normal(size=(dims[l], 1))
    X = rng.normal(size=(6, 5))
    Y = (rng.random((1, 5)) > 0.5).astype(float)
    AL, caches = ref.L_model_forward(X, parameters)
    grads = ref.L_model_backward(AL, Y, caches)
    assert isinstance(grads, dict)
    assert list(grads) == ["dA2", "dW3", "db3", "dA1", "dW2", "db2", "dA0", "dW1", "db1"]
    assert list(grads._pending) == ["dA0"]

    # The eager computation, layer by layer, through the reference's own steps
    eager, dA = {}, -(Y / AL - (1 - Y) / (1 - AL))
    for l in reversed(range(3)):
        dA, dW, db = ref.linear_activation_backward(dA, caches[l], "sigmoid" if l == 2 else "relu")
        eager[f"dA{l}"], eager[f"dW{l + 1}"], eager[f"db{l + 1}"] = dA, dW, db
    for key, value in eager.items():
        np.testing.assert_array_equal(grads[key], value, err_msg=key)
    assert grads._pending == {}
