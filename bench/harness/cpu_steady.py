#!/usr/bin/env python3
"""CPU cost of telemetry at a steady event rate (the OpenTelemetry performance-benchmark method):
record RATE events/s for SECONDS with an adapter's record_fn, live delivery to the loopback sink,
and report the whole process's CPU (all threads: caller + SDK workers) as % of one core, minus the
same pacing loop calling a no-op. Usage: cpu_steady.py ADAPTER.py:Class [--rate N] [--seconds S]"""

import argparse
import importlib.util
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402


def cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def paced(fn, rate, seconds):
    per_tick, tick = max(1, rate // 1000), 0.001
    t0 = time.perf_counter()
    c0 = cpu_s()
    n = 0
    k = 0
    end = t0 + seconds
    while True:
        now = time.perf_counter()
        if now >= end:
            break
        for _ in range(per_tick):
            fn()
        n += per_tick
        k += 1
        nxt = t0 + k * tick
        d = nxt - time.perf_counter()
        if d > 0:
            time.sleep(d)
    return n, time.perf_counter() - t0, cpu_s() - c0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("adapter")
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--mode", default="default")
    a = ap.parse_args()
    path, cls = a.adapter.split(":")
    spec = importlib.util.spec_from_file_location("adapter_mod", path)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec.loader.exec_module(mod)
    ad = getattr(mod, cls)()
    benchlib.install_loopback_guard()
    sink = benchlib.start_sink(max_seconds=300)
    try:

        class A:
            def __getattr__(self, k):
                return None

        args = A()
        args.queue = None
        args.max_wait_ms = None
        args.compression = None
        args.schedule_ms = None
        args.batch = None
        ad.setup(sink.url, a.mode, int(a.rate * a.seconds) + 2000, args)
        fn = ad.record_fn()
        for _ in range(2000):
            fn()
        ad.flush()
        time.sleep(1.0)
        nb, wb, cb = paced(lambda: None, a.rate, a.seconds)
        base0 = sink.stats().get("items", 0)
        n, w, c = paced(fn, a.rate, a.seconds)
        time.sleep(1.0)
        # CPU that the SDK spends after the loop on what it recorded during it is counted until delivery
        c1 = cpu_s()
        ad.flush()
        c_tail = cpu_s() - c1
        delivered = sink.stats().get("items", 0) - base0
        res = {
            "sdk": getattr(ad, "name", cls),
            "rate_target": a.rate,
            "rate_achieved": round(n / w),
            "cpu_pct_one_core": round(100 * (c - cb * (w / wb)) / w, 2),
            "cpu_pct_incl_flush": round(100 * (c + c_tail - cb * (w / wb)) / w, 2),
            "baseline_cpu_pct": round(100 * cb / wb, 2),
            "cpu_us_per_event": round(1e6 * (c + c_tail - cb * (w / wb)) / n, 2),
            "delivered_during": delivered,
            "recorded": n,
        }
        print("RESULT " + json.dumps(res))
        try:
            ad.shutdown()
        except Exception:
            pass
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
