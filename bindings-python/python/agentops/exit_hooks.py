"""Process life: exit, signals, uncaught exceptions, fork. Installed once per process by
the first successful `init()`. Every wait is bounded by the client's `shutdown_timeout`
(seconds, `init(shutdown_timeout=...)`, default 5) even when the backend hangs, none holds
the GIL, and all of them let Python's signal handlers run within 50 ms. A signal's ending
and the exit right after it share one `shutdown_timeout`.

- `atexit`: open sessions end as Indeterminate with the reason "N/A (process exited
  without calling agentops.end_session(...))", then everything is delivered within the
  deadline (`skip_auto_end_session=True`: delivered, sessions left open).
- SIGINT / SIGTERM (main thread only, and only where the handler was Python's default or
  a Python callable, never over SIG_IGN): open sessions end as Fail with "Signal SIGTERM
  detected" (or SIGINT), then the previous handler runs; if that was the default action
  it is restored and the signal re-raised, so the exit status reflects the signal. A
  second signal while sessions are ending, or while the exit delivers, ends the process at
  once (with that signal's default action).
- `sys.excepthook` / `threading.excepthook`: an uncaught exception ends open sessions as
  Fail with "<message>: <traceback>", then the previous hook runs.
- `os.fork()` (and multiprocessing's fork start method): the child gets a fresh uploader
  and keeps recording into the sessions it inherited; at its exit it delivers its events
  but leaves inherited sessions open (they belong to the parent) and ends only the
  sessions it started itself (the core's `auto_end_sessions` decides which).
- multiprocessing children (any start method; `Process`, `Pool` and `ProcessPoolExecutor`
  workers) leave through `os._exit()`, so the exit step runs as one of multiprocessing's
  exit finalizers there: whatever they recorded is delivered and their sessions end as
  Indeterminate.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import time
import traceback
from typing import Any, Callable, Dict, Iterator, Optional

from . import _native
from . import client as _client
from .log_config import logger

EXIT_REASON: str = _native.EXIT_REASON

_installed = False
_handling_signal = False
# The exit (a signal's ending, then the exit hook) has one shutdown_timeout in all.
_exit_deadline: Optional[float] = None
_exiting = False
# The process (pid) that registered the exit step with multiprocessing.
_multiprocessing_exit_pid: Optional[int] = None
_previous_signal_handlers: Dict[int, Any] = {}
_previous_excepthook: Optional[Callable[..., Any]] = None
_previous_threading_excepthook: Optional[Callable[..., Any]] = None


def install() -> None:
    """Installs the hooks (idempotent; inherited by forked children)."""
    global _installed, _previous_excepthook, _previous_threading_excepthook
    _register_multiprocessing_exit_in_child()
    if _installed:
        return
    _installed = True
    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
    _previous_excepthook = sys.excepthook
    sys.excepthook = _excepthook
    _previous_threading_excepthook = threading.excepthook
    threading.excepthook = _threading_excepthook
    if threading.current_thread() is threading.main_thread():
        _install_signal_handlers()


def _install_signal_handlers() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            previous = signal.getsignal(signum)
            # Never take over an ignored signal or a handler installed outside Python.
            if previous is None or previous == signal.SIG_IGN:
                continue
            signal.signal(signum, _on_signal)
            _previous_signal_handlers[signum] = previous
        except (ValueError, OSError) as e:  # not the main thread / interpreter
            logger.debug("could not install a %s handler: %r", signum, e)


# -- ending sessions ------------------------------------------------------------------------
# Which sessions end is the core's policy (`auto_end_sessions`): not with
# skip_auto_end_session, never those a forked child inherited.


def _running_natives() -> Iterator[Any]:
    """The native clients of this process that are not shut down yet."""
    for c in _client.live_clients():
        native = c._native
        if native is not None and not native.is_shut_down:
            yield native


def _exit_budget(timeout: float) -> float:
    """Seconds left of the exit's one `shutdown_timeout`: a signal's ending and the exit
    hook right after it share it (an exit long after a caught Ctrl-C starts afresh)."""
    global _exit_deadline
    now = time.monotonic()
    if _exit_deadline is None or now > _exit_deadline + timeout:
        _exit_deadline = now + timeout
    return max(0.0, _exit_deadline - now)


def _end_sessions(state: str, reason: str, *, process_ends: bool, exiting: bool) -> None:
    """Ends this process's sessions with `state`/`reason` within each client's
    `shutdown_timeout` (shared with the exit hook when `exiting`); `process_ends`: the
    uploader is stopped too. The waits run signal handlers (see `_on_signal`)."""
    for native in _running_natives():
        timeout = _exit_budget(native.shutdown_timeout) if exiting else native.shutdown_timeout
        try:
            if process_ends:
                native.shutdown_ending_sessions(timeout, state, reason)
            else:
                native.auto_end_sessions(state, reason, timeout)
        except Exception as e:
            logger.debug("ending sessions (%s): %r", reason, e)


def _at_exit() -> None:
    global _exiting
    _exiting = True
    for native in _running_natives():
        timeout = _exit_budget(native.shutdown_timeout)
        try:
            report = native.shutdown(timeout)
            if not report.get("completed", True):
                logger.warning(
                    "exit: %s event(s) could not be delivered within shutdown_timeout=%.1fs",
                    report.get("left"),
                    timeout,
                )
        except Exception as e:
            logger.debug("exit: %r", e)
    # The interpreter is about to finalise: stop routing core logs into Python.
    _native.disable_log_forwarding()


def _on_signal(signum: int, frame: Any) -> Any:
    global _handling_signal
    previous = _previous_signal_handlers.get(signum, signal.SIG_DFL)
    name = signal.Signals(signum).name
    if _handling_signal or _exiting:
        # A second signal while sessions are ending or the exit delivers: stop waiting,
        # end the process at once (its exit status shows the signal).
        _die_of(signum)
    _handling_signal = True
    try:
        logger.info("%s detected. Ending session...", name)
        _end_sessions("Fail", f"Signal {name} detected", process_ends=not callable(previous), exiting=True)
    except Exception as e:  # pragma: no cover
        logger.debug("signal handler: %r", e)
    finally:
        _handling_signal = False
    if callable(previous):
        # Python's default SIGINT handler raises KeyboardInterrupt; a user's handler runs.
        return previous(signum, frame)
    _die_of(signum)


def _die_of(signum: int) -> None:
    """The signal's default action: the process terminates, its exit status shows it."""
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)  # pragma: no cover - only if the signal did not terminate us


def _failure_reason(exc_type: Any, exc_value: Any, exc_tb: Any) -> str:
    formatted = "".join(traceback.format_exception(exc_type, exc_value, exc_tb))
    return f"{exc_value}: {formatted}"


def _excepthook(exc_type: Any, exc_value: Any, exc_tb: Any) -> None:
    try:
        _end_sessions("Fail", _failure_reason(exc_type, exc_value, exc_tb), process_ends=False, exiting=False)
    except Exception:  # pragma: no cover
        pass
    hook = _previous_excepthook or sys.__excepthook__
    hook(exc_type, exc_value, exc_tb)


def _threading_excepthook(args: Any) -> None:
    if args.exc_type is not SystemExit:
        try:
            reason = _failure_reason(args.exc_type, args.exc_value, args.exc_traceback)
            _end_sessions("Fail", reason, process_ends=False, exiting=False)
        except Exception:  # pragma: no cover
            pass
    hook = _previous_threading_excepthook or threading.__excepthook__
    hook(args)


# -- fork -----------------------------------------------------------------------------------


class _ForkToken:
    """A weak-referenceable token for multiprocessing's after-fork registry."""


_FORK_TOKEN = _ForkToken()


def _after_fork_in_child() -> None:
    for native in _running_natives():
        try:
            native.after_fork_in_child()
        except Exception as e:
            logger.debug("after fork: %r", e)
    # A multiprocessing child that inherited the client: see _register_multiprocessing_exit_in_child.
    mp_util = sys.modules.get("multiprocessing.util")
    if mp_util is not None:
        try:
            mp_util.register_after_fork(_FORK_TOKEN, _register_multiprocessing_exit)
        except Exception as e:  # pragma: no cover
            logger.debug("after fork (multiprocessing): %r", e)


def _register_multiprocessing_exit(_token: Any) -> None:
    global _multiprocessing_exit_pid
    mp_util = sys.modules.get("multiprocessing.util")
    if mp_util is not None and _multiprocessing_exit_pid != os.getpid():
        mp_util.Finalize(None, _at_exit, exitpriority=100)
        _multiprocessing_exit_pid = os.getpid()


def _register_multiprocessing_exit_in_child() -> None:
    """A multiprocessing child (fork, forkserver or spawn; `Process`, `Pool` and
    `ProcessPoolExecutor` workers) that initialises agentops itself leaves through
    `os._exit()`, so `atexit` never runs there: run the exit step as one of
    multiprocessing's own exit finalizers instead."""
    mp = sys.modules.get("multiprocessing")
    if mp is None or _multiprocessing_exit_pid == os.getpid():
        return
    try:
        if mp.parent_process() is not None:
            _register_multiprocessing_exit(None)
    except Exception as e:  # pragma: no cover
        logger.debug("multiprocessing exit step: %r", e)
