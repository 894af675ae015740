"""The agentops exception hierarchy. Every class derives from `AgentOpsError` and has a
stable `code` (e.g. `"INVALID_CONFIG"`). The public API logs instead of raising (as
agentops 0.3 does); these surface from the lower-level `agentops._native` classes."""

from ._native import (
    AgentOpsError,
    ConfigError,
    ExportIOError,
    InvalidArgumentError,
    MissingApiKeyError,
    QueueFullError,
    SessionEndedError,
    SessionRefusedError,
    ShutDownError,
)

__all__ = [
    "AgentOpsError",
    "ConfigError",
    "ExportIOError",
    "InvalidArgumentError",
    "MissingApiKeyError",
    "QueueFullError",
    "SessionEndedError",
    "SessionRefusedError",
    "ShutDownError",
]
