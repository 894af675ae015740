"""LLM calls recorded automatically: after `init()` (with `instrument_llm_calls`, the
default), each call through `openai` or `anthropic` becomes one `LLMEvent` — whatever the
import order: a library imported later is instrumented right after its import. A missing
library is a silent no-op; a major version we do not know logs one warning and is left
alone. The caller always gets exactly what the client returned."""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Tuple

from ..log_config import logger
from . import _import_hook
from ._patches import Patches
from ._recording import ERRORS

_lock = threading.Lock()
_patches = Patches()
_enabled = False


def _libraries() -> Dict[str, Tuple[Tuple[int, ...], Callable[[Any, Patches], None]]]:
    from . import anthropic, openai

    return {
        "openai": (openai.SUPPORTED_MAJORS, openai.instrument),
        "anthropic": (anthropic.SUPPORTED_MAJORS, anthropic.instrument),
    }


def _major(module: Any) -> int:
    try:
        return int(str(getattr(module, "__version__", "")).split(".")[0])
    except ValueError:
        return -1


def _instrumenter(name: str, majors: Tuple[int, ...], instrument: Callable[[Any, Patches], None]) -> Any:
    def on_import(module: Any) -> None:
        with _lock:
            if not _enabled:
                return
            if _major(module) not in majors:
                version = getattr(module, "__version__", "?")
                logger.warning("%s %s is a version agentops does not know; its calls are not recorded.", name, version)
                return
            try:
                instrument(module, _patches)
                logger.debug("recording the LLM calls of %s %s", name, getattr(module, "__version__", "?"))
            except ERRORS as e:
                logger.warning("Could not instrument %s %s: %r", name, getattr(module, "__version__", "?"), e)

    return on_import


def instrument() -> None:
    """Instruments every supported library, now or when it is imported. Idempotent."""
    global _enabled
    with _lock:
        if _enabled:
            return
        _enabled = True
    libraries = _libraries()
    logger.debug("instrumenting LLM clients: %s (now, or when imported)", ", ".join(libraries))
    for name, (majors, instrument_library) in libraries.items():
        _import_hook.when_imported(name, _instrumenter(name, majors, instrument_library))


def stop_instrumenting() -> None:
    """Restores the libraries' original functions exactly. Idempotent."""
    global _enabled
    with _lock:
        _enabled = False
        for name in _libraries():
            _import_hook.forget(name)
        _patches.restore()
