"""agentops 0.3 event classes (native types; see `agentops._native`).

- `Event(event_type, params=None, returns=None, init_timestamp=None, end_timestamp=None,
  agent_id=None, id=None, session_id=None, *, result=None, action_type=None, model=None,
  prompt=None, tags=None)`: the base class, and the generic event of the original docs.
- `ActionEvent(event_type="actions", ..., action_type=None, logs=None, screenshot=None)`
- `LLMEvent(event_type="llms", ..., thread_id=None, prompt=None, prompt_tokens=None,
  completion=None, completion_tokens=None, cost=None, model=None)`
- `ToolEvent(event_type="tools", ..., name=None, logs=None)`
- `ErrorEvent(event_type="errors", ..., trigger_event=None, exception=None,
  error_type=None, code=None, details=None, logs=None)`

`id` is a `uuid.UUID`, timestamps are ISO-8601 strings (`...+00:00`), `params` /
`returns` / prompts keep the objects you passed; they are converted to JSON when the
event is recorded (tuples become arrays; values JSON cannot hold become
`"<<non-serializable: TypeName>>"`).
"""

from ._native import ActionEvent, ErrorEvent, Event, LLMEvent, ToolEvent
from .enums import EventType

__all__ = ["Event", "ActionEvent", "LLMEvent", "ToolEvent", "ErrorEvent", "EventType"]
