"""`Session` (a native type; see `agentops._native.Session`).

A session is started with `agentops.start_session()` (or by `agentops.init()`), records
events with `session.record(event)`, and ends with `session.end_session(end_state,
end_state_reason=None, video=None)`, which returns the token cost reported by the backend
(`decimal.Decimal`, or `None`). It is also a context manager: `with agentops.start_session()
as s:` ends it as Success, or as Fail when an exception escapes.
"""

from ._native import Session
from .enums import EndState

__all__ = ["Session", "EndState"]
