"""The wrapper around one client method (`create`, `parse`, ...): takes a `CallStart`,
calls the original with the caller's arguments untouched (only agentops 0.3's `session=`
keyword is taken out), and returns the very object the original returned — a response, a
raw response or a stream, which is then observed. A failure of the original records an
`ErrorEvent` and propagates as it is.

A complete answer is recorded from the call's HTTP bodies when the provider can read them:
its hook on the client's response parsing hands the HTTP response over (see `_bodies`)
while the call is in progress in this context; the core then reads the bodies into the
event on the uploader's thread, and the caller's thread never walks the answer's objects."""

from __future__ import annotations

import functools
import importlib
from time import time as _now
from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple

from .. import _native
from .. import client as _client
from ..log_config import logger
from . import _bodies
from ._bodies import RESPONSES, bodies
from ._recording import ERRORS, CallStart, LLMCall, records_into
from ._streams import observe, observe_async


class Provider(Protocol):
    """What a client library's support module tells the wrapper."""

    # The results that wrap an answer (streams, raw responses), not an answer themselves.
    wrapping_types: Tuple[type, ...]
    # The API whose request and answer the core reads the event's fields from (e.g.
    # "openai.chat"): their HTTP bodies, or the keywords and the answer as data.
    api: str

    def stream_accumulator(self, response: Any) -> Optional[Any]:
        """An accumulator when `response` is a stream of this library, else None."""

    def is_raw(self, response: Any) -> bool:
        """Whether `response` is a `with_raw_response` result (parsed with `.parse()`)."""


def raw_response_types(package: str) -> Tuple[type, ...]:
    """The `with_raw_response` result classes of a client package (the legacy one, and the
    newer one where it exists)."""
    found = []
    for module_name, class_name in (("_legacy_response", "LegacyAPIResponse"), ("_response", "APIResponse")):
        try:
            cls = getattr(importlib.import_module(f"{package}.{module_name}"), class_name)
        except (ImportError, AttributeError):
            continue
        found.append(cls)
    return tuple(found)


def field(obj: Any, name: str) -> Any:
    """`obj[name]` of a dict or `obj.name` of a model; None when absent."""
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def as_data(response: Any) -> Any:
    """A pydantic answer as plain data, dumped once (quietly: a serialiser warning would
    reach the caller); anything else as it is."""
    cls = type(response)
    serializer = getattr(cls, "__pydantic_serializer__", None)
    if serializer is not None:  # pydantic v2: what `model_dump()` does, without its overhead
        return serializer.to_python(response, warnings=False)
    dump = getattr(cls, "model_dump", None) or getattr(cls, "dict", None)
    return response if dump is None else dump(response)


def _take_session(kwargs: Dict[str, Any]) -> Any:
    """agentops 0.3's `session=` keyword (an agentops session only: anything else is the
    client's own argument and stays)."""
    session = kwargs.get("session")
    if session is not None and type(session).__module__.startswith("agentops"):
        del kwargs["session"]
        return session
    return None


def _begin(kwargs: Dict[str, Any]) -> Optional[CallStart]:
    """The call's start; None when nothing records (agentops not initialised, no `session=`)."""
    session = _take_session(kwargs) if "session" in kwargs else None
    return None if records_into(session) is None else CallStart(session, _now(), kwargs)


def recorder(start: CallStart, provider: Provider) -> Optional[LLMCall]:
    """The call's `LLMEvent` recorder, built now (None if that fails)."""
    try:
        return start.recorder(provider.api)
    except ERRORS as e:
        logger.debug("could not start recording an LLM call: %r", e)
        return None


def _fail(start: CallStart, provider: Provider, exc: BaseException) -> None:
    call = recorder(start, provider)
    if call is not None:
        call.finish(error=exc)


def _settle(start: CallStart, provider: Provider, result: Any, is_async: bool, responses: List[Any]) -> None:
    """Records the call's complete answer, or starts observing its stream. `responses`: the
    HTTP responses captured during the call (filled while this runs too: a raw result is
    parsed here)."""
    call = None
    try:
        # A raw response's `parse()` caches its answer: the caller's own gets the same object.
        answer = result.parse() if provider.is_raw(result) else result
        accumulator = provider.stream_accumulator(answer)
        if accumulator is None and responses:
            exchange = bodies(responses[0])
            if exchange is not None:
                start.record_exchange(provider.api, *exchange)
                return
        call = recorder(start, provider)
        if call is None:
            return
        if accumulator is None:
            call.finish(as_data(answer))
        elif is_async:
            observe_async(answer, call, accumulator)
        else:
            observe(answer, call, accumulator)
    except ERRORS as e:
        logger.debug("could not record an LLM answer: %r", e)
        call = call or recorder(start, provider)
        if call is not None:
            call.finish()  # the call, without what could not be read


def wrap_call(provider: Provider, is_async: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A `make_wrapper` for `Patches.wrap`. `is_async`: the method is awaited (the clients'
    async methods are plain functions returning a coroutine, so this is told, not guessed)."""

    api, wrapping_types = provider.api, provider.wrapping_types

    # The common path — a complete answer, recorded from the request and response bodies as
    # they went over the wire — is written out inline, in both wrappers: each function it
    # would call costs much on the cold caches that follow an HTTP call (an interleaved A/B:
    # 14.1 -> 10.1 µs per call, BENCHMARKS.md). Anything else is `_settle`d.
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        if is_async:

            @functools.wraps(original)
            async def async_call(*args: Any, **kwargs: Any) -> Any:
                session = _take_session(kwargs) if "session" in kwargs else None
                client: Any = _client._singleton
                if session is None and client is None:
                    return await original(*args, **kwargs)
                started = _now()
                responses: List[Any] = []
                token = RESPONSES.set(responses)
                try:
                    try:
                        result = await original(*args, **kwargs)
                    except Exception as exc:
                        _fail(CallStart(session, started, kwargs), provider, exc)
                        raise
                    try:
                        if responses and not isinstance(result, wrapping_types):
                            http_response = responses[0]
                            body, request_body = http_response.content, http_response.request.content
                            if type(body) is bytes and type(request_body) is bytes:
                                target = client._native if session is None else session
                                target.record_llm_exchange(api, started, request_body, body)
                                return result
                    except ERRORS as e:
                        logger.debug("could not record an LLM answer from its bodies: %r", e)
                    _settle(CallStart(session, started, kwargs), provider, result, True, responses)
                finally:
                    RESPONSES.reset(token)
                return result

            return async_call

        @functools.wraps(original)
        def sync_call(*args: Any, **kwargs: Any) -> Any:
            session = _take_session(kwargs) if "session" in kwargs else None
            client: Any = _client._singleton
            if session is None and client is None:
                return original(*args, **kwargs)
            started = _now()
            responses: List[Any] = []
            token = RESPONSES.set(responses)
            try:
                try:
                    result = original(*args, **kwargs)
                except Exception as exc:
                    _fail(CallStart(session, started, kwargs), provider, exc)
                    raise
                try:
                    if responses and not isinstance(result, wrapping_types):
                        http_response = responses[0]
                        body, request_body = http_response.content, http_response.request.content
                        if type(body) is bytes and type(request_body) is bytes:
                            target = client._native if session is None else session
                            target.record_llm_exchange(api, started, request_body, body)
                            return result
                except ERRORS as e:
                    logger.debug("could not record an LLM answer from its bodies: %r", e)
                _settle(CallStart(session, started, kwargs), provider, result, False, responses)
            finally:
                RESPONSES.reset(token)
            return result

        return native_method(original, sync_call, provider) or sync_call

    return make


def native_method(original: Callable[..., Any], python_call: Callable[..., Any], provider: Provider) -> Any:
    """`sync_call`'s common path as a native `InstrumentedMethod` (no Python frame of ours
    on a complete answer: about 3x fewer instructions per call, BENCHMARKS.md); None where
    this interpreter does not allow it. Every other case runs the same Python code as
    `sync_call`: `python_call` itself for a call with `session=`, else the two below."""

    def settle(started: float, kwargs: Dict[str, Any], result: Any, responses: List[Any]) -> None:
        _settle(CallStart(None, started, kwargs), provider, result, False, responses)

    def fail(started: float, kwargs: Dict[str, Any], exc: BaseException) -> None:
        _fail(CallStart(None, started, kwargs), provider, exc)

    if not _bodies.NATIVE:
        return None
    api, wrapping_types = provider.api, provider.wrapping_types
    method = _native.instrumented_method(original, python_call, api, wrapping_types, RESPONSES, settle, fail)
    if method is not None:
        functools.update_wrapper(method, original)
    return method
