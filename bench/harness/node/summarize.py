#!/usr/bin/env python3
"""Summarize anchor bench JSON lines (node/ or rust/): median [min..max] per run label over repetitions.

usage: python3 summarize.py results/raw-XXXX.jsonl [more.jsonl ...] > summary.md
The label is the --tag before "/rep" (run.sh sets it), else sdk/workload/mode.
Stdlib only; a copy of ../summarize.py extended with the in-chunk, yield, unique-id and baseline columns.
"""

import json
import statistics
import sys
from collections import OrderedDict


def label_of(r):
    t = r.get("tag") or ""
    return t.split("/rep")[0] if t else f"{r['sdk']}-{r['workload']}-{r['mode']}"


def fmt(vals, digits=0, scale=1.0):
    vals = [v * scale for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not vals:
        return "–"
    f = lambda x: f"{x:,.{digits}f}"  # noqa: E731
    med = statistics.median(vals)
    if len(vals) == 1:
        return f(med)
    return f"{f(med)} [{f(min(vals))}..{f(max(vals))}]"


def bytes_per_item(r):
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

    base = OrderedDict((k, v) for k, v in groups.items() if v[0]["sdk"].endswith("baseline"))
    sdk = OrderedDict((k, v) for k, v in groups.items() if not v[0]["sdk"].endswith("baseline"))

    if base:
        print("| baseline | n | reps | ns/op (total/N) | in-chunk ns/op | chunk-median ns/op | notes |")
        print("|---|---|---|---|---|---|---|")
        for lab, rs in base.items():
            g = lambda k: [r.get(k) for r in rs]  # noqa: E731, B023
            ex = rs[0].get("extra") or {}
            note = ""
            if "full_pct" in ex:
                note = (
                    f"try_send found the channel full: {fmt([(r.get('extra') or {}).get('full_pct') for r in rs], 1)} %"
                )
            elif "bytes" in ex:
                note = f"{ex['bytes']} bytes"
            print(
                f"| {lab} | {rs[0]['n']:,} | {len(rs)} | {fmt(g('ns_per_call'), 1)} | {fmt(g('in_chunk_ns_per_call'), 1)} | "
                f"{fmt(g('chunk_median_ns'), 1)} | {note} |"
            )
        print()

    if sdk:
        print(
            "| run | sdk | workload | mode | yield | n | reps | caller ns/call (wall) | in-chunk ns/call | chunk-median ns"
            " | wrapper +ns/call | delivered ev/s (e2e) | ev/s bulk (no timer tail) | ev/s while producing | e2e s"
            " | loss % | loss % (distinct ids) | dup ids | peak RSS MB | RSS after setup MB | wire B/item |"
        )
        print("|" + "---|" * 21)
        for lab, rs in sdk.items():
            r0 = rs[0]
            g = lambda k: [r.get(k) for r in rs]  # noqa: E731, B023
            dec = fmt(g("decorator_overhead_ns")) if r0["workload"] == "decorator" else "–"
            print(
                f"| {lab} | {r0['sdk']} | {r0['workload']} | {r0['mode']} | {r0.get('yield', '–')} | {r0['n']:,} | {len(rs)} | "
                f"{fmt(g('ns_per_call'))} | {fmt(g('in_chunk_ns_per_call'))} | {fmt(g('chunk_median_ns'))} | {dec} | "
                f"{fmt(g('deliver_eps'))} | {fmt(g('deliver_eps_bulk'))} | {fmt(g('deliver_eps_during_produce'))} | "
                f"{fmt(g('e2e_s'), 2)} | {fmt(g('loss_pct'), 2)} | {fmt(g('loss_unique_pct'), 2)} | {fmt(g('dup_ids'))} | "
                f"{fmt(g('peak_rss_mb'), 1)} | {fmt(g('rss_after_setup_mb'), 1)} | {fmt([bytes_per_item(r) for r in rs])} |"
            )
        print()
        print("Versions / effective config per run label:")
        print()
        for lab, rs in sdk.items():
            r0 = rs[0]
            print(
                f"- **{lab}**: versions {json.dumps(r0.get('versions'))}; config {json.dumps(r0.get('config'))}; "
                f"sink requests {fmt([r.get('sink_requests') for r in rs])}; "
                f"drain after produce s {fmt([r.get('drain_after_produce_s') for r in rs], 2)}; "
                f"peak RSS at end MB {fmt([r.get('peak_rss_final_mb') for r in rs], 1)}; "
                f"diagnostics {json.dumps(r0.get('diagnostics'))}; "
                f"blocked {sorted({b for r in rs for b in r.get('blocked', [])})}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
