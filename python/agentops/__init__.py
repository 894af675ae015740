"""agentops: record AI-agent sessions (actions, LLM calls, tool calls, errors) — the
agentops 0.3 API on a Rust core.

    import agentops
    agentops.init(api_key="...")              # or init(exporter="file") to record locally
    agentops.record(agentops.ActionEvent(action_type="search", params={"q": "x"}, returns="ok"))
    agentops.end_session("Success")

Everything from agentops 0.3 is here with the same names, arguments and defaults. Where
this package differs: `end_session()` returns the token cost (0.3 returned None);
`get_session()` accepts a `str` as well as a `UUID`; `init()` takes `exporter=`,
`export_dir=` and a few timeouts; nothing is sent anywhere but the configured endpoint
(no version check), and no file is written unless you choose the file exporter.
"""

from __future__ import annotations

import uuid
from typing import Any, List, Optional, Union

from . import _native  # noqa: F401  (the native module loads first)
from .client import Client
from .decorators import record_action, record_function, record_tool, track_agent
from .enums import EndState, EventType
from .event import ActionEvent, ErrorEvent, Event, LLMEvent, ToolEvent
from .exceptions import AgentOpsError
from .log_config import logger
from .session import Session

__version__ = "0.3.27"

from . import client as _client_module  # noqa: E402


def init(
    api_key: Optional[str] = None,
    parent_key: Optional[str] = None,
    endpoint: Optional[str] = None,
    max_wait_time: Optional[int] = None,
    max_queue_size: Optional[int] = None,
    tags: Optional[List[str]] = None,
    default_tags: Optional[List[str]] = None,
    instrument_llm_calls: Optional[bool] = None,
    auto_start_session: Optional[bool] = None,
    inherited_session_id: Optional[str] = None,
    skip_auto_end_session: Optional[bool] = None,
    *,
    exporter: Optional[str] = None,
    export_dir: Optional[str] = None,
    env_data_opt_out: Optional[bool] = None,
    shutdown_timeout: Optional[float] = None,
    session_end_timeout: Optional[float] = None,
    request_timeout: Optional[float] = None,
    max_retry_time: Optional[float] = None,
) -> Optional[Session]:
    """Initialises agentops and (unless `auto_start_session=False`) starts a session,
    which is returned. Without an API key (argument or `AGENTOPS_API_KEY`) and without
    `exporter="file"` (or `AGENTOPS_EXPORTER=file`) it logs an error and returns None,
    starting nothing.

    Args (agentops 0.3): api_key, parent_key, endpoint (default https://api.agentops.ai),
    max_wait_time (ms, default 5000), max_queue_size (default 512), tags (deprecated:
    default_tags), default_tags, instrument_llm_calls (accepted; this package does not
    patch LLM libraries), auto_start_session (default True), inherited_session_id,
    skip_auto_end_session (default False).
    Keyword-only extras: exporter ("agentops" or "file"), export_dir (file exporter,
    default "agentops_sessions"), env_data_opt_out, shutdown_timeout (s, bound on the
    exit/signal delivery, default 5), session_end_timeout (s, default 5),
    request_timeout (s, default 10), max_retry_time (s, default 60).
    """
    c = Client()
    c.unsuppress_logs()
    if c.is_initialized:
        logger.warning(
            "AgentOps has already been initialized. If you are trying to start a session, call agentops.start_session() instead."
        )
        return None
    if tags is not None:
        logger.warning("The 'tags' parameter is deprecated. Use 'default_tags' instead")
        if default_tags is None:
            default_tags = tags
    extras = {
        "exporter": exporter,
        "export_dir": export_dir,
        "shutdown_timeout": shutdown_timeout,
        "session_end_timeout": session_end_timeout,
        "request_timeout": request_timeout,
        "max_retry_time": max_retry_time,
    }
    c.configure(
        api_key=api_key,
        parent_key=parent_key,
        endpoint=endpoint,
        max_wait_time=max_wait_time,
        max_queue_size=max_queue_size,
        default_tags=default_tags,
        instrument_llm_calls=instrument_llm_calls,
        auto_start_session=auto_start_session,
        skip_auto_end_session=skip_auto_end_session,
        env_data_opt_out=env_data_opt_out,
        **{k: v for k, v in extras.items() if v is not None},
    )
    if inherited_session_id is not None:
        if auto_start_session is False:
            c.add_pre_init_warning(
                "auto_start_session is set to False - inherited_session_id will not be used to automatically start a session"
            )
            return c.initialize()
        c.configure(auto_start_session=False)
        c.initialize()
        return c.start_session(inherited_session_id=inherited_session_id)
    return c.initialize()


def configure(
    api_key: Optional[str] = None,
    parent_key: Optional[str] = None,
    endpoint: Optional[str] = None,
    max_wait_time: Optional[int] = None,
    max_queue_size: Optional[int] = None,
    default_tags: Optional[List[str]] = None,
    instrument_llm_calls: Optional[bool] = None,
    auto_start_session: Optional[bool] = None,
    skip_auto_end_session: Optional[bool] = None,
    *,
    exporter: Optional[str] = None,
    export_dir: Optional[str] = None,
    env_data_opt_out: Optional[bool] = None,
    shutdown_timeout: Optional[float] = None,
    session_end_timeout: Optional[float] = None,
    request_timeout: Optional[float] = None,
    max_retry_time: Optional[float] = None,
) -> None:
    """Sets configuration values (refused with a warning while a session is running).
    Same arguments as `init` except tags / inherited_session_id."""
    extras = {
        "exporter": exporter,
        "export_dir": export_dir,
        "shutdown_timeout": shutdown_timeout,
        "session_end_timeout": session_end_timeout,
        "request_timeout": request_timeout,
        "max_retry_time": max_retry_time,
    }
    Client().configure(
        api_key=api_key,
        parent_key=parent_key,
        endpoint=endpoint,
        max_wait_time=max_wait_time,
        max_queue_size=max_queue_size,
        default_tags=default_tags,
        instrument_llm_calls=instrument_llm_calls,
        auto_start_session=auto_start_session,
        skip_auto_end_session=skip_auto_end_session,
        env_data_opt_out=env_data_opt_out,
        **{k: v for k, v in extras.items() if v is not None},
    )


def start_session(
    tags: Optional[List[str]] = None, inherited_session_id: Optional[Union[str, uuid.UUID]] = None
) -> Optional[Session]:
    """Starts a session (tags: default tags ∪ these). Returns it, or None (not
    initialised, invalid inherited id, backend refused) with a logged reason."""
    c = Client()
    c.unsuppress_logs()
    if not c.is_initialized:
        logger.warning("AgentOps has not been initialized yet. Please call agentops.init() before starting a session")
        return None
    return c.start_session(tags, inherited_session_id)


def end_session(
    end_state: str,
    end_state_reason: Optional[str] = None,
    video: Optional[str] = None,
    is_auto_end: Optional[bool] = False,
) -> Optional[Any]:
    """Ends the only open session and returns its token cost (`decimal.Decimal`, or None
    when unknown). Warns and does nothing with zero or several sessions open, or with an
    invalid end state (the session stays open). A second call sends nothing."""
    c = Client()
    if not c.is_initialized:
        logger.warning("Could not end session - AgentOps is not initialized")
        return None
    return c.end_session(end_state=end_state, end_state_reason=end_state_reason, video=video, is_auto_end=is_auto_end)


def record(event: Union[Event, ErrorEvent]) -> None:
    """Records an event into the only open session (warns if there are none or several;
    use `session.record(...)` then)."""
    c = _client_module._singleton
    native = c._native if c is not None else None
    if native is None:
        logger.warning("Could not record event - AgentOps is not initialized. Call agentops.init() first")
        return
    native.record(event)


def add_tags(tags: List[str]) -> None:
    """Adds tags to the only open session (a `str` is one tag)."""
    Client().add_tags(tags)


def set_tags(tags: List[str]) -> None:
    """Replaces the tags of the only open session (a `str` is one tag)."""
    Client().set_tags(tags)


def create_agent(name: str, agent_id: Optional[str] = None) -> str:
    """Registers an agent with the only open session (or the next session started) and
    returns its id."""
    return Client().create_agent(name=name, agent_id=agent_id)


def get_api_key() -> Optional[str]:
    return Client().api_key


def set_api_key(api_key: str) -> None:
    Client().configure(api_key=api_key)


def set_parent_key(parent_key: str) -> None:
    Client().configure(parent_key=parent_key)


def end_all_sessions() -> None:
    """Ends every open session as Indeterminate."""
    Client().end_all_sessions()


def get_session(session_id: Union[str, uuid.UUID]) -> Optional[Session]:
    """The open session with this id (`str` or `uuid.UUID`), or None."""
    return Client().get_session(session_id)


def stop_instrumenting() -> None:
    """No-op kept for compatibility: this package does not patch LLM libraries."""
    Client().stop_instrumenting()


__all__ = [
    "init",
    "configure",
    "start_session",
    "end_session",
    "record",
    "add_tags",
    "set_tags",
    "create_agent",
    "get_api_key",
    "set_api_key",
    "set_parent_key",
    "end_all_sessions",
    "get_session",
    "stop_instrumenting",
    "record_action",
    "record_tool",
    "record_function",
    "track_agent",
    "Client",
    "Session",
    "Event",
    "ActionEvent",
    "LLMEvent",
    "ToolEvent",
    "ErrorEvent",
    "EndState",
    "EventType",
    "AgentOpsError",
    "logger",
    "__version__",
]
