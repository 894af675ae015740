"""agentops 0.3 enums. Both are `str` enums, so `EndState.SUCCESS` and `"Success"` are
interchangeable wherever an end state or event type is expected."""

from __future__ import annotations

from enum import Enum


class EndState(str, Enum):
    SUCCESS = "Success"
    FAIL = "Fail"
    INDETERMINATE = "Indeterminate"

    def __str__(self) -> str:
        return str(self.value)


class EventType(str, Enum):
    LLM = "llms"
    ACTION = "actions"
    API = "apis"
    TOOL = "tools"
    ERROR = "errors"

    def __str__(self) -> str:
        return str(self.value)
