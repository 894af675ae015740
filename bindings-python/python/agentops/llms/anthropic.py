"""`anthropic`: `messages.create` (plain and `stream=True`) and the `messages.stream()`
helper, sync and async, patched on the resource classes. A stream's events are assembled
here into the `Message` a plain call gives; the core reads the event's fields (the prompt:
the messages with the `system` prompt first) out of the request and the answer."""

from __future__ import annotations

import functools
import importlib
import json
from typing import Any, Callable, Dict, List, Optional

from ..log_config import logger
from ._bodies import hook_response_parsing
from ._patches import Patches
from ._recording import ERRORS, LLMCall
from ._streams import observe, observe_async, patch_close
from ._wrappers import _begin, field, raw_response_types, recorder, wrap_call

SUPPORTED_MAJORS = (0, 1, 2)


class _Stream:
    """Assembles a `Message` from the raw stream events: `message_start` (model, input
    tokens), content blocks with their text and tool inputs joined across deltas, and the
    cumulative output tokens of `message_delta`."""

    def __init__(self) -> None:
        self.message: Dict[str, Any] = {"role": "assistant", "content": []}
        self.blocks: Dict[int, Dict[str, Any]] = {}
        self.partial_json: Dict[int, List[str]] = {}
        self.input_tokens = self.output_tokens = None

    def add(self, event: Any) -> None:
        kind = field(event, "type")
        if kind == "message_start":
            start = field(event, "message")
            self.message.update(id=field(start, "id"), model=field(start, "model"))
            usage = field(start, "usage")
            self.input_tokens = field(usage, "input_tokens")
            self.output_tokens = field(usage, "output_tokens")
        elif kind == "content_block_start":
            block = field(event, "content_block")
            dump = block.model_dump() if hasattr(block, "model_dump") else dict(block)
            self.blocks[field(event, "index") or 0] = dump
        elif kind == "content_block_delta":
            self._add_delta(field(event, "index") or 0, field(event, "delta"))
        elif kind == "message_delta":
            delta = field(event, "delta")
            self.message["stop_reason"] = field(delta, "stop_reason")
            usage = field(event, "usage")
            if field(usage, "output_tokens") is not None:
                self.output_tokens = field(usage, "output_tokens")  # cumulative

    def _add_delta(self, index: int, delta: Any) -> None:
        block = self.blocks.setdefault(index, {"type": "text", "text": ""})
        if field(delta, "type") == "text_delta":
            block["text"] = (block.get("text") or "") + (field(delta, "text") or "")
        elif field(delta, "type") == "input_json_delta":
            self.partial_json.setdefault(index, []).append(field(delta, "partial_json") or "")

    def answer(self) -> Dict[str, Any]:
        for index, parts in self.partial_json.items():
            try:
                self.blocks[index]["input"] = json.loads("".join(parts) or "{}")
            except ValueError:  # cut off mid-stream: the text as it came
                self.blocks[index]["input"] = "".join(parts)
        self.message["content"] = [self.blocks[i] for i in sorted(self.blocks)]
        usage = {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens}
        return dict(self.message, type="message", usage=usage)


class AnthropicMessages:
    def __init__(self) -> None:
        streaming = importlib.import_module("anthropic._streaming")
        self.stream_types = (streaming.Stream, streaming.AsyncStream)
        self.raw_types = raw_response_types("anthropic")
        self.wrapping_types = self.stream_types + self.raw_types
        self.api = "anthropic.messages"

    def stream_accumulator(self, response: Any) -> Optional[_Stream]:
        return _Stream() if isinstance(response, self.stream_types) else None

    def is_raw(self, response: Any) -> bool:
        return isinstance(response, self.raw_types)


# The `messages.stream()` managers keep the request they will make under these names.
_SYNC_REQUEST = "_MessageStreamManager__api_request"
_ASYNC_REQUEST = "_AsyncMessageStreamManager__api_request"


def _wrap_stream_helper(provider: AnthropicMessages, is_async: bool) -> Callable[[Any], Any]:
    """`messages.stream(...)` returns a manager that makes its request on `with`: the
    manager is returned as it is, its request observed (one event, made at the call)."""
    attribute = _ASYNC_REQUEST if is_async else _SYNC_REQUEST

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def stream(*args: Any, **kwargs: Any) -> Any:
            start = _begin(kwargs)
            call = None if start is None else recorder(start, provider)
            manager = original(*args, **kwargs)
            if call is None:
                return manager
            try:
                request = getattr(manager, attribute)
                setattr(manager, attribute, _observed_request(request, call, is_async))
            except ERRORS as e:  # another version's manager: left as it is, unrecorded
                logger.debug("could not observe messages.stream(): %r", e)
            return manager

        return stream

    return make


def _observed_request(request: Any, call: LLMCall, is_async: bool) -> Any:
    if is_async:

        async def make_async() -> Any:
            try:
                raw = await request
            except Exception as exc:
                call.finish(error=exc)
                raise
            _observe_safely(raw, call, is_async=True)
            return raw

        return make_async()

    def make_sync() -> Any:
        try:
            raw = request()
        except Exception as exc:
            call.finish(error=exc)
            raise
        _observe_safely(raw, call, is_async=False)
        return raw

    return make_sync


def _observe_safely(raw: Any, call: LLMCall, is_async: bool) -> None:
    try:
        (observe_async if is_async else observe)(raw, call, _Stream())
    except ERRORS as e:
        logger.debug("could not observe a message stream: %r", e)
        call.finish()


def instrument(module: Any, patches: Patches) -> None:
    provider = AnthropicMessages()
    if not hook_response_parsing(patches, "anthropic"):
        logger.debug("anthropic: no BaseClient._process_response_data; answers are read from their objects")
    resources = importlib.import_module("anthropic.resources.messages")
    for cls_name, is_async in (("Messages", False), ("AsyncMessages", True)):
        cls = getattr(resources, cls_name, None)
        if isinstance(cls, type):
            patches.wrap(cls, "create", wrap_call(provider, is_async))
            patches.wrap(cls, "stream", _wrap_stream_helper(provider, is_async))
    sync_stream, async_stream = provider.stream_types
    patch_close(patches, sync_stream, is_async=False)
    patch_close(patches, async_stream, is_async=True)
