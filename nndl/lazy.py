"""A dictionary some of whose values are computed on first read.

The reference ``L_model_backward`` of week 4 returns ``dA0``, the gradient of the cost with
respect to the input X, as the course's API asks. Training never reads it, and the product
``W1.T @ dZ1`` that gives it costs as much as the first layer's forward product: computing
it eagerly makes the reference training about 1.5 times slower than it needs to be
(``benchmarks/train_speed.py``). The reference therefore defers it:

    grads = LazyDict()
    grads["dW1"] = dW1
    grads.defer("dA0", lambda: np.dot(W1.T, dZ1))

``"dA0" in grads``, ``len(grads)`` and the order of the keys are those of a plain dict
holding every value; the first read of a deferred value (``grads["dA0"]``, ``get``,
``values``, ``items``, ``==``, ``repr``, ``copy``, ``dict(grads)``, ``{**grads}``,
pickling, ``copy.deepcopy``) computes it, once. After that the value is an ordinary entry.
"""

from __future__ import annotations

import copy as _copy
from collections.abc import Callable
from typing import Any


class _Pending:
    """What the underlying dict holds for a value not computed yet."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<computed on first read>"


_PENDING = _Pending()


class LazyDict(dict):
    """A dict whose values set with ``defer(key, compute)`` are computed on first read."""

    __slots__ = ("_pending",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._pending: dict[Any, Callable[[], Any]] = {}
        super().__init__(*args, **kwargs)

    def defer(self, key: Any, compute: Callable[[], Any]) -> None:
        """Hold key, whose value compute() gives when it is first read."""
        dict.__setitem__(self, key, _PENDING)
        self._pending[key] = compute

    def _resolve(self, key: Any) -> Any:
        value = self._pending[key]()
        del self._pending[key]
        dict.__setitem__(self, key, value)
        return value

    def _resolve_all(self) -> None:
        for key in list(self._pending):
            self._resolve(key)

    # Reading one value
    def __getitem__(self, key: Any) -> Any:
        value = dict.__getitem__(self, key)
        if value is _PENDING and key in self._pending:
            return self._resolve(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self else default

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        self[key] = default
        return default

    def pop(self, key: Any, *default: Any) -> Any:
        if key in self._pending:
            self._resolve(key)
        return dict.pop(self, key, *default)

    # Writing
    def __setitem__(self, key: Any, value: Any) -> None:
        self._pending.pop(key, None)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self, key)
        self._pending.pop(key, None)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> LazyDict:
        self.update(other)
        return self

    def clear(self) -> None:
        self._pending.clear()
        dict.clear(self)

    # Reading every value
    def __iter__(self):
        # Defined so that dict(x), {**x} and f(**x) take the keys-and-__getitem__ path
        # (CPython copies a dict subclass directly only when it keeps dict's own __iter__).
        return dict.__iter__(self)

    def values(self):
        self._resolve_all()
        return dict.values(self)

    def items(self):
        self._resolve_all()
        return dict.items(self)

    def popitem(self) -> tuple[Any, Any]:
        self._resolve_all()
        return dict.popitem(self)

    def copy(self) -> LazyDict:
        self._resolve_all()
        return LazyDict(dict.items(self))

    __copy__ = copy

    def __deepcopy__(self, memo: dict) -> LazyDict:
        self._resolve_all()
        result = LazyDict()
        memo[id(self)] = result
        for key, value in dict.items(self):
            dict.__setitem__(result, _copy.deepcopy(key, memo), _copy.deepcopy(value, memo))
        return result

    def __reduce__(self):
        self._resolve_all()
        return (LazyDict, (dict(dict.items(self)),))

    def __reduce_ex__(self, protocol: int):
        return self.__reduce__()

    def __eq__(self, other: object) -> bool:
        self._resolve_all()
        if isinstance(other, LazyDict):
            other._resolve_all()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]

    def __or__(self, other: Any) -> Any:
        if not isinstance(other, dict):
            return NotImplemented
        result = self.copy()
        result.update(other)
        return result

    def __ror__(self, other: Any) -> Any:
        if not isinstance(other, dict):
            return NotImplemented
        self._resolve_all()
        result = LazyDict(other)
        result.update(dict.items(self))
        return result

    def __repr__(self) -> str:
        self._resolve_all()
        return dict.__repr__(self)
