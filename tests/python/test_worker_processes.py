"""multiprocessing children that initialise agentops themselves and exit without ending
their sessions: they leave through `os._exit()` (no `atexit` on Python 3.10-3.12), yet
everything they recorded is delivered and their sessions end as Indeterminate, whatever
the start method and whether they are `Process`, `Pool` or `ProcessPoolExecutor` workers."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from ao_support import env_for, events_of, updates_of

EXIT_REASON = "N/A (process exited without calling agentops.end_session(...))"

SCRIPT = """
import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor

import agentops
from agentops import ActionEvent

def start():
    # A long timer: only the exit step can deliver what a worker records.
    agentops.init(api_key=os.environ["AO_KEY"], endpoint=os.environ["AO_URL"], max_wait_time=600000)

def work(n):
    for i in range(100):
        agentops.record(ActionEvent(action_type="work", params={{"n": n, "i": i}}))
    return n

def child(n):
    start()
    work(n)

if __name__ == "__main__":
    ctx = mp.get_context("{method}")
    if "{shape}" == "process":
        workers = [ctx.Process(target=child, args=(n,)) for n in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    elif "{shape}" == "pool":
        pool = ctx.Pool(3, initializer=start)
        assert pool.map(work, range(3)) == [0, 1, 2]
        pool.close()
        pool.join()
    else:
        with ProcessPoolExecutor(3, mp_context=ctx, initializer=start) as executor:
            assert list(executor.map(work, range(3))) == [0, 1, 2]
"""


@pytest.mark.parametrize("shape", ["process", "pool", "executor"])
@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_workers_deliver_everything_and_end_their_sessions(mock, tmp_path, method, shape):
    script = tmp_path / "agent.py"
    script.write_text(textwrap.dedent(SCRIPT.format(method=method, shape=shape)))
    proc = subprocess.run(
        [sys.executable, str(script)], env=env_for(mock), cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = events_of(mock)
    assert len(events) == 300, f"{len(events)} of 300 events arrived"
    assert sorted((e["params"]["n"], e["params"]["i"]) for e in events) == [
        (n, i) for n in range(3) for i in range(100)
    ]
    sessions = {r["body"]["session"]["session_id"] for r in mock.requests("/v2/create_session")}
    assert len(sessions) >= 3 if shape != "pool" else len(sessions) == 3
    final = {u["session_id"]: u for u in updates_of(mock)}
    assert set(final) == sessions, "every worker's session was ended"
    assert all(u["end_state"] == "Indeterminate" and u["end_state_reason"] == EXIT_REASON for u in final.values())
