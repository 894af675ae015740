"""The `agentops` logger (as in agentops 0.3: its own stderr handler with the
"🖇 AgentOps: " prefix, `propagate = False`, level from `AGENTOPS_LOGGING_LEVEL`, default
INFO). No log file is ever written.

Records from the Rust core are forwarded to this logger for the levels it has enabled;
`logger.setLevel(...)` keeps the core's filter in step.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any, Union

from . import _native

logger = logging.getLogger("agentops")

_LEVELS = {
    "CRITICAL": logging.CRITICAL,
    "ERROR": logging.ERROR,
    "WARNING": logging.WARNING,
    "WARN": logging.WARNING,
    "INFO": logging.INFO,
    "DEBUG": logging.DEBUG,
}


class AgentOpsLogFormatter(logging.Formatter):
    """`🖇 AgentOps: message`; errors in bold red on a terminal."""

    PREFIX = "🖇 AgentOps: "

    def __init__(self, color: bool) -> None:
        super().__init__()
        self.color = color

    def format(self, record: logging.LogRecord) -> str:
        text = self.PREFIX + super().format(record)
        if self.color and record.levelno >= logging.ERROR:
            return f"\x1b[31;1m{text}\x1b[0m"
        return text


class _AgentOpsHandler(logging.StreamHandler):  # type: ignore[type-arg]
    pass


def sync_native_level() -> None:
    """Tell the core which records are worth forwarding."""
    try:
        _native.set_log_level(logger.getEffectiveLevel())
    except Exception:  # pragma: no cover - never let logging setup fail
        pass


_original_set_level = logger.setLevel


def _set_level(level: Union[int, str]) -> None:
    _original_set_level(level)
    sync_native_level()


def set_level(level: Union[int, str]) -> None:
    """Sets the agentops log level (a `logging` level or its name)."""
    if isinstance(level, str):
        level = _LEVELS.get(level.strip().upper(), logging.INFO)
    logger.setLevel(level)


def set_level_from_env() -> None:
    """Level from `AGENTOPS_LOGGING_LEVEL` (CRITICAL/ERROR/WARNING/INFO/DEBUG), default INFO."""
    set_level(os.environ.get("AGENTOPS_LOGGING_LEVEL", "INFO"))


def configure() -> None:
    if not any(isinstance(h, _AgentOpsHandler) for h in logger.handlers):
        handler = _AgentOpsHandler(sys.stderr)
        stream: Any = sys.stderr
        handler.setFormatter(AgentOpsLogFormatter(color=bool(getattr(stream, "isatty", lambda: False)())))
        logger.addHandler(handler)
    logger.propagate = False
    # Keep the core's filter in step when the user (or pytest's caplog) changes the level.
    logger.setLevel = _set_level  # type: ignore[method-assign]
    set_level_from_env()


configure()
