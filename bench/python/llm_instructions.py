#!/usr/bin/env python3
"""What an instrumented openai call adds on the caller's thread, counted by callgrind with
its cache simulator: instructions, first-level and last-level cache misses, and callgrind's
cycle estimate (Ir + 10 x L1 misses + 100 x LL misses). Unlike the timed figure of
`llm_overhead.py`, it does not depend on how busy the shared box is, so it can tell an A/B of
the wrapper's path apart where the clock cannot.

The real client calls `chat.completions.create` (non-streaming) on the mock LLM API
(tests/mock_llm, run natively in its own process), in blocks of CALLS calls that alternate
between the original `create` (kept by the patch, called directly) and the instrumented one,
in one process under `valgrind --tool=callgrind --cache-sim=yes`. Callgrind writes the
counts of each block apart (`--dump-before` a marker call between blocks); the figure is the
median over the pairs of blocks of their difference per call. The client's own HTTP stack,
JSON and pydantic work run between two calls in the same process, so the simulated caches
hold what a real call leaves in them (the kernel's and the server's share of the eviction
is not simulated).

    python bench/python/llm_instructions.py [--blocks 20] [--calls 20]     # about 5 minutes
    python bench/python/llm_instructions.py --python-wrappers   # the Python wrappers (A/B)
    PYTHONPATH=/tmp/other-build python bench/python/llm_instructions.py   # another build
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The same simulated caches on every host (callgrind otherwise reads the host's): 32 KiB
# first-level caches and a 4 MiB last level, a core's share of a shared L3.
CACHES = ("--I1=32768,8,64", "--D1=32768,8,64", "--LL=4194304,16,64")
# Called between blocks, and nowhere else in the measured loop: callgrind dumps there.
MARKER = "getppid"


def make_calls(blocks: int, calls: int, python_wrappers: bool) -> None:
    """The measured program: a warm-up, then `blocks` pairs of blocks, plain then
    instrumented, each followed by the marker."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "mock_llm"))
    import agentops
    import openai
    from agentops.llms import _bodies

    _bodies.NATIVE = not python_wrappers
    from mock_llm_client import MockLLM
    from openai.resources.chat.completions import Completions

    server = MockLLM.start()
    with tempfile.TemporaryDirectory() as export_dir:
        agentops.init(exporter="file", export_dir=export_dir, instrument_llm_calls=True)
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="k", max_retries=0)
        completions = client.chat.completions
        messages = [{"role": "user", "content": "Say hello"}]
        instrumented = Completions.create
        plain = instrumented.__agentops_original__
        for _ in range(100):
            plain(completions, model="gpt-bench", messages=messages)
            instrumented(completions, model="gpt-bench", messages=messages)
        os.getppid()
        for _ in range(blocks):
            for create in (plain, instrumented):
                for _ in range(calls):
                    create(completions, model="gpt-bench", messages=messages)
                os.getppid()
        agentops.end_session("Success")
    server.stop()


def main_thread_dumps(out: str) -> list:
    """The main thread's counts of each dump, in order: [{event: count}]."""
    dumps = []
    for path in glob.glob(out + ".*-01"):
        with open(path) as f:
            text = f.read()
        part = int(re.search(r"^part: (\d+)", text, re.M).group(1))
        names = re.search(r"^events: (.+)$", text, re.M).group(1).split()
        totals = map(int, re.search(r"^totals: (.+)$", text, re.M).group(1).split())
        dumps.append((part, dict(zip(names, totals, strict=True))))
    return [counts for _, counts in sorted(dumps)]


def figures(counts: dict) -> dict:
    l1 = counts["I1mr"] + counts["D1mr"] + counts["D1mw"]
    ll = counts["ILmr"] + counts["DLmr"] + counts["DLmw"]
    return {
        "instructions": counts["Ir"],
        "I1 misses": counts["I1mr"],
        "L1 misses": l1,
        "LL misses": ll,
        "cycles (est.)": counts["Ir"] + 10 * l1 + 100 * ll,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--blocks", type=int, default=20)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--python-wrappers", action="store_true", help="patch with the Python wrappers")
    ap.add_argument("--run", action="store_true", help=argparse.SUPPRESS)  # the measured program
    args = ap.parse_args()
    os.environ.setdefault("AGENTOPS_LOGGING_LEVEL", "WARNING")
    if args.run:
        make_calls(args.blocks, args.calls, args.python_wrappers)
        return 0
    with tempfile.TemporaryDirectory() as out_dir:
        out = os.path.join(out_dir, "callgrind")
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--cache-sim=yes", *CACHES, "--separate-threads=yes"]
            + [f"--dump-before={MARKER}", f"--callgrind-out-file={out}", sys.executable]
            + [os.path.abspath(__file__), "--run", "--blocks", str(args.blocks), "--calls", str(args.calls)]
            + (["--python-wrappers"] if args.python_wrappers else []),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        dumps = main_thread_dumps(out)
    # dumps[0]: start-up and warm-up; then plain, instrumented, ...; the last: shutdown.
    blocks = [figures(d) for d in dumps[1 : 1 + 2 * args.blocks]]
    if len(blocks) != 2 * args.blocks:
        raise RuntimeError(f"expected {2 * args.blocks} blocks, callgrind dumped {len(dumps)} parts")
    plain, instrumented = blocks[0::2], blocks[1::2]
    print(f"per call ({args.blocks} pairs of {args.calls} calls) | plain | instrumented | added [min..max]")
    for key in plain[0]:
        p = [b[key] / args.calls for b in plain]
        added = [i[key] / args.calls - b for i, b in zip(instrumented, p, strict=True)]
        print(
            f"{key:>14} | {statistics.median(p):10.0f} | {statistics.median(p) + statistics.median(added):10.0f}"
            f" | {statistics.median(added):8.0f} [{min(added):.0f}..{max(added):.0f}]"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
