"""Class-level patches that can be undone exactly: each remembers whether the attribute
lived in the class's own `__dict__` and what it was, so `restore()` puts back the very
original function (or removes the override of an inherited one)."""

from __future__ import annotations

import threading
from typing import Any, Callable, List, Tuple

_MISSING = object()


class Patches:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._applied: List[Tuple[type, str, Any]] = []

    def wrap(self, owner: type, name: str, make_wrapper: Callable[[Any], Any]) -> bool:
        """Replaces `owner.name` by `make_wrapper(original)`; False when the attribute is
        missing or already patched here."""
        with self._lock:
            if any(o is owner and n == name for o, n, _ in self._applied):
                return False
            original = getattr(owner, name, _MISSING)
            if original is _MISSING:
                return False
            own = owner.__dict__.get(name, _MISSING)
            wrapper = make_wrapper(original)
            wrapper.__agentops_original__ = original
            setattr(owner, name, wrapper)
            self._applied.append((owner, name, own))
            return True

    def restore(self) -> None:
        """Undoes every patch, newest first; a second call does nothing."""
        with self._lock:
            applied, self._applied = self._applied, []
        for owner, name, own in reversed(applied):
            if own is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, own)

    def __bool__(self) -> bool:
        return bool(self._applied)
