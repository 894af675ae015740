#!/usr/bin/env python3
"""Instructions per recorded event, per thread, counted by callgrind: a figure that does not
depend on how busy the shared box is (the steady-load CPU benchmark's does), for A/B checks
of a change to the record path.

It records the workload of `bench_agentops_rs.py`'s adapter (`record(ActionEvent(...))`, delivered
live to the loopback sink) N and 3N times under `valgrind --tool=callgrind --separate-threads=yes`,
and prints the difference per thread divided by 2N, so start-up, imports and shutdown cancel
out. Needs valgrind; takes about a minute.

    python bench/python/instructions_per_event.py [--events 20000]
    PYTHONPATH=/tmp/other-build python bench/python/instructions_per_event.py   # another build
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "..", "harness")


def record_events(n):
    """The measured program: the adapter's workload N times, in ticks of 10 as the steady-load
    benchmark paces it."""
    sys.path.insert(0, HARNESS)
    sys.path.insert(0, HERE)
    import benchlib
    from bench_agentops_rs import AgentOpsRs

    class Args:
        def __getattr__(self, name):
            return None

    adapter = AgentOpsRs()
    benchlib.install_loopback_guard()
    sink = benchlib.start_sink(max_seconds=600)
    adapter.setup(sink.url, "default", n + 2000, Args())
    record = adapter.record_fn()
    for _ in range(2000):  # warm-up, the same in both runs
        record()
    adapter.flush()
    for tick in range(n // 10):
        for _ in range(10):
            record()
        if tick % 50 == 0:
            time.sleep(0.0005)  # lets the uploader take its batches as it would under load
    adapter.flush()
    adapter.shutdown()
    sink.stop()


def instructions_by_thread(n, out_dir):
    """Total instructions of each thread of a run recording `n` events: {thread number: count}."""
    out = os.path.join(out_dir, f"callgrind-{n}")
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--separate-threads=yes",
            f"--callgrind-out-file={out}",
            sys.executable,
            os.path.abspath(__file__),
            "--record",
            str(n),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    totals = {}
    for path in glob.glob(out + "-*"):
        with open(path) as f:
            text = f.read()
        thread = int(re.search(r"^thread: (\d+)", text, re.M).group(1))
        totals[thread] = int(re.search(r"^totals: (\d+)", text, re.M).group(1))
    return totals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--record", type=int, help=argparse.SUPPRESS)  # the measured program
    args = ap.parse_args()
    if args.record is not None:
        record_events(args.record)
        return
    n = args.events
    with tempfile.TemporaryDirectory() as out_dir:
        small, large = instructions_by_thread(n, out_dir), instructions_by_thread(3 * n, out_dir)
    names = {1: "caller (main thread)", 2: "uploader"}
    for thread in sorted(large):
        per_event = (large[thread] - small.get(thread, 0)) / (2 * n)
        if per_event >= 1:
            print(f"{names.get(thread, f'thread {thread}'):>22}: {per_event:8.0f} instructions per event")


if __name__ == "__main__":
    main()
