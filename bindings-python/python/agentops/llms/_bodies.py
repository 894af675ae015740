"""A complete answer's HTTP bodies, for recording the call from them (the core reads them
on the uploader's thread, see `CallStart.record_exchange`). Both clients (openai and
anthropic, generated alike) parse every answer through `BaseClient._process_response_data`
with its HTTP response; that method is hooked to hand the response to the instrumented
call in progress in the same context."""

from __future__ import annotations

import contextvars
import functools
import importlib
from typing import Any, Callable, List, Optional, Tuple

from .. import _native
from ..log_config import logger
from ._patches import Patches
from ._recording import ERRORS

# The HTTP responses parsed during the instrumented call in progress in this context (None
# outside one). The hook appends the HTTP response when the list is still empty: the call's
# answer is the first one parsed.
RESPONSES: contextvars.ContextVar[Optional[List[Any]]] = contextvars.ContextVar("agentops_llm_responses", default=None)

# Whether the patches are the native `InstrumentedMethod`s where this interpreter allows
# them (see `_wrappers`); False: the Python wrappers everywhere (tests of that path).
NATIVE = True


def hook_response_parsing(patches: Patches, package: str) -> bool:
    """Hooks `package`'s `BaseClient._process_response_data`; False when it has none."""
    try:
        base_client = getattr(importlib.import_module(f"{package}._base_client"), "BaseClient", None)
    except ImportError:
        return False
    return isinstance(base_client, type) and patches.wrap(base_client, "_process_response_data", _hand_over)


def _hand_over(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps `_process_response_data(*, data, cast_to, response)`: natively where it can
    (the same steps without a Python frame), else in Python."""
    hook = _native.response_hook(original, RESPONSES) if NATIVE else None
    if hook is not None:
        functools.update_wrapper(hook, original)
        return hook

    @functools.wraps(original)
    def process_response_data(self: Any, *args: Any, **kwargs: Any) -> Any:
        responses = RESPONSES.get()
        if responses is not None and not responses:
            responses.append(kwargs.get("response"))
        return original(self, *args, **kwargs)

    return process_response_data


def bodies(http_response: Any) -> Optional[Tuple[Optional[bytes], bytes]]:
    """(the request body or None, the response body) of an httpx response read in full;
    None when its body cannot be read. Never raises."""
    try:
        body = http_response.content  # raises when it was not read
        try:
            request_body = http_response.request.content
        except ERRORS:  # a streamed request body
            request_body = None
        if type(body) is bytes and (request_body is None or type(request_body) is bytes):
            return request_body, body
    except ERRORS as e:
        logger.debug("could not read an LLM answer's HTTP bodies: %r", e)
    return None
