"""The wrapper around one client method (`create`, `parse`, ...): starts an `LLMCall`,
calls the original with the caller's arguments untouched (only agentops 0.3's `session=`
keyword is taken out), and returns the very object the original returned — a response, a
raw response or a stream, which is then observed. A failure of the original records an
`ErrorEvent` and propagates as it is."""

from __future__ import annotations

import functools
import importlib
from typing import Any, Callable, Dict, Optional, Protocol, Tuple

from ..log_config import logger
from ._recording import ERRORS, LLMCall
from ._streams import observe, observe_async


class Provider(Protocol):
    """What a client library's support module tells the wrapper."""

    def request(self, kwargs: Dict[str, Any]) -> Tuple[Any, Any]:
        """(model, prompt) of a request."""

    def answer(self, response: Any) -> Dict[str, Any]:
        """The event fields of a complete (non-streamed) answer."""

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


def _begin(provider: Provider, kwargs: Dict[str, Any]) -> Optional[LLMCall]:
    session = _take_session(kwargs)
    try:
        model, prompt = provider.request(kwargs)
    except ERRORS as e:
        logger.debug("could not read an LLM request: %r", e)
        model, prompt = None, None
    return LLMCall.start(session, model, prompt, kwargs)


def _settle(call: LLMCall, provider: Provider, result: Any, is_async: bool) -> None:
    try:
        # A raw response's `parse()` caches its answer: the caller's own gets the same object.
        answer = result.parse() if provider.is_raw(result) else result
        accumulator = provider.stream_accumulator(answer)
        if accumulator is None:
            call.finish(provider.answer(answer))
        elif is_async:
            observe_async(answer, call, accumulator)
        else:
            observe(answer, call, accumulator)
    except ERRORS as e:
        logger.debug("could not record an LLM answer: %r", e)
        call.finish()


def wrap_call(provider: Provider, is_async: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A `make_wrapper` for `Patches.wrap`. `is_async`: the method is awaited (the clients'
    async methods are plain functions returning a coroutine, so this is told, not guessed)."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        if is_async:

            @functools.wraps(original)
            async def async_call(*args: Any, **kwargs: Any) -> Any:
                call = _begin(provider, kwargs)
                if call is None:
                    return await original(*args, **kwargs)
                try:
                    result = await original(*args, **kwargs)
                except Exception as exc:
                    call.finish(error=exc)
                    raise
                _settle(call, provider, result, is_async=True)
                return result

            return async_call

        @functools.wraps(original)
        def sync_call(*args: Any, **kwargs: Any) -> Any:
            call = _begin(provider, kwargs)
            if call is None:
                return original(*args, **kwargs)
            try:
                result = original(*args, **kwargs)
            except Exception as exc:
                call.finish(error=exc)
                raise
            _settle(call, provider, result, is_async=False)
            return result

        return sync_call

    return make
