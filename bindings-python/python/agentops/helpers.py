"""Small agentops 0.3 helpers kept for code that imports them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from .serialization import safe_serialize


def get_ISO_time() -> str:  # noqa: N802 - agentops 0.3 name
    """Now, UTC, ISO-8601 with microseconds and `+00:00` (the events' format)."""
    return datetime.now(timezone.utc).isoformat()


def check_call_stack_for_agent_id() -> Optional[str]:
    """The id of the `track_agent` agent whose method is running, if any (agentops 0.3
    walked the stack for this; this package uses `contextvars`)."""
    from .decorators import current_agent_id

    return current_agent_id()


__all__ = ["get_ISO_time", "safe_serialize", "check_call_stack_for_agent_id"]
