"""One LLM call as an `LLMEvent`: built when the call starts (in the caller's context, so it
carries the tracked agent and the call's start time), finished exactly once — when the
answer is back, when a stream ends, breaks off or is dropped — and recorded then, with an
`ErrorEvent` linked to it when the call failed. Nothing here ever raises into the caller."""

from __future__ import annotations

import datetime
import time
from typing import Any, Dict, Optional

from .. import _native, decorators
from ..log_config import logger

# What instrumentation catches: every error, and a Rust panic (a `BaseException`).
ERRORS = (Exception, _native.PanicException)

# Sentinels the clients use for "not given"; they are not request parameters.
_UNSET_TYPES = frozenset({"NotGiven", "Omit"})


def now_iso() -> str:
    return iso_of(time.time())


def iso_of(epoch_seconds: float) -> str:
    return datetime.datetime.fromtimestamp(epoch_seconds, datetime.timezone.utc).isoformat()


def request_params(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in kwargs.items() if type(v).__name__ not in _UNSET_TYPES}


def _target(session: Any) -> Any:
    """Where the call records: the `session=` given, else the only open session (the
    decorators' rule, which warns here instead of raising when several are open)."""
    try:
        return decorators._target(session, "an LLM client call")
    except ValueError:
        logger.warning("An LLM call was not recorded: several sessions are open and the call gave no `session=`.")
        return None


class LLMCall:
    """Fields come from the provider's reading of the answer (see `finish`)."""

    def __init__(self, target: Any, model: Any, prompt: Any, params: Dict[str, Any]) -> None:
        self.target = target
        self.event = _native.LLMEvent(model=model, prompt=prompt, params=params)
        # When the last stream item arrived (epoch s; formatted only when the call finishes).
        self.last_item_at: Optional[float] = None
        # Emptied by the first `finish`: `list.pop` is atomic, so a stream's end, its
        # `close()` and its finaliser racing on threads still finish it once.
        self._pending = [True]

    @classmethod
    def start(cls, session: Any, model: Any, prompt: Any, kwargs: Dict[str, Any]) -> Optional["LLMCall"]:
        """The call's recorder, or None when nothing records (not initialised, no session)."""
        try:
            target = _target(session)
            if target is None:
                return None
            return cls(target, model, prompt, request_params(kwargs))
        except ERRORS as e:
            logger.debug("could not start recording an LLM call: %r", e)
            return None

    def finish(self, fields: Optional[Dict[str, Any]] = None, error: Optional[BaseException] = None) -> None:
        """Sets `fields` (completion, model, prompt_tokens, completion_tokens, returns) and
        records the event, and an `ErrorEvent` linked to it when `error` is given. Only the
        first call does anything."""
        try:
            self._pending.pop()
        except IndexError:
            return
        try:
            event = self.event
            for name, value in (fields or {}).items():
                if value is not None:
                    setattr(event, name, value)
            if self.last_item_at is not None:
                event.end_timestamp = iso_of(self.last_item_at)
            if error is None:
                self.target.record(event)
            else:  # the core records the trigger first, once
                self.target.record(_native.ErrorEvent(trigger_event=event, exception=error))
        except ERRORS as e:
            logger.debug("could not record an LLM call: %r", e)
