#!/usr/bin/env python3
"""The steady-load CPU benchmark split by thread: the pacing loop of bench/harness/cpu_steady.py
runs first with a no-op, then with `record(ActionEvent(...))` at 10,000 events/s delivered live to
the loopback sink, and each thread's CPU (from /proc/self/task/*/schedstat, Linux) is printed in
ns per event, the caller's beside what its no-op loop cost.

    python bench/python/cpu_by_thread.py [--seconds 5]
    PYTHONPATH=/tmp/other-build python bench/python/cpu_by_thread.py   # another build, for an A/B
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402
import cpu_steady  # noqa: E402
from bench_agentops_rs import AgentOpsRs  # noqa: E402


def cpu_ns_by_thread():
    """{thread name: CPU ns so far} for every thread of this process."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{tid}/comm") as f:
            name = f.read().strip()
        with open(f"/proc/self/task/{tid}/schedstat") as f:
            out[name] = out.get(name, 0) + int(f.read().split()[0])
    return out


class _Args:
    def __getattr__(self, name):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rate", type=int, default=10000)
    a = ap.parse_args()
    adapter = AgentOpsRs()
    benchlib.install_loopback_guard()
    sink = benchlib.start_sink(max_seconds=300)
    try:
        adapter.setup(sink.url, "default", int(a.rate * a.seconds) + 2000, _Args())
        record = adapter.record_fn()
        for _ in range(2000):
            record()
        adapter.flush()
        time.sleep(1.0)
        before = cpu_ns_by_thread()
        idle_n, _, _ = cpu_steady.paced(lambda: None, a.rate, a.seconds)
        between = cpu_ns_by_thread()
        n, _, _ = cpu_steady.paced(record, a.rate, a.seconds)
        adapter.flush()  # what was recorded in the loop is counted until it is delivered
        after = cpu_ns_by_thread()
        total = 0.0
        for name in sorted(after, key=lambda k: -after[k]):
            idle = (between.get(name, 0) - before.get(name, 0)) / idle_n
            busy = (after[name] - between.get(name, 0)) / n
            if busy >= 1:
                total += busy - idle
                print(f"{name:>16}: {busy:6.0f} ns per event (its no-op loop: {idle:5.0f})")
        print(f"{'all threads':>16}: {total:6.0f} ns per event, no-op loop subtracted")
        adapter.shutdown()
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
