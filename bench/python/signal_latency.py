"""How long after a signal an agent process ends, while the SDK waits on a backend that
hangs (tests/mock_backend scripted to hang every create_events request). Prints one
`RESULT {...}` line per case with the median [min..max] of --reps runs, in seconds.

  python bench/python/signal_latency.py --reps 5     # with agentops installed

Cases (the shutdown bound is 2 s in all but the second-SIGINT case, where it is 30 s):
  flush-sigterm     SIGTERM while the main thread waits in Client().flush(60)
  end-sigterm       SIGTERM while it waits in end_session (session_end_timeout=60)
  sleep-sigint      SIGINT while it sleeps (the exit then delivers within the bound)
  second-sigint     SIGINT, then a second one 0.5 s later during the exit's delivery
  handler-in-flush  a Python handler's first line runs, measured inside the child
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "mock_backend"))
from mock_client import MockBackend  # noqa: E402

KEY = "6f1c0e4e-8a54-4c0c-9d35-1b1f3b0c2a11"
PRELUDE = """
import os, signal, sys, time
import agentops
from agentops import ActionEvent
agentops.init(api_key=os.environ["AO_KEY"], endpoint=os.environ["AO_URL"], max_wait_time=50,
              request_timeout=100, session_end_timeout=60, shutdown_timeout=float(os.environ["AO_BOUND"]))
agentops.record(ActionEvent(action_type="a"))
"""
WAITS = {
    "flush": "time.sleep(0.3); print('ready', flush=True); agentops.Client().flush(60)",
    "end": "print('ready', flush=True); agentops.end_session('Success')",
    "sleep": "time.sleep(0.3); print('ready', flush=True); time.sleep(60)",
    "handler": (
        "signal.signal(signal.SIGUSR1, lambda *a: (print('handled', time.monotonic(), flush=True), os._exit(0)))\n"
        "time.sleep(0.3); print('ready', flush=True); agentops.Client().flush(60)"
    ),
}
CASES = {  # name: (wait, signal, second signal after s, shutdown bound s)
    "flush-sigterm": ("flush", signal.SIGTERM, None, 2),
    "end-sigterm": ("end", signal.SIGTERM, None, 2),
    "sleep-sigint": ("sleep", signal.SIGINT, None, 2),
    "second-sigint": ("sleep", signal.SIGINT, 0.5, 30),
    "handler-in-flush": ("handler", signal.SIGUSR1, None, 2),
}


def one_run(mock: MockBackend, case: str) -> float:
    wait, signum, again_after, bound = CASES[case]
    mock.reset()
    mock.script("/v2/create_events", [{"hang": 120.0}])
    env = dict(os.environ, AO_KEY=KEY, AO_URL=mock.url, AO_BOUND=str(bound), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-c", PRELUDE + WAITS[wait]],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise RuntimeError(f"{case}: the child never became ready")
    time.sleep(0.3)  # inside the wait
    sent = time.monotonic()
    proc.send_signal(signum)
    if again_after is not None:
        time.sleep(again_after)
        proc.send_signal(signum)
    out, _ = proc.communicate(timeout=120)
    ended = time.monotonic()
    if case == "handler-in-flush":  # CLOCK_MONOTONIC is system-wide on Linux
        return float(out.split("handled", 1)[1].split()[0]) - sent
    return ended - sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    with MockBackend.start(max_seconds=1800) as mock:
        for case in CASES:
            if args.only not in case:
                continue
            runs = [one_run(mock, case) for _ in range(args.reps)]
            result = {
                "case": case,
                "median_s": round(statistics.median(runs), 3),
                "min_s": round(min(runs), 3),
                "max_s": round(max(runs), 3),
                "reps": args.reps,
                "shutdown_bound_s": CASES[case][3],
            }
            print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
