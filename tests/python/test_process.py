"""Process life, in subprocesses against the mock backend: exit, signals, uncaught
exceptions, fork, hung backends, files, logging."""

from __future__ import annotations

import json
import signal
import textwrap
import time
from typing import Any, Dict

import pytest
from agentops import _native
from ao_support import KEY, events_of, run, spawn, updates_of, wait_for, wait_ready

EXIT_REASON = "N/A (process exited without calling agentops.end_session(...))"


def final_update(mock: Any) -> Dict[str, Any]:
    updates = updates_of(mock)
    assert updates, "no update_session was received"
    return updates[-1]


# -- exit ----------------------------------------------------------------------------------


def test_exit_without_end_session_ends_indeterminate_after_delivering(mock):
    proc = run(
        mock,
        """
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=60000)
        for i in range(3):
            agentops.record(ActionEvent(action_type="before_exit", params={"i": i}))
    """,
    )
    assert proc.returncode == 0, proc.stderr
    assert [e["action_type"] for e in events_of(mock)] == ["before_exit"] * 3
    update = final_update(mock)
    assert update["end_state"] == "Indeterminate"
    assert update["end_state_reason"] == EXIT_REASON == _native.EXIT_REASON
    paths = [r["path"] for r in mock.requests()]
    assert paths.index("/v2/create_events") < paths.index("/v2/update_session")


def test_exit_with_a_hung_backend_stays_within_the_deadline(mock):
    mock.script("/v2/create_events", [{"hang": 60}])
    t0 = time.monotonic()
    proc = run(
        mock,
        """
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=10, shutdown_timeout=1.0)
        agentops.record(ActionEvent(action_type="stuck"))
        time.sleep(0.2)
    """,
    )
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    assert elapsed < 5.0, f"exit took {elapsed:.1f}s with shutdown_timeout=1"


def test_skip_auto_end_session_delivers_but_leaves_the_session_open(mock):
    proc = run(
        mock,
        """
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=60000, skip_auto_end_session=True)
        agentops.record(ActionEvent(action_type="kept_open"))
    """,
    )
    assert proc.returncode == 0, proc.stderr
    assert [e["action_type"] for e in events_of(mock)] == ["kept_open"]
    assert mock.requests("/v2/update_session") == []


# -- signals -------------------------------------------------------------------------------

SLEEPER = """
    agentops.init(api_key=KEY, endpoint=URL, max_wait_time=60000, shutdown_timeout=2.0)
    agentops.record(ActionEvent(action_type="before_signal"))
    print("ready", flush=True)
    time.sleep(60)
    print("not interrupted", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_ends_sessions_as_fail_and_the_exit_status_shows_the_signal(mock, signum):
    proc = spawn(mock, SLEEPER)
    wait_ready(proc)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == -signum, (proc.returncode, err)
    assert "not interrupted" not in out
    name = signal.Signals(signum).name
    update = final_update(mock)
    assert update["end_state"] == "Fail" and update["end_state_reason"] == f"Signal {name} detected"
    assert [e["action_type"] for e in events_of(mock)] == ["before_signal"]


def test_signal_chains_to_the_previous_python_handler(mock):
    proc = spawn(
        mock,
        textwrap.dedent("""
        def user_handler(signum, frame):
            print("user handler ran", flush=True)
            sys.exit(3)
        signal.signal(signal.SIGTERM, user_handler)
    """)
        + textwrap.dedent(SLEEPER),
    )
    wait_ready(proc)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 3, err
    assert "user handler ran" in out
    update = final_update(mock)
    assert update["end_state"] == "Fail" and update["end_state_reason"] == "Signal SIGTERM detected"


def test_ignored_signals_stay_ignored(mock):
    proc = spawn(
        mock,
        """
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50)
        print("ready", flush=True)
        time.sleep(1.0)
        agentops.end_session("Success")
    """,
    )
    wait_ready(proc)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert final_update(mock)["end_state"] == "Success"


def test_signal_with_a_hung_backend_is_bounded(mock):
    mock.script("/v2/create_events", [{"hang": 60}])
    proc = spawn(
        mock,
        """
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=10, shutdown_timeout=1.0)
        agentops.record(ActionEvent(action_type="stuck"))
        time.sleep(0.2)
        print("ready", flush=True)
        time.sleep(60)
    """,
    )
    wait_ready(proc)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=20)
    elapsed = time.monotonic() - t0
    assert proc.returncode == -signal.SIGTERM
    assert elapsed < 4.0, f"SIGTERM handling took {elapsed:.1f}s with shutdown_timeout=1"


# -- uncaught exceptions ----------------------------------------------------------------------


def test_uncaught_exception_ends_sessions_as_fail_with_message_and_traceback(mock):
    proc = run(
        mock,
        """
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=60000)
        agentops.record(ActionEvent(action_type="before_crash"))
        raise RuntimeError("fatal problem")
    """,
    )
    assert proc.returncode == 1
    assert "RuntimeError: fatal problem" in proc.stderr  # the previous hook still ran
    update = final_update(mock)
    assert update["end_state"] == "Fail"
    assert update["end_state_reason"].startswith("fatal problem: Traceback (most recent call last)")
    assert [e["action_type"] for e in events_of(mock)] == ["before_crash"]


def test_uncaught_exception_in_a_thread_ends_sessions_as_fail(mock):
    proc = run(
        mock,
        """
        session = agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50)
        def worker():
            raise ValueError("thread problem")
        t = threading.Thread(target=worker)
        t.start(); t.join()
        print("state", session.end_state, flush=True)
    """,
    )
    assert proc.returncode == 0, proc.stderr
    assert "state Fail" in proc.stdout
    assert "thread problem" in proc.stderr  # threading's previous hook still ran
    update = final_update(mock)
    assert update["end_state"] == "Fail" and "thread problem" in update["end_state_reason"]


def test_exceptions_with_several_sessions_end_all_of_them(mock):
    proc = run(
        mock,
        """
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50)
        agentops.start_session()
        raise KeyError("both")
    """,
    )
    assert proc.returncode == 1
    states = {u["session_id"]: u["end_state"] for u in updates_of(mock)}
    assert len(states) == 2 and set(states.values()) == {"Fail"}


# -- fork ------------------------------------------------------------------------------------


def test_os_fork_child_records_and_delivers_without_ending_the_parents_session(mock):
    proc = run(
        mock,
        """
        session = agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50)
        agentops.record(ActionEvent(action_type="parent_before"))
        pid = os.fork()
        if pid == 0:
            agentops.record(ActionEvent(action_type="child"))
            own = agentops.Client().start_session(tags=["child-own"])
            own.record(ActionEvent(action_type="child_own"))
            sys.exit(0)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        agentops.record(ActionEvent(action_type="parent_after"))
        print("cost", agentops.end_session("Success"), flush=True)
    """,
    )
    assert proc.returncode == 0, proc.stderr
    assert "cost 5" in proc.stdout
    events = events_of(mock)
    by_type = {e["action_type"]: e for e in events}
    assert set(by_type) == {"parent_before", "child", "child_own", "parent_after"}
    parent_sid = by_type["parent_before"]["session_id"]
    assert by_type["child"]["session_id"] == by_type["parent_after"]["session_id"] == parent_sid
    assert len({e["id"] for e in events}) == len(events)
    sessions = mock.sessions()
    assert sessions[parent_sid]["end_state"] == "Success"
    parent_updates = [u for u in updates_of(mock) if u["session_id"] == parent_sid]
    assert [u["end_state"] for u in parent_updates if "end_timestamp" in u] == ["Success"]
    child_sid = by_type["child_own"]["session_id"]
    assert sessions[child_sid]["end_state"] == "Indeterminate"
    assert sessions[child_sid]["end_state_reason"] == EXIT_REASON


def test_multiprocessing_fork_children_record_and_deliver(mock):
    proc = run(
        mock,
        """
        import multiprocessing as mp

        def work(n):
            agentops.record(ActionEvent(action_type="mp", params={"n": n}))
            return n

        if __name__ == "__main__":
            agentops.init(api_key=KEY, endpoint=URL, max_wait_time=60000)
            ctx = mp.get_context("fork")
            procs = [ctx.Process(target=work, args=(i,)) for i in range(2)]
            for p in procs: p.start()
            for p in procs: p.join(20)
            assert [p.exitcode for p in procs] == [0, 0]
            pool = ctx.Pool(2)
            assert pool.map(work, range(10, 14)) == [10, 11, 12, 13]
            pool.close(); pool.join()
            agentops.record(ActionEvent(action_type="parent"))
            print("cost", agentops.end_session("Success"), flush=True)
    """,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "cost 5" in proc.stdout
    events = events_of(mock)
    assert sorted(e["params"]["n"] for e in events if e["action_type"] == "mp") == [0, 1, 10, 11, 12, 13]
    assert len({e["session_id"] for e in events}) == 1
    assert [u["end_state"] for u in updates_of(mock) if "end_timestamp" in u] == ["Success"]


# -- files and logs ----------------------------------------------------------------------------


def test_no_file_is_written_unless_the_file_exporter_is_chosen(mock, tmp_path):
    work = tmp_path / "cwd"
    work.mkdir()
    proc = run(
        mock,
        """
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50)
        agentops.record(ActionEvent(action_type="a"))
        agentops.end_session("Success")
        assert agentops.init() is None
    """,
        cwd=str(work),
    )
    assert proc.returncode == 0, proc.stderr
    proc = run(mock, "assert agentops.init() is None", cwd=str(work))
    assert proc.returncode == 0, proc.stderr
    assert list(work.iterdir()) == []


def test_file_exporter_writes_the_session_and_sends_nothing(mock, tmp_path):
    out = tmp_path / "sessions"
    proc = run(
        mock,
        f"""
        s = agentops.init(exporter="file", export_dir={str(out)!r})
        agentops.record(ActionEvent(action_type="offline", params={{"a": 1}}))
        print(s.export_path, flush=True)
        agentops.end_session("Success")
    """,
        cwd=str(tmp_path),
    )
    assert proc.returncode == 0, proc.stderr
    files = list(out.iterdir())
    assert len(files) == 1 and files[0].suffix == ".jsonl"
    assert proc.stdout.strip() == str(files[0])
    lines = [json.loads(line) for line in files[0].read_text().splitlines()]
    kinds = [line["type"] for line in lines]
    assert kinds[0] == "session_start" and kinds[-1] == "session_end" and "event" in kinds
    event = next(line["event"] for line in lines if line["type"] == "event")
    assert event["action_type"] == "offline" and event["params"] == {"a": 1}
    assert lines[-1]["session"]["end_state"] == "Success"
    assert mock.requests() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions"]


def test_exporter_from_the_environment(mock, tmp_path):
    proc = run(
        mock,
        """
        s = agentops.init()
        agentops.record(ActionEvent(action_type="env_file"))
    """,
        cwd=str(tmp_path),
        AGENTOPS_EXPORTER="file",
    )
    assert proc.returncode == 0, proc.stderr
    files = list((tmp_path / "agentops_sessions").iterdir())
    assert len(files) == 1
    last = json.loads(files[0].read_text().splitlines()[-1])
    assert last["type"] == "session_end" and last["session"]["end_state_reason"] == EXIT_REASON


def test_logging_level_from_the_environment(mock):
    body = """
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50)
        agentops.end_session("Success")
    """
    quiet = run(mock, body, AGENTOPS_LOGGING_LEVEL="ERROR")
    assert quiet.returncode == 0 and "AgentOps" not in quiet.stderr
    default = run(mock, body)
    assert "🖇 AgentOps: Session Replay:" in default.stderr and "instrumentation" not in default.stderr
    debug = run(mock, body, AGENTOPS_LOGGING_LEVEL="DEBUG")
    assert "instrumenting LLM clients: openai, anthropic" in debug.stderr


def test_no_key_or_jwt_in_any_log_line_even_at_debug_with_auth_trouble(mock):
    proc = spawn(
        mock,
        """
        s = agentops.init(api_key=KEY, endpoint=URL, max_wait_time=20)
        print(s.session_id, flush=True)
        print("ready", flush=True)
        sys.stdin = None
        time.sleep(0.5)
        for i in range(3):
            agentops.record(ActionEvent(action_type="after_expiry"))
        agentops.Client().flush(5)
        agentops.end_session("Success")
    """,
        AGENTOPS_LOGGING_LEVEL="DEBUG",
    )
    sid = proc.stdout.readline().strip()
    wait_ready(proc)
    mock.expire_jwt(sid)
    mock.script("/v2/create_events", [{"status": 500}])
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert wait_for(lambda: len(events_of(mock)) == 3)
    assert len(mock.requests("/v2/reauthorize_jwt")) >= 1
    tokens = {r["headers"].get("authorization", "").split(" ")[-1] for r in mock.requests()} - {""}
    assert KEY not in err and KEY not in out
    assert all(t not in err for t in tokens)
    bad = run(
        mock,
        """
        agentops.init(api_key="oops-secret-key", endpoint=URL)
    """,
        AGENTOPS_LOGGING_LEVEL="DEBUG",
    )
    assert "oops-secret-key" not in bad.stderr and "Could not initialize" in bad.stderr


def test_only_the_configured_endpoint_is_contacted(mock):
    proc = run(
        mock,
        """
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50)
        agentops.record(ActionEvent(action_type="a"))
        agentops.end_session("Success")
    """,
    )
    assert proc.returncode == 0, proc.stderr
    paths = {r["path"] for r in mock.requests()}
    assert paths <= {"/v2/create_session", "/v2/create_events", "/v2/update_session"}
    assert "pypi" not in proc.stderr.lower()
