"""Signals that arrive while the SDK waits (a flush, a session's end, the exit) are
handled within a wait slice: sessions end and the process exits within the shutdown
bound; a second SIGINT during the exit's delivery ends the process at once. The time
bounds below are generous (twice the shutdown bound and more); the latencies themselves
are measured in BENCHMARKS.md."""

from __future__ import annotations

import json
import signal
import time

from ao_support import run, spawn, wait_ready

HANG = [{"hang": 120.0}]


def signal_and_time(proc, signum, *, again_after=None):
    """Sends `signum` (again after `again_after` s, if given); seconds until the exit."""
    began = time.monotonic()
    proc.send_signal(signum)
    if again_after is not None:
        time.sleep(again_after)
        proc.send_signal(signum)
    proc.communicate(timeout=60)
    return time.monotonic() - began


def spawn_sleeping_agent(mock, shutdown_timeout):
    """An agent whose batch hangs at the backend while its main thread sleeps."""
    return spawn(
        mock,
        f"""
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50, shutdown_timeout={shutdown_timeout},
                      request_timeout=100)
        agentops.record(ActionEvent(action_type="a"))
        time.sleep(0.3)
        print("ready", flush=True)
        time.sleep(60)
        """,
    )


def test_sigterm_during_a_long_flush_exits_within_the_shutdown_bound(mock):
    mock.script("/v2/create_events", HANG)
    proc = spawn(
        mock,
        """
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50, shutdown_timeout=2, request_timeout=100)
        agentops.record(ActionEvent(action_type="a"))
        time.sleep(0.3)  # the batch is on its way, and the backend hangs
        print("ready", flush=True)
        agentops.Client().flush(60)
        print("flush returned")
        """,
    )
    wait_ready(proc)
    took = signal_and_time(proc, signal.SIGTERM)
    assert proc.returncode == -signal.SIGTERM
    assert took < 10, f"exited {took:.1f}s after SIGTERM (bound 2 s; was 60 s)"


def test_sigterm_during_end_session_exits_within_the_shutdown_bound(mock):
    mock.script("/v2/create_events", HANG)
    proc = spawn(
        mock,
        """
        agentops.init(api_key=KEY, endpoint=URL, shutdown_timeout=2, session_end_timeout=60, request_timeout=100)
        agentops.record(ActionEvent(action_type="a"))
        print("ready", flush=True)
        agentops.end_session("Success")
        """,
    )
    wait_ready(proc)
    time.sleep(0.3)
    took = signal_and_time(proc, signal.SIGTERM)
    assert proc.returncode == -signal.SIGTERM
    assert took < 10, f"exited {took:.1f}s after SIGTERM (bound 2 s; was 60 s)"


def test_sigint_while_sleeping_ends_and_exits_within_one_shutdown_bound(mock):
    mock.script("/v2/create_events", HANG)
    proc = spawn_sleeping_agent(mock, shutdown_timeout=4)
    wait_ready(proc)
    took = signal_and_time(proc, signal.SIGINT)
    assert proc.returncode != 0
    # Ending the sessions and the exit share one 4 s bound (they took 4 s each before).
    assert took < 6.5, f"exited {took:.1f}s after SIGINT"


def test_a_second_sigint_during_the_exit_delivery_exits_at_once(mock):
    mock.script("/v2/create_events", HANG)
    proc = spawn_sleeping_agent(mock, shutdown_timeout=30)
    wait_ready(proc)
    took = signal_and_time(proc, signal.SIGINT, again_after=1.0)
    assert proc.returncode == -signal.SIGINT
    assert took < 10, f"exited {took:.1f}s after the first SIGINT (the bound was 30 s)"


def test_events_recorded_after_the_exit_hook_are_counted_and_logged_once(mock):
    proc = run(
        mock,
        """
        import atexit, json

        def late():  # registered before init: runs after agentops' exit hook
            for _ in range(3):
                agentops.record(ActionEvent(action_type="late"))
            print("stats " + json.dumps(agentops.Client().stats()), flush=True)

        atexit.register(late)
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50)
        agentops.record(ActionEvent(action_type="on_time"))
        """,
    )
    assert proc.returncode == 0, proc.stderr
    stats = json.loads(proc.stdout.split("stats ", 1)[1])
    assert stats["dropped"]["after_shutdown"] == 3 and stats["delivered"] == 1
    lines = [line for line in proc.stderr.splitlines() if "after_shutdown" in line]
    assert len(lines) == 1, proc.stderr
