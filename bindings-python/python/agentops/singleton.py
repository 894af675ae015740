"""agentops 0.3's `clear_singletons()` (used by test suites between tests)."""

from __future__ import annotations

from typing import Optional

from .client import reset_singleton


def clear_singletons(timeout: Optional[float] = 1.0) -> None:
    """Shuts the `Client()` singleton down (ending its open sessions, waiting at most
    `timeout` seconds) and forgets it; the next `Client()` / `init()` starts afresh."""
    reset_singleton(timeout)


__all__ = ["clear_singletons"]
