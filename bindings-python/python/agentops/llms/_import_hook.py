"""Runs a callback when a module is imported, for libraries imported after `init()`: a
`sys.meta_path` finder that wraps the module's loader and calls back once it has run."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from typing import Any, Callable, Dict, Optional

from ..log_config import logger


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self.callbacks: Dict[str, Callable[[Any], None]] = {}
        self._busy = threading.local()

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Optional[importlib.machinery.ModuleSpec]:
        callback = self.callbacks.get(fullname)
        if callback is None or getattr(self._busy, "name", None) == fullname:
            return None
        self._busy.name = fullname  # the other finders find the spec
        try:
            spec = None
            for finder in sys.meta_path:
                if finder is not self and hasattr(finder, "find_spec"):
                    spec = finder.find_spec(fullname, path, target)
                    if spec is not None:
                        break
        finally:
            self._busy.name = None
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader = spec.loader
        real_exec = loader.exec_module

        def exec_module(module: Any) -> None:
            real_exec(module)
            try:
                callback(module)
            except Exception as e:  # instrumentation never breaks an import
                logger.debug("instrumenting %s after its import failed: %r", fullname, e)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_FINDER = _Finder()


def when_imported(name: str, callback: Callable[[Any], None]) -> None:
    """Calls `callback(module)` now if `name` is imported, else right after its import."""
    module = sys.modules.get(name)
    if module is not None:
        callback(module)
        return
    _FINDER.callbacks[name] = callback
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def forget(name: str) -> None:
    _FINDER.callbacks.pop(name, None)
    if not _FINDER.callbacks and _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
