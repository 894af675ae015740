"""agentops 0.3 decorators: `record_action`, `record_tool`, `track_agent` and the
deprecated `record_function`.

Rules (as in agentops 0.3, minus its failures):
- sync and async functions (coroutines are awaited); the return value is passed through
  unchanged (a tuple stays a tuple for the caller, and is an array on the wire);
- `params` are bound by the signature, defaults included (the signature is read once, at
  decoration time); a leading `self` / `cls` is left out; extra positional arguments go
  under the `*args` name;
- `session=` is consumed by the wrapper and chooses the session; without it, with several
  sessions open, the call raises `ValueError` before the function runs (agentops 0.3's
  usage error, the only exception the instrumentation ever raises);
- an exception records the action and an `ErrorEvent` (type, message, traceback) linked
  to it by `trigger_event_id`, then propagates unchanged;
- without `agentops.init()` (or with no session open) the wrapper just calls the function;
- anything failing inside the instrumentation is swallowed (logged at debug).

`track_agent` registers the agent and makes events recorded while one of its methods runs
carry its `agent_id` (through `contextvars`, so threads and asyncio tasks keep their own).
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

from . import _native
from . import client as _client
from ._native import ActionEvent, ErrorEvent, ToolEvent
from .log_config import logger

F = TypeVar("F", bound=Callable[..., Any])

_agent_var: "contextvars.ContextVar[Optional[str]]" = contextvars.ContextVar("agentops_agent_id", default=None)
_agent_context_on = False

# Return values that never carry a `.screenshot` (skips a failing getattr per call).
_PLAIN = frozenset({str, int, float, bool, type(None), dict, list, tuple, bytes, set})

_P = inspect.Parameter


def current_agent_id() -> Optional[str]:
    """The id of the tracked agent whose method is running in this context, if any."""
    return _agent_var.get()


def _make_binder(func: Callable[..., Any]) -> Callable[[tuple, dict], Dict[str, Any]]:
    """`bind(args, kwargs) -> params`, from the signature read once, here."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):

        def bind_unknown(args: tuple, kwargs: dict) -> Dict[str, Any]:
            out: Dict[str, Any] = {"args": list(args)} if args else {}
            out.update(kwargs)
            return out

        return bind_unknown
    skip = (
        1
        if params
        and params[0].name in ("self", "cls")
        and params[0].kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)
        else 0
    )
    names: List[str] = []
    varargs: Optional[str] = None
    defaults: List[Tuple[str, Any]] = []
    for p in params[skip:]:
        if p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD):
            names.append(p.name)
        elif p.kind is _P.VAR_POSITIONAL:
            varargs = p.name
        if p.default is not _P.empty and p.kind not in (_P.VAR_POSITIONAL, _P.VAR_KEYWORD):
            defaults.append((p.name, p.default))
    n = len(names)

    def bind(args: tuple, kwargs: dict) -> Dict[str, Any]:
        if skip:
            args = args[1:]
        out = dict(zip(names, args, strict=False))  # extra args go under *args below
        if varargs is not None and len(args) > n:
            out[varargs] = args[n:]
        if kwargs:
            out.update(kwargs)
        for name, default in defaults:
            if name not in out:
                out[name] = default
        return out

    return bind


def _target(session: Any, decorator: str) -> Any:
    """Where a decorated call records: the given session, else the native client's only
    session; None when agentops is not initialised or no session is open."""
    if session is not None:
        return session
    c = _client._singleton
    native = c._native if c is not None else None
    if native is None:
        return None
    n = native.session_count()
    if n == 1:
        return native
    if n > 1:
        raise ValueError(
            f"If multiple sessions exists, `session` is a required parameter in the function decorated by @{decorator}"
        )
    return None


# What instrumentation catches: every error, and a Rust panic (a `BaseException`), which
# the native module should never let out but which must never reach user code either.
_INSTRUMENTATION_ERRORS = (Exception, _native.PanicException)


def _record_failure(target: Any, event: Any, exc: BaseException) -> None:
    try:
        target.record(ErrorEvent(trigger_event=event, exception=exc))
    except _INSTRUMENTATION_ERRORS as e:  # instrumentation never raises into user code
        logger.debug("could not record an error event: %r", e)


def _record_result(target: Any, event: Any, result: Any) -> None:
    try:
        event.returns = result
        if type(result) not in _PLAIN:
            try:
                screenshot = getattr(result, "screenshot", None)
                if screenshot is not None:
                    event.screenshot = screenshot
            except Exception as e:
                logger.debug("could not read the result's screenshot: %r", e)
        target.record(event)
    except _INSTRUMENTATION_ERRORS as e:
        logger.debug("could not record an event: %r", e)


def _instrument(func: F, cls: Any, name: str, decorator: str) -> F:
    """Wraps `func` so each call records a `cls` event (ActionEvent / ToolEvent) whose
    name field (8th positional of both) is `name`."""
    bind = _make_binder(func)

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, session: Any = None, **kwargs: Any) -> Any:
            target = _target(session, decorator)
            if target is None:
                return await func(*args, **kwargs)
            try:
                event = cls(None, bind(args, kwargs), None, None, None, None, None, None, name)
            except _INSTRUMENTATION_ERRORS as e:
                logger.debug("could not create an event: %r", e)
                return await func(*args, **kwargs)
            try:
                result = await func(*args, **kwargs)
            except Exception as exc:
                _record_failure(target, event, exc)
                raise
            _record_result(target, event, result)
            return result

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(*args: Any, session: Any = None, **kwargs: Any) -> Any:
        target = _target(session, decorator)
        if target is None:
            return func(*args, **kwargs)
        try:
            event = cls(None, bind(args, kwargs), None, None, None, None, None, None, name)
        except _INSTRUMENTATION_ERRORS as e:
            logger.debug("could not create an event: %r", e)
            return func(*args, **kwargs)
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            _record_failure(target, event, exc)
            raise
        _record_result(target, event, result)
        return result

    return wrapper  # type: ignore[return-value]


def _event_decorator(name: Any, event_class: Any, api: str, fallback: str) -> Any:
    """`@api` and `@api("name")` alike: the event is named `name` or after the function."""
    if callable(name):  # used bare
        func = name
        return _instrument(func, event_class, getattr(func, "__name__", fallback), api)

    def decorator(func: F) -> F:
        return _instrument(func, event_class, str(name or getattr(func, "__name__", fallback)), api)

    return decorator


def record_action(event_name: Optional[str] = None, tags: Optional[List[str]] = None) -> Callable[[F], F]:
    """Records each call of the decorated function as an `ActionEvent` whose
    `action_type` is `event_name` (default: the function's name). `tags` is accepted
    for compatibility (action events carry no tags on the wire)."""
    return _event_decorator(event_name, ActionEvent, "record_action", "action")  # type: ignore[no-any-return]


def record_tool(tool_name: Optional[str] = None) -> Callable[[F], F]:
    """Records each call of the decorated function as a `ToolEvent` named `tool_name`
    (default: the function's name)."""
    return _event_decorator(tool_name, ToolEvent, "record_tool", "tool")  # type: ignore[no-any-return]


def record_function(event_name: Optional[str] = None) -> Callable[[F], F]:
    """Deprecated alias of `record_action` (warns when used)."""
    message = (
        "DEPRECATION WARNING: record_function has been replaced with record_action and will be removed in the next "
        "minor version. Also see: record_tool"
    )
    logger.warning(message)
    warnings.warn(message, DeprecationWarning, stacklevel=2)
    return record_action(event_name)


# -- agents ---------------------------------------------------------------------------------

_SKIP_MODULES = ("builtins", "pydantic", "pydantic_core", "typing", "abc", "enum", "collections")


def _enable_agent_context() -> None:
    global _agent_context_on
    if not _agent_context_on:
        _native.set_agent_context(_agent_var)
        _agent_context_on = True


def _agent_id_of(obj: Any) -> Optional[str]:
    try:
        return obj.__dict__.get("agentops_agent_id")
    except AttributeError:
        return getattr(obj, "agentops_agent_id", None)


def _with_agent(func: Callable[..., Any], agent_of: Callable[[tuple], Optional[str]]) -> Callable[..., Any]:
    """Runs `func` with the agent id from `agent_of(args)` as the current agent."""
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            agent_id = agent_of(args)
            if agent_id is None:
                return await func(*args, **kwargs)
            token = _agent_var.set(agent_id)
            try:
                return await func(*args, **kwargs)
            finally:
                _agent_var.reset(token)

        wrapped: Callable[..., Any] = async_wrapper
    else:

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            agent_id = agent_of(args)
            if agent_id is None:
                return func(*args, **kwargs)
            token = _agent_var.set(agent_id)
            try:
                return func(*args, **kwargs)
            finally:
                _agent_var.reset(token)

        wrapped = wrapper
    wrapped.__agentops_agent_method__ = True  # type: ignore[attr-defined]
    return wrapped


def _method_agent(args: tuple) -> Optional[str]:
    return _agent_id_of(args[0]) if args else None


def _wrap_methods(cls: type) -> None:
    """Wraps the plain methods of `cls` and of its user-defined bases (installed on
    `cls`), so their calls run with the instance's agent id as the current agent."""
    seen = set()
    for klass in cls.__mro__:
        if klass is object or (
            klass is not cls and str(getattr(klass, "__module__", "")).split(".")[0] in _SKIP_MODULES
        ):
            continue
        for attr, value in list(vars(klass).items()):
            if attr in seen:
                continue
            seen.add(attr)
            if attr.startswith("__") and attr != "__call__":
                continue
            if not inspect.isfunction(value) or getattr(value, "__agentops_agent_method__", False):
                continue
            try:
                setattr(cls, attr, _with_agent(value, _method_agent))
            except (AttributeError, TypeError) as e:
                logger.debug("track_agent: could not wrap %s.%s: %r", cls.__name__, attr, e)


def _register_instance(obj: Any, name: str, session: Any) -> None:
    c = _client.Client()
    agent_id = c.create_agent(name, session=session)
    for attr, value in (("agentops_agent_id", agent_id), ("agentops_agent_name", name)):
        try:
            object.__setattr__(obj, attr, value)
        except (AttributeError, TypeError):
            setattr(obj, attr, value)


def _track_class(cls: type, name: Optional[str]) -> type:
    original_init = cls.__init__  # type: ignore[misc]

    @functools.wraps(original_init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        given_name = kwargs.pop("agentops_name", None)
        original_init(self, *args, **kwargs)
        try:
            agent_name = given_name or name or getattr(self, "role", None) or type(self).__name__
            _register_instance(self, str(agent_name), kwargs.get("session"))
        except Exception as e:
            logger.debug("track_agent: could not register an agent: %r", e)
            logger.warning("Failed to track an agent with the @track_agent decorator.")

    cls.__init__ = __init__  # type: ignore[misc]
    if name:
        try:
            cls.agent_ops_agent_name = name  # type: ignore[attr-defined]
        except (AttributeError, TypeError):
            pass
    _wrap_methods(cls)

    # Subclasses defined later get their methods wrapped too.
    previous = cls.__dict__.get("__init_subclass__")

    def __init_subclass__(sub: type, **kw: Any) -> None:
        if previous is not None:
            previous.__get__(None, sub)(**kw)
        else:
            super(cls, sub).__init_subclass__(**kw)  # type: ignore[misc,arg-type]
        _wrap_methods(sub)

    try:
        cls.__init_subclass__ = classmethod(__init_subclass__)  # type: ignore[assignment]
    except (AttributeError, TypeError):
        pass
    return cls


def track_agent(name: Optional[str] = None) -> Callable[[Any], Any]:
    """Tracks a class (each instance is an agent, registered with `create_agent` when it
    is constructed; pass `agentops_name=` to name one instance) or a function (one agent).
    Events recorded while its methods run carry its `agent_id`."""

    def decorator(obj: Any) -> Any:
        _enable_agent_context()
        try:
            if inspect.isclass(obj):
                return _track_class(obj, name)
            if callable(obj):
                agent_name = str(name or getattr(obj, "__name__", "agent"))
                agent_id = _client.Client().create_agent(agent_name)
                wrapped = _with_agent(obj, lambda _args: agent_id)
                wrapped.agentops_agent_id = agent_id  # type: ignore[attr-defined]
                wrapped.agentops_agent_name = agent_name  # type: ignore[attr-defined]
                return wrapped
        except Exception as e:
            logger.debug("track_agent: %r", e)
        return obj

    return decorator


__all__ = ["record_action", "record_tool", "record_function", "track_agent", "current_agent_id"]
