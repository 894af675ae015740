"""Type stubs for `agentops._native`, the Rust binding (checked in CI with
`python -m mypy.stubtest agentops._native`)."""

from decimal import Decimal
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, TypeVar, Union, final
from uuid import UUID

from typing_extensions import disjoint_base

_T = TypeVar("_T")

__all__ = [
    "ActionEvent",
    "AgentOpsError",
    "CORE_VERSION",
    "Client",
    "ConfigError",
    "EXIT_REASON",
    "ErrorEvent",
    "Event",
    "ExportIOError",
    "InvalidArgumentError",
    "LLMEvent",
    "MissingApiKeyError",
    "NON_SERIALIZABLE_FORMAT",
    "Options",
    "PanicException",
    "QueueFullError",
    "Session",
    "SessionEndedError",
    "SessionRefusedError",
    "ShutDownError",
    "ToolEvent",
    "UploaderFailedError",
    "disable_log_forwarding",
    "enable_log_forwarding",
    "env_vars",
    "replay_main",
    "set_agent_context",
    "record",
    "set_current_client",
    "instrumented_method",
    "response_hook",
    "set_log_level",
    "to_json",
]

EXIT_REASON: str
CORE_VERSION: str
NON_SERIALIZABLE_FORMAT: str

# -- errors ------------------------------------------------------------------------------

class AgentOpsError(Exception):
    code: str
    http_status: Optional[int]

class ConfigError(AgentOpsError): ...
class MissingApiKeyError(ConfigError): ...
class InvalidArgumentError(AgentOpsError): ...
class SessionRefusedError(AgentOpsError): ...
class SessionEndedError(AgentOpsError): ...
class ShutDownError(AgentOpsError): ...
class QueueFullError(AgentOpsError): ...
class UploaderFailedError(AgentOpsError): ...
class ExportIOError(AgentOpsError): ...
class PanicException(BaseException): ...

# -- events ------------------------------------------------------------------------------

@disjoint_base
class Event:
    """Base event; used directly, the generic event of the original docs."""

    params: Any
    returns: Any
    result: Any
    model: Any
    prompt: Any
    tags: Any
    def __new__(
        cls,
        event_type: Any,
        params: Any = None,
        returns: Any = None,
        init_timestamp: Any = None,
        end_timestamp: Any = None,
        agent_id: Any = None,
        id: Any = None,
        session_id: Any = None,
        *,
        result: Any = None,
        action_type: Any = None,
        model: Any = None,
        prompt: Any = None,
        tags: Any = None,
    ) -> Event: ...
    @property
    def event_type(self) -> Any: ...
    @event_type.setter
    def event_type(self, value: Any) -> None: ...
    @property
    def action_type(self) -> Any: ...
    @action_type.setter
    def action_type(self, value: Any) -> None: ...
    @property
    def id(self) -> UUID: ...
    @id.setter
    def id(self, value: Union[UUID, str]) -> None: ...
    @property
    def init_timestamp(self) -> str: ...
    @init_timestamp.setter
    def init_timestamp(self, value: Any) -> None: ...
    @property
    def end_timestamp(self) -> Optional[str]: ...
    @end_timestamp.setter
    def end_timestamp(self, value: Any) -> None: ...
    @property
    def agent_id(self) -> Optional[UUID]: ...
    @agent_id.setter
    def agent_id(self, value: Any) -> None: ...
    @property
    def session_id(self) -> Optional[UUID]: ...
    @session_id.setter
    def session_id(self, value: Any) -> None: ...

@disjoint_base
class ActionEvent(Event):
    action_type: Any  # type: ignore[assignment]
    logs: Any
    screenshot: Any
    def __new__(
        cls,
        event_type: Any = None,
        params: Any = None,
        returns: Any = None,
        init_timestamp: Any = None,
        end_timestamp: Any = None,
        agent_id: Any = None,
        id: Any = None,
        session_id: Any = None,
        action_type: Any = None,
        logs: Any = None,
        screenshot: Any = None,
    ) -> ActionEvent: ...

@disjoint_base
class LLMEvent(Event):
    thread_id: Any
    prompt: Any
    prompt_tokens: Any
    completion: Any
    completion_tokens: Any
    cost: Any
    model: Any
    def __new__(
        cls,
        event_type: Any = None,
        params: Any = None,
        returns: Any = None,
        init_timestamp: Any = None,
        end_timestamp: Any = None,
        agent_id: Any = None,
        id: Any = None,
        session_id: Any = None,
        thread_id: Any = None,
        prompt: Any = None,
        prompt_tokens: Any = None,
        completion: Any = None,
        completion_tokens: Any = None,
        cost: Any = None,
        model: Any = None,
    ) -> LLMEvent: ...
    def _read_fields_as(self, api: str) -> None: ...

@disjoint_base
class ToolEvent(Event):
    name: Any
    logs: Any
    def __new__(
        cls,
        event_type: Any = None,
        params: Any = None,
        returns: Any = None,
        init_timestamp: Any = None,
        end_timestamp: Any = None,
        agent_id: Any = None,
        id: Any = None,
        session_id: Any = None,
        name: Any = None,
        logs: Any = None,
    ) -> ToolEvent: ...

@disjoint_base
class ErrorEvent(Event):
    trigger_event: Any
    exception: Any
    error_type: Any
    code: Any
    details: Any
    logs: Any
    trigger_event_type: Any
    def __new__(
        cls,
        event_type: Any = None,
        params: Any = None,
        returns: Any = None,
        init_timestamp: Any = None,
        end_timestamp: Any = None,
        agent_id: Any = None,
        id: Any = None,
        session_id: Any = None,
        trigger_event: Any = None,
        exception: Any = None,
        error_type: Any = None,
        code: Any = None,
        details: Any = None,
        logs: Any = None,
    ) -> ErrorEvent: ...
    @property
    def trigger_event_id(self) -> Optional[UUID]: ...
    @trigger_event_id.setter
    def trigger_event_id(self, value: Any) -> None: ...
    @property
    def timestamp(self) -> str: ...

# -- sessions ----------------------------------------------------------------------------

@final
class Session:
    def record(self, event: Event, flush_now: bool = False) -> None: ...
    def record_llm_exchange(self, api: str, started: float, request: Optional[bytes], response: bytes) -> None: ...
    def end_session(
        self, end_state: Any = None, end_state_reason: Any = None, video: Any = None
    ) -> Optional[Decimal]: ...
    def end_within(
        self, end_state: Any, end_state_reason: Optional[str] = None, timeout: Optional[float] = None
    ) -> bool: ...
    def add_tags(self, tags: Union[str, Iterable[Any]]) -> None: ...
    def set_tags(self, tags: Union[str, Iterable[Any]]) -> None: ...
    def set_video(self, video: Any) -> None: ...
    def create_agent(self, name: Any, agent_id: Any = None) -> str: ...
    def get_analytics(self) -> Dict[str, Any]: ...
    def patch(self, func: Callable[..., _T]) -> Callable[..., _T]: ...
    @property
    def session_id(self) -> UUID: ...
    @property
    def session_url(self) -> str: ...
    @property
    def export_path(self) -> Optional[str]: ...
    @property
    def replay_line(self) -> str: ...
    @property
    def is_running(self) -> bool: ...
    @property
    def status(self) -> str: ...
    @property
    def has_ended(self) -> bool: ...
    @property
    def init_timestamp(self) -> str: ...
    @property
    def end_timestamp(self) -> Optional[str]: ...
    @property
    def end_state(self) -> str: ...
    @property
    def end_state_reason(self) -> Optional[str]: ...
    @property
    def video(self) -> Optional[str]: ...
    @property
    def tags(self) -> List[str]: ...
    @property
    def event_counts(self) -> Dict[str, int]: ...
    @property
    def token_cost(self) -> Optional[Decimal]: ...
    def __enter__(self) -> Session: ...
    def __exit__(self, exc_type: Any = None, exc_value: Any = None, traceback: Any = None) -> bool: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

# -- configuration -----------------------------------------------------------------------

@final
class Options:
    """Configuration values, checked by the core's option table as they are set and
    applied over the environment when a client starts. Keys are the option names.

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

    def __new__(cls) -> Options: ...
    def set(self, key: str, value: Any) -> None: ...
    def is_set(self, key: str) -> bool: ...
    def value(self, key: str) -> Optional[str]: ...
    def default_tags(self) -> List[str]: ...
    def copy(self) -> Options: ...

# -- client ------------------------------------------------------------------------------

@final
class Client:
    def __new__(cls, options: Optional[Options] = None) -> Client: ...
    def reconfigure(self, options: Options) -> None: ...
    def start_session(self, tags: Any = None, inherited_session_id: Any = None) -> Session: ...
    def record(self, event: Event) -> None: ...
    def record_llm_exchange(self, api: str, started: float, request: Optional[bytes], response: bytes) -> None: ...
    def only_session(self) -> Session: ...
    def sessions(self) -> List[Session]: ...
    def session_count(self) -> int: ...
    def get_session(self, session_id: Any) -> Optional[Session]: ...
    def create_agent(self, name: Any, agent_id: Any = None) -> str: ...
    def end_all_sessions(self, end_state: Any = None, end_state_reason: Optional[str] = None) -> int: ...
    def flush(self, timeout: Optional[float] = None) -> bool: ...
    def shutdown(self, timeout: Optional[float] = None) -> Dict[str, Any]: ...
    def shutdown_ending_sessions(
        self, timeout: Optional[float], end_state: Any, end_state_reason: str
    ) -> Dict[str, Any]: ...
    def after_fork_in_child(self) -> None: ...
    def auto_end_sessions(self, end_state: Any, end_state_reason: str, timeout: Optional[float] = None) -> int: ...
    def stats(self) -> Dict[str, Any]: ...
    @property
    def is_shut_down(self) -> bool: ...
    @property
    def exporter(self) -> str: ...
    @property
    def api_key(self) -> Optional[str]: ...
    @property
    def parent_key(self) -> Optional[str]: ...
    @property
    def default_tags(self) -> List[str]: ...
    @property
    def shutdown_timeout(self) -> float: ...
    @property
    def auto_start_session(self) -> bool: ...
    @property
    def skip_auto_end_session(self) -> bool: ...
    @property
    def instrument_llm_calls(self) -> bool: ...

# -- functions ---------------------------------------------------------------------------

def to_json(obj: Any) -> str: ...
def record(event: Any) -> None: ...
def set_current_client(client: Optional[Client] = None) -> None: ...
def instrumented_method(
    original: Any,
    python: Any,
    api: str,
    wrapping_types: Tuple[type, ...],
    responses: Any,
    settle: Any,
    fail: Any,
) -> Optional[Any]: ...
def response_hook(original: Any, responses: Any) -> Optional[Any]: ...
def env_vars() -> List[str]: ...
def replay_main(args: List[str], tty: bool) -> Tuple[int, str, str]: ...
def set_agent_context(var: Any) -> None: ...
def set_log_level(level: int) -> None: ...
def disable_log_forwarding() -> None: ...
def enable_log_forwarding() -> None: ...
