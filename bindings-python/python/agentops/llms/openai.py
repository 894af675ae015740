"""`openai` (1.x to 3.x): `chat.completions.create` (plain and `stream=True`, which the
`.stream()` helper goes through) and `chat.completions.parse`, sync and async, patched on
the resource classes, so clients made before `init()` are covered too.

A complete answer is recorded from its HTTP bodies (see `_bodies`); where the hook or the
bodies are missing, from the answer object as data. A stream's chunks are assembled here into
the answer a plain call gives. The core reads the event's fields out of either."""

from __future__ import annotations

import importlib
from typing import Any, Dict, Optional

from ..log_config import logger
from ._bodies import hook_response_parsing
from ._patches import Patches
from ._streams import patch_close
from ._wrappers import field, wrap_call
from ._wrappers import raw_response_types as _raw_response_types

SUPPORTED_MAJORS = (1, 2, 3)
# Modules that hold the chat completion resources, by version (parse moved out of beta).
_RESOURCE_MODULES = ("openai.resources.chat.completions", "openai.resources.beta.chat.completions")


class _Stream:
    """Assembles `ChatCompletionChunk`s into a `chat.completion`: the assistant message's
    content, and complete tool calls with their arguments joined across chunks (choice 0, as
    the event holds one completion), the model and the usage chunk."""

    def __init__(self) -> None:
        self.id = self.model = self.finish_reason = None
        self.role = "assistant"
        self.content: list = []
        self.tool_calls: Dict[int, Dict[str, Any]] = {}
        self.usage: Any = None

    def add(self, chunk: Any) -> None:
        self.id = field(chunk, "id") or self.id
        self.model = field(chunk, "model") or self.model
        self.usage = field(chunk, "usage") or self.usage
        for choice in field(chunk, "choices") or ():
            if field(choice, "index") not in (0, None):
                continue
            self.finish_reason = field(choice, "finish_reason") or self.finish_reason
            delta = field(choice, "delta")
            if delta is None:
                continue
            self.role = field(delta, "role") or self.role
            if field(delta, "content"):
                self.content.append(field(delta, "content"))
            for call in field(delta, "tool_calls") or ():
                self._add_tool_call(call)

    def _add_tool_call(self, call: Any) -> None:
        index = field(call, "index") or 0
        entry = self.tool_calls.setdefault(
            index, {"id": None, "type": "function", "function": {"name": "", "arguments": ""}}
        )
        entry["id"] = field(call, "id") or entry["id"]
        entry["type"] = field(call, "type") or entry["type"]
        function = field(call, "function")
        if function is not None:
            entry["function"]["name"] += field(function, "name") or ""
            entry["function"]["arguments"] += field(function, "arguments") or ""

    def answer(self) -> Dict[str, Any]:
        message: Dict[str, Any] = {"role": self.role, "content": "".join(self.content) if self.content else None}
        if self.tool_calls:
            message["tool_calls"] = [self.tool_calls[i] for i in sorted(self.tool_calls)]
        return {
            "id": self.id,
            "object": "chat.completion",
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": self.finish_reason}],
            "usage": self.usage,
        }


class OpenAIChat:
    def __init__(self, module: Any) -> None:
        streaming = importlib.import_module("openai._streaming")
        self.stream_types = (streaming.Stream, streaming.AsyncStream)
        self.raw_types = _raw_response_types("openai")
        self.wrapping_types = self.stream_types + self.raw_types
        self.api = "openai.chat"

    def stream_accumulator(self, response: Any) -> Optional[_Stream]:
        return _Stream() if isinstance(response, self.stream_types) else None

    def is_raw(self, response: Any) -> bool:
        return isinstance(response, self.raw_types)


def instrument(module: Any, patches: Patches) -> None:
    provider = OpenAIChat(module)
    if not hook_response_parsing(patches, "openai"):
        logger.debug("openai: no BaseClient._process_response_data; answers are read from their objects")
    for name in _RESOURCE_MODULES:
        try:
            resources = importlib.import_module(name)
        except ImportError:
            continue
        for cls_name in ("Completions", "AsyncCompletions"):
            cls = getattr(resources, cls_name, None)
            if isinstance(cls, type):
                for method in ("create", "parse"):
                    patches.wrap(cls, method, wrap_call(provider, is_async=cls_name.startswith("Async")))
    sync_stream, async_stream = provider.stream_types
    patch_close(patches, sync_stream, is_async=False)
    patch_close(patches, async_stream, is_async=True)
