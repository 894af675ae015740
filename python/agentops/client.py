"""`Client`: the agentops 0.3 client (a process-wide singleton by default) over the native
core client.

The native client (`agentops._ext.Client`) owns the configuration, the uploader thread
and the open sessions; this class keeps agentops 0.3's behaviour around it: configure
before init, `initialize()` / auto-started session, warnings instead of exceptions, the
single-session helpers of the module API, agents created before a session starts.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from typing import Any, Dict, List, Optional, Tuple, Union

from . import _native as _ext
from .log_config import logger, set_level_from_env
from .session import Session

# Values the native client accepts, besides the agentops 0.3 ones.
_EXTRA_KEYS = (
    "exporter",
    "export_dir",
    "shutdown_timeout",
    "session_end_timeout",
    "session_start_timeout",
    "request_timeout",
    "max_retry_time",
    "max_buffered_events",
    "max_buffered_bytes",
)
_NATIVE_KEYS = (
    "api_key",
    "parent_key",
    "endpoint",
    "max_wait_time",
    "max_queue_size",
    "default_tags",
    "env_data_opt_out",
    "auto_start_session",
    "skip_auto_end_session",
    "instrument_llm_calls",
) + _EXTRA_KEYS

_MULTI_SESSION_HELP = "More info: https://docs.agentops.ai/v1/concepts/core-concepts#session-management"

_lock = threading.RLock()
_singleton: Optional["Client"] = None
# Every client that has a native client, for the exit / fork / signal hooks.
_live: "weakref.WeakSet[Client]" = weakref.WeakSet()


def live_clients() -> List["Client"]:
    """Clients that have started a native client (for the process hooks)."""
    return [c for c in list(_live) if c._native is not None]


def _tag_list(tags: Any) -> Optional[List[str]]:
    if tags is None:
        return None
    if isinstance(tags, str):
        return [tags]
    return [str(t) for t in tags]


class Client:
    """The agentops client.

    `Client()` returns the process-wide instance (agentops 0.3's singleton);
    `Client(use_singleton=False)` a separate one. The pre-0.3 style
    `ao_client = Client(api_key=..., tags=[...])` initialises it and starts a session,
    after which `ao_client.record(...)` and `@ao_client.record_action(...)` work.
    """

    _native: Optional[_ext.Client]

    def __new__(cls, *args: Any, use_singleton: bool = True, **kwargs: Any) -> "Client":
        global _singleton
        if not use_singleton:
            inst = super().__new__(cls)
            inst._setup()
            return inst
        with _lock:
            if _singleton is None:
                inst = super().__new__(cls)
                inst._setup()
                _singleton = inst
            return _singleton

    def __init__(
        self,
        api_key: Optional[str] = None,
        parent_key: Optional[str] = None,
        endpoint: Optional[str] = None,
        max_wait_time: Optional[int] = None,
        max_queue_size: Optional[int] = None,
        tags: Optional[List[str]] = None,
        override: Optional[bool] = None,
        instrument_llm_calls: Optional[bool] = None,
        auto_start_session: Optional[bool] = None,
        inherited_session_id: Optional[str] = None,
        skip_auto_end_session: Optional[bool] = None,
        *,
        use_singleton: bool = True,
        **kwargs: Any,
    ) -> None:
        given: Dict[str, Any] = {
            "api_key": api_key,
            "parent_key": parent_key,
            "endpoint": endpoint,
            "max_wait_time": max_wait_time,
            "max_queue_size": max_queue_size,
            "instrument_llm_calls": instrument_llm_calls,
            "auto_start_session": auto_start_session,
            "skip_auto_end_session": skip_auto_end_session,
        }
        given = {k: v for k, v in given.items() if v is not None}
        if tags is not None:
            kwargs.setdefault("default_tags", tags)
        given.update({k: v for k, v in kwargs.items() if v is not None})
        if not given and inherited_session_id is None:
            return  # `Client()`: just the instance
        # The original style: `Client(api_key=...)` initialises (and starts a session).
        if self.is_initialized:
            logger.warning("AgentOps has already been initialized. Use agentops.start_session() to start a session.")
            return
        self.configure(**given)
        if inherited_session_id is not None:
            self.configure(auto_start_session=False)
            if self.initialize() is None and self._native is not None:
                self.start_session(inherited_session_id=inherited_session_id)
            return
        self.initialize()

    def _setup(self) -> None:
        self._config: Dict[str, Any] = {}
        self._native = None
        self._sessions: List[Session] = []
        self._pre_init_agents: List[Tuple[str, str]] = []
        self._pre_init_warnings: List[str] = []
        self._dirty = False

    # -- configuration -----------------------------------------------------------------
    def configure(
        self,
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
        **extra: Any,
    ) -> None:
        """Sets configuration values (agentops 0.3 `Client.configure`); refused with a
        warning while a session is running. `default_tags` add to the existing ones.
        Extra keywords: `exporter` ("agentops" or "file"), `export_dir`,
        `shutdown_timeout`, `session_end_timeout`, `session_start_timeout`,
        `request_timeout`, `max_retry_time` (seconds), `max_buffered_events`,
        `max_buffered_bytes`."""
        if self._open_sessions():
            logger.warning("Cannot configure while session is active. Please end all sessions first.")
            return
        unknown = [k for k in extra if k not in _EXTRA_KEYS]
        if unknown:
            logger.warning("configure(): unknown option(s) ignored: %s", ", ".join(sorted(unknown)))
        values: Dict[str, Any] = {
            "api_key": api_key,
            "parent_key": parent_key,
            "endpoint": endpoint,
            "max_wait_time": max_wait_time,
            "max_queue_size": max_queue_size,
            "instrument_llm_calls": instrument_llm_calls,
            "auto_start_session": auto_start_session,
            "skip_auto_end_session": skip_auto_end_session,
            "env_data_opt_out": env_data_opt_out,
        }
        values.update({k: v for k, v in extra.items() if k in _EXTRA_KEYS})
        changed = False
        for key, value in values.items():
            if value is not None:
                self._config[key] = str(value) if key == "export_dir" else value
                changed = True
        tags = _tag_list(default_tags)
        if tags:
            current = list(self._config.get("default_tags") or [])
            current.extend(t for t in tags if t not in current)
            self._config["default_tags"] = current
            changed = True
        if changed and self._native is not None:
            self._dirty = True  # applied when the next session starts

    def _build_native(self) -> Optional[_ext.Client]:
        kwargs = {k: v for k, v in self._config.items() if k in _NATIVE_KEYS and v is not None}
        try:
            return _ext.Client(**kwargs)
        except _ext.MissingApiKeyError:
            logger.error(
                "Could not initialize AgentOps client - API Key is missing."
                "\n\t    Find your API key at https://app.agentops.ai/settings/projects"
                "\n\t    (or record locally with agentops.init(exporter=\"file\"))"
            )
        except _ext.AgentOpsError as e:
            # Core messages never contain a key or a token.
            logger.error("Could not initialize AgentOps client - %s", e)
        except Exception as e:  # e.g. a wrongly typed value
            logger.error("Could not initialize AgentOps client - invalid configuration: %s", type(e).__name__)
        return None

    def initialize(self) -> Optional[Session]:
        """Starts the native client (and the auto-started session unless
        `auto_start_session=False`). Returns that session, or None."""
        set_level_from_env()
        if self._native is None:
            native = self._build_native()
            if native is None:
                return None
            self._native = native
            _live.add(self)
            from . import exit_hooks

            exit_hooks.install()
            if native.instrument_llm_calls:
                logger.debug("LLM call instrumentation is not part of this package; record LLMEvent explicitly.")
            for warning in self._pre_init_warnings:
                logger.warning(warning)
            self._pre_init_warnings.clear()
        if self._native.auto_start_session:
            return self.start_session()
        return None

    def _rebuild_native(self) -> bool:
        old = self._native
        native = self._build_native()
        if native is None:
            return False
        if old is not None:
            try:
                old.shutdown()
            except Exception as e:  # pragma: no cover
                logger.debug("shutting down the previous client: %s", e)
        self._native = native
        self._dirty = False
        return True

    # -- sessions ----------------------------------------------------------------------
    def _open_sessions(self) -> List[Session]:
        self._sessions = [s for s in self._sessions if not s.has_ended]
        return list(self._sessions)

    def _safe_get_session(self, action: str) -> Optional[Session]:
        sessions = self._open_sessions()
        if len(sessions) == 1:
            return sessions[0]
        if not sessions:
            logger.warning("Could not %s - no sessions detected. Create a session by calling agentops.start_session()", action)
        else:
            logger.warning(
                "Could not %s - multiple sessions detected. Use the session object's methods instead. %s",
                action,
                _MULTI_SESSION_HELP,
            )
        return None

    def start_session(
        self, tags: Optional[List[str]] = None, inherited_session_id: Optional[Union[str, uuid.UUID]] = None
    ) -> Optional[Session]:
        """Starts a session (tags: default tags ∪ these; `inherited_session_id`: continue a
        session started elsewhere). Returns it, or None with a logged reason."""
        if self._native is None:
            logger.warning("AgentOps has not been initialized yet. Please call agentops.init() before starting a session")
            return None
        if self._dirty and not self._open_sessions():
            if not self._rebuild_native():
                return None
        try:
            session = self._native.start_session(tags=_tag_list(tags), inherited_session_id=inherited_session_id)
        except _ext.InvalidArgumentError as e:
            logger.warning("Failed to start session - %s", e)
            return None
        except _ext.AgentOpsError as e:
            logger.error("Could not start session - %s", e)
            return None
        self._sessions.append(session)
        for name, agent_id in self._pre_init_agents:
            session.create_agent(name, agent_id)
        self._pre_init_agents.clear()
        if session.export_path is not None:
            logger.info("Recording session to %s", session.export_path)
        else:
            logger.info("Session Replay: %s", session.session_url)
        return session

    def end_session(
        self,
        end_state: str,
        end_state_reason: Optional[str] = None,
        video: Optional[str] = None,
        is_auto_end: Optional[bool] = None,
    ) -> Optional[Any]:
        """Ends the only open session; returns its token cost (`Decimal`) or None."""
        session = self._safe_get_session("end session")
        if session is None:
            return None
        if is_auto_end and self._native is not None and self._native.skip_auto_end_session:
            return None
        return session.end_session(end_state=end_state, end_state_reason=end_state_reason, video=video)

    def record(self, event: Any) -> None:
        """Records into the only open session (warns if there are none or several)."""
        native = self._native
        if native is None:
            logger.warning("Could not record event - AgentOps is not initialized. Call agentops.init() first")
            return
        native.record(event)

    def add_tags(self, tags: List[str]) -> None:
        session = self._safe_get_session("add tags")
        if session is not None:
            session.add_tags(tags)

    def set_tags(self, tags: List[str]) -> None:
        session = self._safe_get_session("set tags")
        if session is not None:
            session.set_tags(tags)

    def add_default_tags(self, tags: List[str]) -> None:
        current = list(self._config.get("default_tags") or [])
        current.extend(t for t in (_tag_list(tags) or []) if t not in current)
        self._config["default_tags"] = current
        if self._native is not None:
            self._dirty = True

    def get_default_tags(self) -> List[str]:
        return list(self._config.get("default_tags") or (self._native.default_tags if self._native else []))

    def create_agent(self, name: str, agent_id: Optional[str] = None, session: Optional[Session] = None) -> str:
        """Registers an agent with `session`, or the only open session; with none (or
        several) open it is registered with the next session started."""
        if agent_id is None:
            agent_id = str(uuid.uuid4())
        if session is not None:
            return session.create_agent(name, agent_id)
        sessions = self._open_sessions()
        if len(sessions) == 1:
            return sessions[0].create_agent(name, agent_id)
        if len(sessions) > 1:
            logger.warning("Multiple sessions detected: agent %r will be registered with the next session started", name)
        self._pre_init_agents.append((str(name), str(agent_id)))
        return str(agent_id)

    def get_session(self, session_id: Union[str, uuid.UUID]) -> Optional[Session]:
        """The open session with this id (a `str` or a `uuid.UUID`)."""
        try:
            wanted = uuid.UUID(str(session_id))
        except (TypeError, ValueError, AttributeError):
            return None
        for session in self._open_sessions():
            if session.session_id == wanted:
                return session
        return None

    def end_all_sessions(self) -> None:
        """Ends every open session as Indeterminate (bounded wait)."""
        if self._native is not None:
            self._native.end_all_sessions("Indeterminate")
        self._open_sessions()

    def stop_instrumenting(self) -> None:
        """No-op: this package does not monkey-patch LLM libraries."""

    def unsuppress_logs(self) -> None:
        set_level_from_env()

    def add_pre_init_warning(self, message: str) -> None:
        self._pre_init_warnings.append(message)

    # -- extras ------------------------------------------------------------------------
    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits (at most `timeout` s, default `shutdown_timeout`) until everything
        recorded so far is delivered. Does not hold the GIL while waiting."""
        return self._native.flush(timeout) if self._native is not None else True

    def shutdown(self, timeout: Optional[float] = None) -> Optional[Dict[str, Any]]:
        """Ends open sessions as Indeterminate, delivers within `timeout` and stops the
        uploader (what happens at exit)."""
        return self._native.shutdown(timeout) if self._native is not None else None

    def stats(self) -> Dict[str, Any]:
        """Delivery counters: delivered, queued, retried, dropped (per reason)."""
        return self._native.stats() if self._native is not None else {}

    # decorators, for `@ao_client.record_action(...)`
    def record_action(self, event_name: Optional[str] = None, tags: Optional[List[str]] = None) -> Any:
        from .decorators import record_action

        return record_action(event_name, tags)

    def record_tool(self, tool_name: Optional[str] = None) -> Any:
        from .decorators import record_tool

        return record_tool(tool_name)

    def track_agent(self, name: Optional[str] = None) -> Any:
        from .decorators import track_agent

        return track_agent(name)

    # -- properties (agentops 0.3) -----------------------------------------------------
    @property
    def is_initialized(self) -> bool:
        return self._native is not None

    @property
    def has_sessions(self) -> bool:
        return len(self._open_sessions()) > 0

    @property
    def is_multi_session(self) -> bool:
        return len(self._open_sessions()) > 1

    @property
    def session_count(self) -> int:
        return len(self._open_sessions())

    @property
    def current_session_ids(self) -> List[str]:
        return [str(s.session_id) for s in self._open_sessions()]

    @property
    def api_key(self) -> Optional[str]:
        if self._config.get("api_key"):
            return str(self._config["api_key"])
        if self._native is not None:
            return self._native.api_key
        return _env_value("api_key")

    @property
    def parent_key(self) -> Optional[str]:
        if self._config.get("parent_key"):
            return str(self._config["parent_key"])
        if self._native is not None:
            return self._native.parent_key
        return _env_value("parent_key")

    def __repr__(self) -> str:
        state = "initialized" if self._native is not None else "not initialized"
        return f"<agentops.Client {state}, {len(self._open_sessions())} open session(s)>"


def _env_value(key: str) -> Optional[str]:
    try:
        value = _ext.config_from_env().get(key)
    except _ext.AgentOpsError:
        return None
    return None if value is None else str(value)


def current() -> Optional[Client]:
    """The singleton, if it exists (never creates it)."""
    return _singleton


def reset_singleton(timeout: Optional[float] = 1.0) -> None:
    """Shuts the singleton down (bounded) and forgets it (tests; agentops 0.3's
    `clear_singletons`)."""
    global _singleton
    with _lock:
        inst, _singleton = _singleton, None
    if inst is not None and inst._native is not None:
        try:
            inst._native.shutdown(timeout)
        except Exception as e:  # pragma: no cover
            logger.debug("shutdown: %s", e)
        _live.discard(inst)
