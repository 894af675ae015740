"""agentops 0.3's LangChain callback handlers: `LangchainCallbackHandler` (sync) and
`AsyncLangchainCallbackHandler`, with 0.3's constructor arguments. Pass one in LangChain's
`callbacks` and every run is recorded (see `_langchain_runs` for the mapping). This module
needs `langchain-core`; `import agentops` alone never imports LangChain."""

from __future__ import annotations

from typing import Any, Callable, Coroutine, List, Optional

try:
    from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler
except ImportError as e:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "agentops' LangChain callback handlers need LangChain: install it with `pip install langchain-core`"
    ) from e

from ._langchain_runs import CALLBACKS, Runs


def _forward(callback: str) -> Callable[..., None]:
    def method(self: Any, *args: Any, **kwargs: Any) -> None:
        self._runs.handle(callback, args, kwargs)

    method.__name__ = callback
    return method


def _forward_async(callback: str) -> Callable[..., Coroutine[Any, Any, None]]:
    async def method(self: Any, *args: Any, **kwargs: Any) -> None:
        self._runs.handle(callback, args, kwargs)

    method.__name__ = callback
    return method


class _Setup:
    """What both handlers share: 0.3's constructor arguments and `current_session_ids`."""

    def __init__(
        self,
        api_key: Optional[str] = None,
        endpoint: Optional[str] = None,
        max_wait_time: Optional[int] = None,
        max_queue_size: Optional[int] = None,
        default_tags: Optional[List[str]] = None,
        tags: Optional[List[str]] = None,
    ) -> None:
        # `tags` is what 0.3's async handler called its default tags.
        self._runs = Runs.for_options(
            api_key=api_key,
            endpoint=endpoint,
            max_wait_time=max_wait_time,
            max_queue_size=max_queue_size,
            default_tags=default_tags if default_tags is not None else tags,
        )

    @property
    def current_session_ids(self) -> List[str]:
        return list(self._runs.client.current_session_ids)


class LangchainCallbackHandler(_Setup, BaseCallbackHandler):
    """Records LangChain runs into the agentops session (0.3's arguments)."""


class AsyncLangchainCallbackHandler(_Setup, AsyncCallbackHandler):
    """The async handler: the same arguments and mapping."""


for _callback in CALLBACKS:
    setattr(LangchainCallbackHandler, _callback, _forward(_callback))
    setattr(AsyncLangchainCallbackHandler, _callback, _forward_async(_callback))

__all__ = ["LangchainCallbackHandler", "AsyncLangchainCallbackHandler"]
