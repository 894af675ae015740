#!/usr/bin/env python3
"""Added cost of recording an openai call, `chat.completions.create` (non-streaming), two ways:

- loopback: the real client against the mock LLM API (tests/mock_llm), instrumented minus
  plain, in the same process. Blocks of CALLS calls alternate between plain
  (`llms.stop_instrumenting()`) and instrumented (`llms.instrument()`), BLOCKS times each.
  The figure is the median of the instrumented blocks' means minus the median of the plain
  ones'. A loopback call costs ~1.5 ms and varies by more than the instrumentation costs.
- loopback, paired: the same calls alternating one by one between the original `create`
  (kept by the patch, called directly) and the instrumented one, so drift cancels out; the
  figure is the median of the PAIRS per-pair differences.
- in process: the same wrapper around a `create` that does what the client does once the
  HTTP response is in (parse the mock's answer, read once over loopback, through the client's
  `_process_response_data`: hooked when instrumented, the original when plain), against that
  bare function: the instrumentation's own cost with warm caches (the call's start, the
  hook, the hand-off of the bodies to the core).
- in process, cold: the same two, one by one, each called right after a 16 MiB copy has
  pushed what ran before out of the caches (as the HTTP call does): the loopback figure's
  cause, with less of its noise; the figure is the median of the per-pair differences.
- a/a control: the paired method with the original `create` on both sides; its distance
  from 0 is the method's noise.
- bare patch: the paired method with the thinnest possible patch (a Python function that
  calls the original and records nothing): the floor of any instrumentation by patching,
  in this position.
- `--sdk opentelemetry`: the peer in the same paired method, in its own process (its own
  venv: openai, opentelemetry-sdk, the OTLP/HTTP exporter, opentelemetry-instrumentation-
  openai-v2), its spans batched over OTLP/HTTP to the harness's loopback sink.

The session records with the file exporter into a temporary directory (removed afterwards).

    python bench/python/llm_overhead.py [--blocks 30] [--calls 200] [--pairs 5000]
    python bench/python/llm_overhead.py --sdk opentelemetry --pairs 5000   # or: bash bench/run-llm.sh
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "mock_llm"))

from mock_llm_client import MockLLM  # noqa: E402


def in_process_creates(client, raw):
    """A bare `create` that parses the answer of `raw` (a `with_raw_response` result) as the
    client does, and it wrapped as `init()` wraps the client's, with the client's response
    parsing hooked as `init()` hooks it."""
    import openai
    from agentops.llms._wrappers import wrap_call
    from agentops.llms.openai import OpenAIChat
    from openai._base_client import BaseClient
    from openai.types.chat import ChatCompletion

    http_response = raw.http_response
    hooked = BaseClient._process_response_data
    original = hooked.__agentops_original__

    def bare_create(process):
        def create(self, **kwargs):
            data = json.loads(http_response.content)
            return process(client, data=data, cast_to=ChatCompletion, response=http_response)

        return create

    return bare_create(original), wrap_call(OpenAIChat(openai), is_async=False)(bare_create(hooked))


def in_process(creates, messages, blocks: int, calls: int = 2000):
    """Per-call ns of the bare and the wrapped `create` (blocks interleaved), hot caches."""
    create, wrapped = creates

    def block(fn) -> float:
        t0 = time.perf_counter_ns()
        for _ in range(calls):
            fn(None, model="gpt-bench", messages=messages)
        return (time.perf_counter_ns() - t0) / calls

    plain, instrumented = [], []
    for _ in range(blocks):
        plain.append(block(create))
        instrumented.append(block(wrapped))
    return plain, instrumented


def in_process_cold(creates, messages, pairs: int):
    """Per-pair ns differences, wrapped minus bare `create`, each call made right after a
    16 MiB copy has pushed out of the caches what ran before (as an HTTP call does; the
    paired loopback figure without its noise)."""
    create, wrapped = creates
    evict = bytearray(16 * 1024 * 1024)
    diffs = []
    for i in range(pairs):
        took = {}
        for fn in (create, wrapped) if i % 2 else (wrapped, create):
            bytes(evict)
            t0 = time.perf_counter_ns()
            fn(None, model="gpt-bench", messages=messages)
            took[fn is wrapped] = time.perf_counter_ns() - t0
        diffs.append(took[True] - took[False])
    return diffs


def bare_patch(original):
    """The thinnest patch any instrumentation puts on `create`: a Python function that calls
    the original and returns what it returned, recording nothing."""

    @functools.wraps(original)
    def create(self, *args, **kwargs):
        return original(self, *args, **kwargs)

    return create


def paired(client, messages, pairs: int, original, instrumented):
    """Per-pair ns differences: `instrumented(completions, ...)` minus `original(...)`, one
    after the other, alternating which goes first."""
    completions = client.chat.completions
    diffs = []
    for i in range(pairs):
        order = ((original, False), (instrumented, True)) if i % 2 else ((instrumented, True), (original, False))
        took = {}
        for fn, is_instrumented in order:
            t0 = time.perf_counter_ns()
            fn(completions, model="gpt-bench", messages=messages)
            took[is_instrumented] = time.perf_counter_ns() - t0
        diffs.append(took[True] - took[False])
    return diffs


def opentelemetry_peer(args) -> int:
    """The peer in the same method: OpenTelemetry's openai instrumentation (openai-v2, with
    the messages captured on the span, as ours records prompts and completions), its spans batched
    over OTLP/HTTP to the loopback sink; paired against the original `create` it wraps."""
    # Its current GenAI conventions, with the messages on the span (the legacy path would send
    # them as log records, to no logger here).
    os.environ["OTEL_SEMCONV_STABILITY_OPT_IN"] = "gen_ai_latest_experimental"
    os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "SPAN_ONLY"
    import openai
    from openai.resources.chat.completions import Completions
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    sys.path.insert(0, os.path.join(ROOT, "bench", "harness"))
    import benchlib

    sink = benchlib.start_sink(max_seconds=1800)
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=sink.url + "/v1/traces")))
    trace.set_tracer_provider(provider)
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    server = MockLLM.start()
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="k", max_retries=0)
    messages = [{"role": "user", "content": "Say hello"}]
    instrumented = Completions.create
    original = instrumented.__wrapped__
    for _ in range(3 * args.calls):  # warm up
        instrumented(client.chat.completions, model="gpt-bench", messages=messages)
    pair_diffs = paired(client, messages, args.pairs, original, instrumented)
    control_diffs = paired(client, messages, args.pairs, original, original)
    provider.shutdown()
    server.stop()
    spans = sink.stats().get("items", 0)
    sink.stop()
    result = {
        "sdk": "opentelemetry-instrumentation-openai-v2",
        "spans_delivered": spans,
        "openai": openai.__version__,
        "paired_pairs": args.pairs,
        "paired_added_ns_per_call": round(statistics.median(pair_diffs)),
        "control_paired_ns_per_call": round(statistics.median(control_diffs)),
    }
    print("RESULT " + json.dumps(result))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--blocks", type=int, default=30)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--pairs", type=int, default=5000)
    ap.add_argument("--cold-pairs", type=int, default=3000)
    ap.add_argument("--sdk", choices=("agentops", "opentelemetry"), default="agentops")
    args = ap.parse_args()
    os.environ.setdefault("AGENTOPS_LOGGING_LEVEL", "WARNING")
    if args.sdk == "opentelemetry":
        return opentelemetry_peer(args)
    import agentops
    import openai
    from agentops import llms
    from openai.resources.chat.completions import Completions

    server = MockLLM.start()
    with tempfile.TemporaryDirectory() as export_dir:
        agentops.init(exporter="file", export_dir=export_dir, instrument_llm_calls=True)
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="k", max_retries=0)
        messages = [{"role": "user", "content": "Say hello"}]

        def block() -> float:
            t0 = time.perf_counter_ns()
            for _ in range(args.calls):
                client.chat.completions.create(model="gpt-bench", messages=messages)
            return (time.perf_counter_ns() - t0) / args.calls

        for _ in range(3):  # warm up both paths
            block()
        plain, instrumented = [], []
        for _ in range(args.blocks):
            llms.stop_instrumenting()
            plain.append(block())
            llms.instrument()
            instrumented.append(block())
        llms.instrument()
        instrumented_create = Completions.create
        original = instrumented_create.__agentops_original__
        pair_diffs = paired(client, messages, args.pairs, original, instrumented_create)
        control_diffs = paired(client, messages, args.pairs, original, original)
        floor_diffs = paired(client, messages, args.pairs, original, bare_patch(original))
        raw = client.chat.completions.with_raw_response.create(model="gpt-bench", messages=messages)
        creates = in_process_creates(client, raw)
        direct_plain, direct_instrumented = in_process(creates, messages, args.blocks)
        cold_diffs = in_process_cold(creates, messages, args.cold_pairs)
        agentops.end_session("Success")
    server.stop()
    result = {
        "openai": openai.__version__,
        "calls_per_block": args.calls,
        "blocks": args.blocks,
        "plain_ns_per_call": round(statistics.median(plain)),
        "instrumented_ns_per_call": round(statistics.median(instrumented)),
        "added_ns_per_call": round(statistics.median(instrumented) - statistics.median(plain)),
        "added_ns_per_call_min_max": [
            round(min(i - p for i, p in zip(instrumented, plain, strict=True))),
            round(max(i - p for i, p in zip(instrumented, plain, strict=True))),
        ],
    }
    result["sdk"] = "agentops-rs"
    result["paired_pairs"] = args.pairs
    result["paired_added_ns_per_call"] = round(statistics.median(pair_diffs))
    result["control_paired_ns_per_call"] = round(statistics.median(control_diffs))
    result["bare_patch_paired_ns_per_call"] = round(statistics.median(floor_diffs))
    result["in_process_plain_ns_per_call"] = round(statistics.median(direct_plain))
    result["in_process_added_ns_per_call"] = round(
        statistics.median(direct_instrumented) - statistics.median(direct_plain)
    )
    result["in_process_cold_added_ns_per_call"] = round(statistics.median(cold_diffs))
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
