"""`Client`: the agentops 0.3 client (a process-wide singleton by default) over the native
core client.

The core owns the configuration (its option table checks every value), the uploader, the
one registry of open sessions, the agents waiting for a session, and reconfiguration. This
class keeps agentops 0.3's manners around it: `configure()` before `init()`,
`initialize()` with its auto-started session, warnings instead of exceptions.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from typing import Any, Dict, List, Optional, Tuple, Union

from . import _native as _ext
from .log_config import logger, set_level_from_env
from .session import Session

# agentops 0.3's `Client.configure` parameters, in order.
_CONFIGURE_POSITIONAL = (
    "api_key",
    "parent_key",
    "endpoint",
    "max_wait_time",
    "max_queue_size",
    "default_tags",
    "instrument_llm_calls",
    "auto_start_session",
    "skip_auto_end_session",
    "env_data_opt_out",
)

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
        self._options = _ext.Options()
        self._native = None
        # Before `init()` no core client exists to queue agents in: they wait here.
        self._agents_before_init: List[Tuple[str, str]] = []
        self._pre_init_warnings: List[str] = []

    # -- configuration -----------------------------------------------------------------
    def configure(self, *args: Any, **options: Any) -> None:
        """Sets configuration values (agentops 0.3 `Client.configure`, same positional
        order): any option of the core's table (see `agentops.init`); `None` leaves a value
        as it is. Refused with a warning while a session is running. `default_tags` add to
        the existing ones. An unknown option or a bad value is logged and ignored."""
        if self._native is not None and self._native.session_count() > 0:
            logger.warning("Cannot configure while session is active. Please end all sessions first.")
            return
        options.update(zip(_CONFIGURE_POSITIONAL, args, strict=False))
        for key, value in options.items():
            try:
                self._options.set(key, value)
            except _ext.ConfigError as e:  # messages never echo a key
                logger.warning("configure(): %s (ignored)", e)
        self._apply_options()

    def set_options(self, options: Dict[str, Any]) -> Optional[Exception]:
        """Sets every valid value of `options` (for `init`); returns the first error."""
        first: Optional[Exception] = None
        for key, value in options.items():
            try:
                self._options.set(key, value)
            except _ext.ConfigError as e:
                first = first or e
        self._apply_options()
        return first

    def _apply_options(self) -> None:
        if self._native is None:
            return
        try:
            self._native.reconfigure(self._options)
        except _ext.AgentOpsError as e:
            logger.warning("Could not apply the configuration - %s", e)

    def _build_native(self) -> Optional[_ext.Client]:
        try:
            return _ext.Client(self._options)
        except _ext.MissingApiKeyError:
            logger.error(
                "Could not initialize AgentOps client - API Key is missing."
                "\n\t    Find your API key at https://app.agentops.ai/settings/projects"
                '\n\t    (or record locally with agentops.init(exporter="file"))'
            )
        except _ext.AgentOpsError as e:
            # Core messages never contain a key or a token.
            logger.error("Could not initialize AgentOps client - %s", e)
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
            if self is _singleton:
                _ext.set_current_client(native)
            from . import exit_hooks

            exit_hooks.install()
            if native.instrument_llm_calls:
                from . import llms

                llms.instrument()
            for warning in self._pre_init_warnings:
                logger.warning(warning)
            self._pre_init_warnings.clear()
            for name, agent_id in self._agents_before_init:
                native.create_agent(name, agent_id)
            self._agents_before_init.clear()
        if self._native.auto_start_session:
            return self.start_session()
        return None

    # -- sessions ----------------------------------------------------------------------
    def _only_session(self, action: str) -> Optional[Session]:
        """The only open session; otherwise logs why `action` cannot be done."""
        if self._native is None:
            logger.warning("Could not %s - AgentOps is not initialized", action)
            return None
        try:
            return self._native.only_session()
        except _ext.InvalidArgumentError as e:
            logger.warning("Could not %s - %s", action, e)
            return None

    def start_session(
        self, tags: Optional[List[str]] = None, inherited_session_id: Optional[Union[str, uuid.UUID]] = None
    ) -> Optional[Session]:
        """Starts a session (tags: default tags ∪ these; `inherited_session_id`: continue a
        session started elsewhere). Returns it, or None with a logged reason."""
        if self._native is None:
            logger.warning(
                "AgentOps has not been initialized yet. Please call agentops.init() before starting a session"
            )
            return None
        try:
            session = self._native.start_session(tags=_tag_list(tags), inherited_session_id=inherited_session_id)
        except _ext.InvalidArgumentError as e:
            logger.warning("Failed to start session - %s", e)
            return None
        except _ext.AgentOpsError as e:
            logger.error("Could not start session - %s", e)
            return None
        logger.info(session.replay_line)
        return session

    def end_session(
        self,
        end_state: str,
        end_state_reason: Optional[str] = None,
        video: Optional[str] = None,
        is_auto_end: Optional[bool] = None,
    ) -> Optional[Any]:
        """Ends the only open session; returns its token cost (`Decimal`) or None."""
        if is_auto_end and self._native is not None and self._native.skip_auto_end_session:
            return None
        session = self._only_session("end session")
        if session is None:
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
        session = self._only_session("add tags")
        if session is not None:
            session.add_tags(tags)

    def set_tags(self, tags: List[str]) -> None:
        session = self._only_session("set tags")
        if session is not None:
            session.set_tags(tags)

    def add_default_tags(self, tags: List[str]) -> None:
        """Adds tags to those of every future session."""
        self._options.set("default_tags", _tag_list(tags) or [])
        self._apply_options()

    def get_default_tags(self) -> List[str]:
        return self._native.default_tags if self._native is not None else self._options.default_tags()

    def create_agent(self, name: str, agent_id: Optional[str] = None, session: Optional[Session] = None) -> str:
        """Registers an agent with `session`, or the only open session; with none (or
        several) open it is registered with the next session started."""
        if agent_id is None:
            agent_id = str(uuid.uuid4())
        if session is not None:
            return session.create_agent(name, agent_id)
        if self._native is None:
            self._agents_before_init.append((str(name), str(agent_id)))
            return str(agent_id)
        return self._native.create_agent(name, agent_id)

    def get_session(self, session_id: Union[str, uuid.UUID]) -> Optional[Session]:
        """The open session with this id (a `str` or a `uuid.UUID`)."""
        return self._native.get_session(session_id) if self._native is not None else None

    def end_all_sessions(self) -> None:
        """Ends every open session as Indeterminate (bounded wait)."""
        if self._native is not None:
            self._native.end_all_sessions("Indeterminate")

    def stop_instrumenting(self) -> None:
        """Restores the LLM clients' original functions (idempotent)."""
        from . import llms

        llms.stop_instrumenting()

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
    def session_count(self) -> int:
        return self._native.session_count() if self._native is not None else 0

    @property
    def has_sessions(self) -> bool:
        return self.session_count > 0

    @property
    def is_multi_session(self) -> bool:
        return self.session_count > 1

    @property
    def current_session_ids(self) -> List[str]:
        return [str(s.session_id) for s in self._native.sessions()] if self._native is not None else []

    @property
    def api_key(self) -> Optional[str]:
        return self._config_value("api_key")

    @property
    def parent_key(self) -> Optional[str]:
        return self._config_value("parent_key")

    def _config_value(self, key: str) -> Optional[str]:
        if self._native is not None:
            return getattr(self._native, key)  # type: ignore[no-any-return]
        try:
            return self._options.value(key)
        except _ext.ConfigError:
            return None

    def __repr__(self) -> str:
        state = "initialized" if self._native is not None else "not initialized"
        return f"<agentops.Client {state}, {self.session_count} open session(s)>"


def current() -> Optional[Client]:
    """The singleton, if it exists (never creates it)."""
    return _singleton


def reset_singleton(timeout: Optional[float] = 1.0) -> None:
    """Shuts the singleton down (bounded) and forgets it (tests; agentops 0.3's
    `clear_singletons`)."""
    global _singleton
    with _lock:
        inst, _singleton = _singleton, None
        _ext.set_current_client(None)
    if inst is not None and inst._native is not None:
        try:
            inst._native.shutdown(timeout)
        except Exception as e:  # pragma: no cover
            logger.debug("shutdown: %s", e)
        _live.discard(inst)
