"""agentops: record AI-agent sessions (actions, LLM calls, tool calls, errors) — the
agentops 0.3 API on a Rust core.

    import agentops
    agentops.init(api_key="...")              # or init(exporter="file") to record locally
    agentops.record(agentops.ActionEvent(action_type="search", params={"q": "x"}, returns="ok"))
    agentops.end_session("Success")

Everything from agentops 0.3 is here with the same names, arguments and defaults. Where
this package differs: `end_session()` returns the token cost (0.3 returned None);
`get_session()` accepts a `str` as well as a `UUID`; `init()` and `configure()` take every
option of the core's table (`exporter=`, `export_dir=`, timeouts, buffer bounds) as
keywords; nothing is sent anywhere but the configured endpoint (no version check), and no
file is written unless you choose the file exporter.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Mapping, Optional, Union

from . import (
    _native,  # noqa: F401  (the native module loads first)
    _options,
)
from .client import Client
from .decorators import record_action, record_function, record_tool, track_agent
from .enums import EndState, EventType
from .event import ActionEvent, ErrorEvent, Event, LLMEvent, ToolEvent
from .exceptions import AgentOpsError
from .log_config import logger
from .session import Session

__version__ = "0.3.27"


def _given(values: Dict[str, Any]) -> Dict[str, Any]:
    """The options among a function's arguments that were given (not None)."""
    return {k: v for k, v in values.items() if k in _options.KEYWORDS and v is not None}


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
    env_data_opt_out: Optional[bool] = None,
    # options:begin
    exporter: Optional[str] = None,
    export_dir: Optional[str] = None,
    otlp_endpoint: Optional[str] = None,
    otlp_traces_endpoint: Optional[str] = None,
    otlp_headers: Optional[Union[str, Mapping[str, str]]] = None,
    otlp_timeout: Optional[float] = None,
    otlp_compression: Optional[str] = None,
    otlp_protocol: Optional[str] = None,
    service_name: Optional[str] = None,
    resource_attributes: Optional[Union[str, Mapping[str, str]]] = None,
    max_buffered_events: Optional[int] = None,
    max_buffered_bytes: Optional[int] = None,
    max_field_bytes: Optional[int] = None,
    request_timeout: Optional[float] = None,
    max_retry_time: Optional[float] = None,
    retry_initial_backoff: Optional[float] = None,
    retry_max_backoff: Optional[float] = None,
    session_start_timeout: Optional[float] = None,
    session_end_timeout: Optional[float] = None,
    shutdown_timeout: Optional[float] = None,
    # options:end
) -> Optional[Session]:
    """Initialises agentops and (unless `auto_start_session=False`) starts a session,
    which is returned. Without an API key (argument or `AGENTOPS_API_KEY`) and without
    `exporter="file"` (or `AGENTOPS_EXPORTER=file`) it logs an error and returns None,
    starting nothing; so does an invalid value. `tags` is agentops 0.3's deprecated name
    of `default_tags`; `inherited_session_id` continues a session started elsewhere.
    Values given here override the environment variables.

    Options (from the core's option table):
      api_key (AGENTOPS_API_KEY, UUID; default none): Project API key. Sent only to create and re-authorise sessions; never logged.
      parent_key (AGENTOPS_PARENT_KEY, UUID; default none): Parent (organisation) key, sent only when a session is created.
      endpoint (AGENTOPS_API_ENDPOINT, URL; default https://api.agentops.ai): Base URL of the AgentOps backend.
      max_wait_time (AGENTOPS_MAX_WAIT_TIME, number; default 5000 ms): A session's pending events are sent at most this long after the first of them.
      max_queue_size (AGENTOPS_MAX_QUEUE_SIZE, integer; default 512 events): Events per request: a session's batch is sent as soon as it holds this many.
      default_tags (AGENTOPS_DEFAULT_TAGS, list of tags; default none): Tags of every session (comma-separated in the environment); setting them again adds to them.
      instrument_llm_calls (AGENTOPS_INSTRUMENT_LLM_CALLS, boolean; default true): Record LLM client calls automatically: openai and anthropic in Python, openai in Node.
      auto_start_session (AGENTOPS_AUTO_START_SESSION, boolean; default true): `init` starts a session.
      skip_auto_end_session (AGENTOPS_SKIP_AUTO_END_SESSION, boolean; default false): Leave sessions open when the process exits (their events are still delivered).
      env_data_opt_out (AGENTOPS_ENV_DATA_OPT_OUT, boolean; default false): Send no host environment details with sessions.
      exporter (AGENTOPS_EXPORTER, exporter; default agentops when a key is set, else nothing starts): Where sessions go: `agentops` (the REST v2 API), `file` (local JSONL files, no key needed) or `otlp` (OTLP/HTTP traces to an OpenTelemetry Collector, no key needed).
      export_dir (AGENTOPS_EXPORT_DIR, path; default agentops_sessions): Directory of the file exporter: one `<session id>.jsonl` per session.
      otlp_endpoint (OTEL_EXPORTER_OTLP_ENDPOINT, URL; default http://localhost:4318): Base URL of the OTLP exporter; traces go to `<base>/v1/traces`.
      otlp_traces_endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, URL; default otlp_endpoint + /v1/traces): Full URL the OTLP exporter posts traces to, used as given (overrides `otlp_endpoint`).
      otlp_headers (OTEL_EXPORTER_OTLP_HEADERS, headers; default none): Headers of every OTLP request, `key=value` pairs separated by commas (values percent-decoded; never logged).
      otlp_timeout (OTEL_EXPORTER_OTLP_TIMEOUT, number; default 10000 ms): Bound on every OTLP request.
      otlp_compression (OTEL_EXPORTER_OTLP_COMPRESSION, compression; default none): `gzip` to compress OTLP request bodies, or `none`.
      otlp_protocol (OTEL_EXPORTER_OTLP_PROTOCOL, protocol; default http/json): OTLP request bodies: `http/json`, or `http/protobuf` (smaller, cheaper for a Collector to read).
      service_name (OTEL_SERVICE_NAME, text; default unknown_service:<executable>): The `service.name` of the OTLP resource (overrides one in `resource_attributes`).
      resource_attributes (OTEL_RESOURCE_ATTRIBUTES, attributes; default none): More OTLP resource attributes, `key=value` pairs separated by commas (percent-decoded).
      max_buffered_events (AGENTOPS_MAX_BUFFERED_EVENTS, integer; default 131072 events): Bound on events recorded but not yet delivered; beyond it new events are dropped and counted, never waited for.
      max_buffered_bytes (AGENTOPS_MAX_BUFFERED_BYTES, integer; default 67108864 bytes): Bound on the estimated size of those events.
      max_field_bytes (AGENTOPS_MAX_FIELD_BYTES, integer; default 67108864 bytes): A payload or text field longer than this is cut, with a marker saying how much; fields are also cut so that one event fits the buffer.
      request_timeout (AGENTOPS_REQUEST_TIMEOUT, number; default 10 s): Bound on every HTTP request.
      max_retry_time (AGENTOPS_MAX_RETRY_TIME, number; default 60 s): Bound on the total time one request is retried before its events are dropped and counted.
      retry_initial_backoff (AGENTOPS_RETRY_INITIAL_BACKOFF, number; default 0.1 s): First retry delay; it doubles per attempt (±20 % jitter) up to `retry_max_backoff`.
      retry_max_backoff (AGENTOPS_RETRY_MAX_BACKOFF, number; default 5 s): Longest retry delay (a `Retry-After` answer is obeyed up to 30 s).
      session_start_timeout (AGENTOPS_SESSION_START_TIMEOUT, number; default 2 s): How long starting a session waits for the backend; a slow backend still yields a session.
      session_end_timeout (AGENTOPS_SESSION_END_TIMEOUT, number; default 5 s): How long ending a session waits for its events and final update to be delivered.
      shutdown_timeout (AGENTOPS_SHUTDOWN_TIMEOUT, number; default 5 s): Bound on the delivery at exit, on a signal and when the client is dropped.
    (end of options)
    """
    values = _given(locals())
    c = Client()
    c.unsuppress_logs()
    if c.is_initialized:
        logger.warning(
            "AgentOps has already been initialized. If you are trying to start a session, call agentops.start_session() instead."
        )
        return None
    if tags is not None:
        logger.warning("The 'tags' parameter is deprecated. Use 'default_tags' instead")
        values.setdefault("default_tags", tags)
    error = c.set_options(values)
    if error is not None:
        logger.error("Could not initialize AgentOps client - %s", error)
        return None
    if inherited_session_id is not None:
        if auto_start_session is False:
            c.add_pre_init_warning(
                "auto_start_session is set to False - inherited_session_id will not be used to automatically start a session"
            )
            return c.initialize()
        c.set_options({"auto_start_session": False})
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
    env_data_opt_out: Optional[bool] = None,
    *,
    # options:begin
    exporter: Optional[str] = None,
    export_dir: Optional[str] = None,
    otlp_endpoint: Optional[str] = None,
    otlp_traces_endpoint: Optional[str] = None,
    otlp_headers: Optional[Union[str, Mapping[str, str]]] = None,
    otlp_timeout: Optional[float] = None,
    otlp_compression: Optional[str] = None,
    otlp_protocol: Optional[str] = None,
    service_name: Optional[str] = None,
    resource_attributes: Optional[Union[str, Mapping[str, str]]] = None,
    max_buffered_events: Optional[int] = None,
    max_buffered_bytes: Optional[int] = None,
    max_field_bytes: Optional[int] = None,
    request_timeout: Optional[float] = None,
    max_retry_time: Optional[float] = None,
    retry_initial_backoff: Optional[float] = None,
    retry_max_backoff: Optional[float] = None,
    session_start_timeout: Optional[float] = None,
    session_end_timeout: Optional[float] = None,
    shutdown_timeout: Optional[float] = None,
    # options:end
) -> None:
    """Sets configuration values (refused with a warning while a session is running; an
    invalid value is logged and ignored). `default_tags` add to the existing ones.

    Options (from the core's option table):
      api_key (AGENTOPS_API_KEY, UUID; default none): Project API key. Sent only to create and re-authorise sessions; never logged.
      parent_key (AGENTOPS_PARENT_KEY, UUID; default none): Parent (organisation) key, sent only when a session is created.
      endpoint (AGENTOPS_API_ENDPOINT, URL; default https://api.agentops.ai): Base URL of the AgentOps backend.
      max_wait_time (AGENTOPS_MAX_WAIT_TIME, number; default 5000 ms): A session's pending events are sent at most this long after the first of them.
      max_queue_size (AGENTOPS_MAX_QUEUE_SIZE, integer; default 512 events): Events per request: a session's batch is sent as soon as it holds this many.
      default_tags (AGENTOPS_DEFAULT_TAGS, list of tags; default none): Tags of every session (comma-separated in the environment); setting them again adds to them.
      instrument_llm_calls (AGENTOPS_INSTRUMENT_LLM_CALLS, boolean; default true): Record LLM client calls automatically: openai and anthropic in Python, openai in Node.
      auto_start_session (AGENTOPS_AUTO_START_SESSION, boolean; default true): `init` starts a session.
      skip_auto_end_session (AGENTOPS_SKIP_AUTO_END_SESSION, boolean; default false): Leave sessions open when the process exits (their events are still delivered).
      env_data_opt_out (AGENTOPS_ENV_DATA_OPT_OUT, boolean; default false): Send no host environment details with sessions.
      exporter (AGENTOPS_EXPORTER, exporter; default agentops when a key is set, else nothing starts): Where sessions go: `agentops` (the REST v2 API), `file` (local JSONL files, no key needed) or `otlp` (OTLP/HTTP traces to an OpenTelemetry Collector, no key needed).
      export_dir (AGENTOPS_EXPORT_DIR, path; default agentops_sessions): Directory of the file exporter: one `<session id>.jsonl` per session.
      otlp_endpoint (OTEL_EXPORTER_OTLP_ENDPOINT, URL; default http://localhost:4318): Base URL of the OTLP exporter; traces go to `<base>/v1/traces`.
      otlp_traces_endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, URL; default otlp_endpoint + /v1/traces): Full URL the OTLP exporter posts traces to, used as given (overrides `otlp_endpoint`).
      otlp_headers (OTEL_EXPORTER_OTLP_HEADERS, headers; default none): Headers of every OTLP request, `key=value` pairs separated by commas (values percent-decoded; never logged).
      otlp_timeout (OTEL_EXPORTER_OTLP_TIMEOUT, number; default 10000 ms): Bound on every OTLP request.
      otlp_compression (OTEL_EXPORTER_OTLP_COMPRESSION, compression; default none): `gzip` to compress OTLP request bodies, or `none`.
      otlp_protocol (OTEL_EXPORTER_OTLP_PROTOCOL, protocol; default http/json): OTLP request bodies: `http/json`, or `http/protobuf` (smaller, cheaper for a Collector to read).
      service_name (OTEL_SERVICE_NAME, text; default unknown_service:<executable>): The `service.name` of the OTLP resource (overrides one in `resource_attributes`).
      resource_attributes (OTEL_RESOURCE_ATTRIBUTES, attributes; default none): More OTLP resource attributes, `key=value` pairs separated by commas (percent-decoded).
      max_buffered_events (AGENTOPS_MAX_BUFFERED_EVENTS, integer; default 131072 events): Bound on events recorded but not yet delivered; beyond it new events are dropped and counted, never waited for.
      max_buffered_bytes (AGENTOPS_MAX_BUFFERED_BYTES, integer; default 67108864 bytes): Bound on the estimated size of those events.
      max_field_bytes (AGENTOPS_MAX_FIELD_BYTES, integer; default 67108864 bytes): A payload or text field longer than this is cut, with a marker saying how much; fields are also cut so that one event fits the buffer.
      request_timeout (AGENTOPS_REQUEST_TIMEOUT, number; default 10 s): Bound on every HTTP request.
      max_retry_time (AGENTOPS_MAX_RETRY_TIME, number; default 60 s): Bound on the total time one request is retried before its events are dropped and counted.
      retry_initial_backoff (AGENTOPS_RETRY_INITIAL_BACKOFF, number; default 0.1 s): First retry delay; it doubles per attempt (±20 % jitter) up to `retry_max_backoff`.
      retry_max_backoff (AGENTOPS_RETRY_MAX_BACKOFF, number; default 5 s): Longest retry delay (a `Retry-After` answer is obeyed up to 30 s).
      session_start_timeout (AGENTOPS_SESSION_START_TIMEOUT, number; default 2 s): How long starting a session waits for the backend; a slow backend still yields a session.
      session_end_timeout (AGENTOPS_SESSION_END_TIMEOUT, number; default 5 s): How long ending a session waits for its events and final update to be delivered.
      shutdown_timeout (AGENTOPS_SHUTDOWN_TIMEOUT, number; default 5 s): Bound on the delivery at exit, on a signal and when the client is dropped.
    (end of options)
    """
    Client().configure(**_given(locals()))


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


record = _native.record
"""Records an event into the only open session (warns if there are none or several;
use `session.record(...)` then). Never raises."""


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
    """Stops recording LLM calls automatically: the clients' original functions are back."""
    Client().stop_instrumenting()


_LANGCHAIN_HANDLERS = ("LangchainCallbackHandler", "AsyncLangchainCallbackHandler")


def __getattr__(name: str) -> Any:
    """The LangChain handlers, imported (with LangChain) only when asked for."""
    if name in _LANGCHAIN_HANDLERS:
        from .partners import langchain_callback_handler

        return getattr(langchain_callback_handler, name)
    raise AttributeError(f"module 'agentops' has no attribute {name!r}")


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
