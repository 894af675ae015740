"""One LLM call, recorded exactly once. `CallStart` is taken when the call begins: where it
records, when it began, its keywords. A complete answer whose HTTP bodies are known is then
recorded from them (`CallStart.record_exchange`: the core reads the bodies on the uploader's
thread). Otherwise an `LLMEvent` is built right after the call returns (in the caller's
context, so it carries the tracked agent) with the request as its `params`, and finished once
— when the answer is read, when a stream ends, breaks off or is dropped — with the answer as
its `returns`, and an `ErrorEvent` linked to it when the call failed. Either way the core
reads the prompt, completion, model and token counts out of the request and the answer, by
the rule it applies for every binding. Nothing here ever raises into the caller."""

from __future__ import annotations

import datetime
import time
from typing import Any, Dict, Optional

from .. import _native, decorators
from .. import client as _client
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


def records_into(session: Any) -> Any:
    """Where a call's bodies are recorded: the `session=` given, else the native client (into
    its only open session); None when agentops is not initialised and no session was given."""
    if session is not None:
        return session
    c = _client._singleton
    return None if c is None else c._native


class CallStart:
    """Where and when a call began, and its keywords: what every path but the common one
    needs (failures, streams, raw responses, answers read from their objects)."""

    __slots__ = ("session", "started", "kwargs")

    def __init__(self, session: Any, started: float, kwargs: Dict[str, Any]) -> None:
        """`session`: the `session=` given, or None (the only open one); `started`: epoch s."""
        self.session = session
        self.started = started
        self.kwargs = kwargs

    def record_exchange(self, api: str, request_body: Optional[bytes], response_body: bytes) -> None:
        """Records the call from its bodies as they went over the wire (`api`: whose bodies,
        e.g. `"openai.chat"`); it ends now. With no `session=`, the native client records
        into the only open session (with several open: a warning, nothing recorded)."""
        try:
            records_into(self.session).record_llm_exchange(api, self.started, request_body, response_body)
        except ERRORS as e:
            logger.debug("could not record an LLM call: %r", e)

    def recorder(self, api: str) -> Optional["LLMCall"]:
        """The call's `LLMEvent`, built now with the keywords as its request, read by the
        core's rule for `api`; None when nothing records (no session open, or several and no
        `session=`)."""
        target = _target(self.session)
        if target is None:
            return None
        event = _native.LLMEvent(params=request_params(self.kwargs), init_timestamp=iso_of(self.started))
        event._read_fields_as(api)
        return LLMCall(target, event)


class LLMCall:
    """The event of one call, recorded by the first `finish`."""

    def __init__(self, target: Any, event: Any) -> None:
        self.target = target
        self.event = event
        # When the last stream item arrived (epoch s; formatted only when the call finishes).
        self.last_item_at: Optional[float] = None
        # Emptied by the first `finish`: `list.pop` is atomic, so a stream's end, its
        # `close()` and its finaliser racing on threads still finish it once.
        self._pending = [True]

    def finish(self, answer: Any = None, error: Optional[BaseException] = None) -> None:
        """Records the event with `answer` (the response as data, or a stream's assembled
        answer; None: unknown), and an `ErrorEvent` linked to it when `error` is given. Only
        the first call does anything."""
        try:
            self._pending.pop()
        except IndexError:
            return
        try:
            event = self.event
            if answer is not None:
                event.returns = answer
            if self.last_item_at is not None:
                event.end_timestamp = iso_of(self.last_item_at)
            if error is None:
                self.target.record(event)
            else:  # the core records the trigger first, once
                self.target.record(_native.ErrorEvent(trigger_event=event, exception=error))
        except ERRORS as e:
            logger.debug("could not record an LLM call: %r", e)
