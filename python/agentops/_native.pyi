"""Type stubs for `agentops._native`, the Rust binding (checked in CI with
`python -m mypy.stubtest agentops._native`)."""

from decimal import Decimal
from typing import Any, Callable, Dict, Iterable, List, Optional, TypeVar, Union, final
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
    "QueueFullError",
    "Session",
    "SessionEndedError",
    "SessionRefusedError",
    "ShutDownError",
    "ToolEvent",
    "config_from_env",
    "disable_log_forwarding",
    "enable_log_forwarding",
    "env_vars",
    "set_agent_context",
    "set_log_level",
    "to_json",
]

EXIT_REASON: str
CORE_VERSION: str

# -- errors ------------------------------------------------------------------------------

class AgentOpsError(Exception):
    code: str

class ConfigError(AgentOpsError): ...
class MissingApiKeyError(ConfigError): ...
class InvalidArgumentError(AgentOpsError): ...
class SessionRefusedError(AgentOpsError): ...
class SessionEndedError(AgentOpsError): ...
class ShutDownError(AgentOpsError): ...
class QueueFullError(AgentOpsError): ...
class ExportIOError(AgentOpsError): ...

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

# -- client ------------------------------------------------------------------------------

@final
class Client:
    def __new__(
        cls,
        *,
        api_key: Optional[str] = None,
        parent_key: Optional[str] = None,
        endpoint: Optional[str] = None,
        max_wait_time: Optional[int] = None,
        max_queue_size: Optional[int] = None,
        default_tags: Any = None,
        exporter: Optional[str] = None,
        export_dir: Any = None,
        env_data_opt_out: Optional[bool] = None,
        auto_start_session: Optional[bool] = None,
        skip_auto_end_session: Optional[bool] = None,
        instrument_llm_calls: Optional[bool] = None,
        max_buffered_events: Optional[int] = None,
        max_buffered_bytes: Optional[int] = None,
        request_timeout: Optional[float] = None,
        max_retry_time: Optional[float] = None,
        session_start_timeout: Optional[float] = None,
        session_end_timeout: Optional[float] = None,
        shutdown_timeout: Optional[float] = None,
    ) -> Client: ...
    def start_session(self, tags: Any = None, inherited_session_id: Any = None) -> Session: ...
    def record(self, event: Event) -> None: ...
    def sessions(self) -> List[Session]: ...
    def session_count(self) -> int: ...
    def end_all_sessions(
        self, end_state: Any = None, end_state_reason: Optional[str] = None, timeout: Optional[float] = None
    ) -> int: ...
    def flush(self, timeout: Optional[float] = None) -> bool: ...
    def shutdown(self, timeout: Optional[float] = None) -> Dict[str, Any]: ...
    def shutdown_ending_sessions(
        self, timeout: Optional[float], end_state: Any, end_state_reason: str
    ) -> Dict[str, Any]: ...
    def after_fork_in_child(self) -> None: ...
    def auto_end_sessions(
        self, end_state: Any, end_state_reason: str, timeout: Optional[float] = None
    ) -> int: ...
    def stats(self) -> Dict[str, Any]: ...
    @property
    def is_shut_down(self) -> bool: ...
    @property
    def exporter(self) -> str: ...
    @property
    def export_dir_path(self) -> Optional[str]: ...
    @property
    def api_key(self) -> Optional[str]: ...
    @property
    def parent_key(self) -> Optional[str]: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def max_wait_time(self) -> int: ...
    @property
    def max_queue_size(self) -> int: ...
    @property
    def default_tags(self) -> List[str]: ...
    @property
    def shutdown_timeout(self) -> float: ...
    @property
    def session_end_timeout(self) -> float: ...
    @property
    def auto_start_session(self) -> bool: ...
    @property
    def skip_auto_end_session(self) -> bool: ...
    @property
    def instrument_llm_calls(self) -> bool: ...
    @property
    def env_data_opt_out(self) -> bool: ...

# -- functions ---------------------------------------------------------------------------

def config_from_env() -> Dict[str, Any]: ...
def to_json(obj: Any) -> str: ...
def env_vars() -> List[str]: ...
def set_agent_context(var: Any) -> None: ...
def set_log_level(level: int) -> None: ...
def disable_log_forwarding() -> None: ...
def enable_log_forwarding() -> None: ...
