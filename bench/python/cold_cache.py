#!/usr/bin/env python3
"""What a few lines of Python cost when they last ran some milliseconds ago, as an LLM call's
wrapper does (its code runs once per call, and a loopback call takes ~2-4 ms), against the same
lines run back to back. On a shared VM the caches lose such code within a millisecond or two,
and every step then costs many times its hot-loop figure.

    python bench/python/cold_cache.py [--reps 2000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

MESSAGES = [{"role": "user", "content": "Say hello"}]
GAPS_US = (0, 10, 100, 300, 1000, 3000)


def busy(seconds: float) -> None:
    """Other work (a spin on the clock) for `seconds`."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def median_ns(step, gap_s: float, reps: int) -> float:
    took = []
    for _ in range(reps):
        busy(gap_s)
        t0 = time.perf_counter_ns()
        step()
        took.append(time.perf_counter_ns() - t0)
    return statistics.median(took)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=2000)
    args = ap.parse_args()
    steps = {
        "time.time()": time.time,
        "json.dumps(messages)": lambda: json.dumps(MESSAGES),
        "dict comprehension": lambda: {k: v for k, v in MESSAGES[0].items()},
    }
    result = {
        name: {f"after_{gap}us": round(median_ns(step, gap / 1e6, args.reps)) for gap in GAPS_US}
        for name, step in steps.items()
    }
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
