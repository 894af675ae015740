"""Streams stay the very objects the client returned: the items are observed by replacing
the stream's own `_iterator` with a generator that passes each item through unchanged
after showing it to an accumulator. The call is finished when the iteration ends or fails,
when the stream is closed (its class's `close` is patched), or when it is garbage-collected
(`weakref.finalize`) — whichever comes first, once."""

from __future__ import annotations

import time
import weakref
from typing import Any, AsyncIterator, Callable, Iterator, Optional

from ..log_config import logger
from ._patches import Patches
from ._recording import ERRORS, LLMCall

# Streams being observed, for the `close` patch.
_OBSERVED: "weakref.WeakKeyDictionary[Any, _Observer]" = weakref.WeakKeyDictionary()


class _Observer:
    """Never holds the stream (so a dropped stream is freed, and finalised, as before)."""

    def __init__(self, call: LLMCall, accumulator: Any) -> None:
        self.call = call
        self.accumulator = accumulator

    def item(self, item: Any) -> None:
        try:
            self.accumulator.add(item)
            self.call.last_item_at = time.time()
        except ERRORS as e:
            logger.debug("could not read a stream item: %r", e)

    def done(self, error: Optional[BaseException] = None) -> None:
        try:
            answer = self.accumulator.answer()
        except ERRORS as e:
            logger.debug("could not assemble a streamed answer: %r", e)
            answer = None
        self.call.finish(answer, error)


def _register(stream: Any, observer: _Observer) -> None:
    weakref.finalize(stream, observer.done)
    try:
        _OBSERVED[stream] = observer
    except TypeError:  # an unhashable stream: finished by its end or its finalizer
        pass


def observe(stream: Any, call: LLMCall, accumulator: Any) -> None:
    """Observes a sync stream (an object iterating over its `_iterator`)."""
    observer = _Observer(call, accumulator)
    inner: Iterator[Any] = stream._iterator

    def items() -> Iterator[Any]:
        try:
            for item in inner:
                observer.item(item)
                yield item
        except Exception as exc:
            observer.done(exc)
            raise
        finally:
            observer.done()

    stream._iterator = items()
    _register(stream, observer)


def observe_async(stream: Any, call: LLMCall, accumulator: Any) -> None:
    """Observes an async stream (an object iterating over its async `_iterator`)."""
    observer = _Observer(call, accumulator)
    inner: AsyncIterator[Any] = stream._iterator

    async def items() -> AsyncIterator[Any]:
        try:
            async for item in inner:
                observer.item(item)
                yield item
        except Exception as exc:
            observer.done(exc)
            raise
        finally:
            observer.done()

    stream._iterator = items()
    _register(stream, observer)


def _finish_observed(stream: Any) -> None:
    try:
        observer = _OBSERVED.get(stream)
    except TypeError:
        return
    if observer is not None:
        observer.done()


def patch_close(patches: Patches, stream_class: type, is_async: bool) -> None:
    """A closed stream's call is finished at once (not when the stream is collected)."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        if is_async:

            async def aclose(self: Any, *args: Any, **kwargs: Any) -> Any:
                try:
                    return await original(self, *args, **kwargs)
                finally:
                    _finish_observed(self)

            return aclose

        def close(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(self, *args, **kwargs)
            finally:
                _finish_observed(self)

        return close

    patches.wrap(stream_class, "close", make)
