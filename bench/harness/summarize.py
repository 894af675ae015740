#!/usr/bin/env python3
"""Summarize anchor bench JSON lines: median [min..max] per run label over repetitions.

usage: python summarize.py results/raw-XXXX.jsonl [more.jsonl ...] > summary.md
The label is the --tag before "/rep" (run.sh sets it), else sdk/workload/mode.
Lines from cpu_steady.py (they carry "cpu_pct_one_core"; the runner adds their --tag) get a table of their own.
"""

import json
import statistics
import sys
from collections import OrderedDict


def label_of(r):
    t = r.get("tag") or ""
    return t.split("/rep")[0] if t else f"{r['sdk']}-{r['workload']}-{r['mode']}"


def fmt(vals, digits=0, scale=1.0):
    vals = [v * scale for v in vals if isinstance(v, (int, float))]
    if not vals:
        return "–"
    f = lambda x: f"{x:,.{digits}f}"  # noqa: E731
    med = statistics.median(vals)
    if len(vals) == 1:
        return f(med)
    return f"{f(med)} [{f(min(vals))}..{f(max(vals))}]"


def bytes_per_item(r):
    """Wire bytes per telemetry item on the item-carrying paths (request bodies as sent)."""
    bp = r.get("by_path") or {}
    b = sum(v["bytes"] for v in bp.values() if v.get("items"))
    n = sum(v["items"] for v in bp.values() if v.get("items"))
    return b / n if n else None


def main(paths):
    rows = []
    for p in paths:
        with open(p) as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    groups: "OrderedDict[str, list]" = OrderedDict()
    for r in rows:
        groups.setdefault(label_of(r), []).append(r)
    cpu = OrderedDict((k, v) for k, v in groups.items() if "cpu_pct_one_core" in v[0])
    groups = OrderedDict((k, v) for k, v in groups.items() if k not in cpu)
    if groups:
        print_runs(groups)
    if groups and cpu:
        print()
    if cpu:
        print_cpu(cpu)


def print_cpu(groups):
    """cpu_steady.py lines: whole-process CPU at a steady event rate, net of the same pacing loop calling a no-op."""
    print(
        "| run (steady load) | sdk | reps | target ev/s | achieved ev/s | CPU % of one core | CPU % incl. final flush"
        " | CPU µs/event | pacing-loop CPU % (subtracted) | delivered during |"
    )
    print("|" + "---|" * 10)
    for lab, rs in groups.items():
        g = lambda k: [r.get(k) for r in rs]  # noqa: E731, B023
        print(
            f"| {lab} | {rs[0]['sdk']} | {len(rs)} | {rs[0].get('rate_target', 0):,} | {fmt(g('rate_achieved'))} | "
            f"{fmt(g('cpu_pct_one_core'), 1)} | {fmt(g('cpu_pct_incl_flush'), 1)} | {fmt(g('cpu_us_per_event'), 2)} | "
            f"{fmt(g('baseline_cpu_pct'), 1)} | {fmt(g('delivered_during'))} |"
        )


def print_runs(groups):
    print(
        "| run | sdk | workload | mode | n | reps | caller ns/call | net ns/call | chunk-median ns"
        " | decorator +ns/call | delivered ev/s (e2e) | ev/s bulk (no timer tail) | ev/s while producing | e2e s | loss % | peak RSS MB"
        " | RSS after setup MB | wire B/item |"
    )
    print("|" + "---|" * 18)
    for lab, rs in groups.items():
        r0 = rs[0]
        g = lambda k: [r.get(k) for r in rs]  # noqa: E731, B023
        dec = fmt(g("decorator_overhead_ns")) if r0["workload"] == "decorator" else "–"
        print(
            f"| {lab} | {r0['sdk']} | {r0['workload']} | {r0['mode']} | {r0['n']:,} | {len(rs)} | "
            f"{fmt(g('ns_per_call'))} | {fmt(g('net_ns_per_call'))} | {fmt(g('chunk_median_ns'))} | {dec} | "
            f"{fmt(g('deliver_eps'))} | {fmt(g('deliver_eps_bulk'))} | {fmt(g('deliver_eps_during_produce'))} | {fmt(g('e2e_s'), 2)} | "
            f"{fmt(g('loss_pct'), 2)} | {fmt(g('peak_rss_mb'), 1)} | {fmt(g('rss_after_setup_mb'), 1)} | "
            f"{fmt([bytes_per_item(r) for r in rs])} |"
        )

    print()
    print("Versions / effective config per run label:")
    print()
    for lab, rs in groups.items():
        r0 = rs[0]
        print(
            f"- **{lab}**: versions {json.dumps(r0.get('versions'))}; config {json.dumps(r0.get('config'))}; "
            f"expected items {r0.get('expected_items')}; sink requests {fmt([r.get('sink_requests') for r in rs])}; "
            f"drain after produce s {fmt([r.get('drain_after_produce_s') for r in rs], 2)}; "
            f"dup ids {fmt([r.get('dup_ids') for r in rs])}; blocked {sorted({b for r in rs for b in r.get('blocked', [])})}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
