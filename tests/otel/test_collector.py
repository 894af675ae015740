"""Events recorded from Python, Node and C reach a real OpenTelemetry Collector (OTLP/HTTP
receiver → file exporter) once each, as spans of one trace per session with the GenAI
attributes; eight producers in parallel lose nothing; nor does a Collector restarted while
a producer records (its events wait in the SDK's buffer and are retried)."""

from __future__ import annotations

import collections
import subprocess
import time
import uuid
from typing import Any, Dict, List

import pytest
from collector import Collector, attributes, wait_until
from conftest import producer_command, producer_env

# What every producer records, as span names: an LLM call, a tool call, a failing action
# with its linked error, and the session's root span.
COMMON = {"chat demo-model", "execute_tool web_search", "risky_step", "ValueError", "invoke_agent"}
LANGUAGE = {"python": "python", "node": "nodejs", "c": "c"}
TIMEOUT = 120


def run_producer(command: List[str], env: Dict[str, str]) -> str:
    """Runs one producer to its end and returns its session id."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0 and "DONE" in done.stdout, done.stdout + done.stderr
    return session_of(done.stdout)


def session_of(stdout: str) -> str:
    line = next(line for line in stdout.splitlines() if line.startswith("SESSION "))
    return line.split()[1]


def spans_by_trace(collector: Collector) -> Dict[str, List[Any]]:
    out: Dict[str, List[Any]] = collections.defaultdict(list)
    for resource, span in collector.spans():
        out[span["traceId"]].append((resource, span))
    return out


def trace_of(session_id: str) -> str:
    return uuid.UUID(session_id).hex


def wait_for_spans(collector: Collector, session_ids: List[str], each: int) -> Dict[str, List[Any]]:
    def complete() -> Any:
        traces = spans_by_trace(collector)
        counts = [len({s["spanId"] for _, s in traces.get(trace_of(sid), [])}) for sid in session_ids]
        return traces if all(n >= each for n in counts) else None

    return wait_until(complete, TIMEOUT, f"{each} spans of each of {len(session_ids)} sessions")


@pytest.mark.parametrize("protocol", ["http/json", "http/protobuf"])
@pytest.mark.parametrize("language", ["python", "node", "c"])
def test_each_language_arrives_once_as_one_trace_with_genai_attributes(collector, c_producer, language, protocol):
    env = producer_env(collector, OTEL_SERVICE_NAME=f"producer-{language}", OTEL_EXPORTER_OTLP_PROTOCOL=protocol)
    if language == "c":
        del env["AGENTOPS_EXPORTER"]  # producer.c chooses it through agentops_options_set
    session = run_producer(producer_command(language, c_producer), env)
    spans = wait_for_spans(collector, [session], len(COMMON))[trace_of(session)]
    names = collections.Counter(span["name"] for _, span in spans)
    assert names == collections.Counter(COMMON), names

    resource = spans[0][0]
    assert resource["service.name"] == f"producer-{language}"
    assert resource["telemetry.sdk.language"] == LANGUAGE[language]
    by_name = {span["name"]: span for _, span in spans}
    root = by_name["invoke_agent"]
    assert "parentSpanId" not in root or root["parentSpanId"] == ""
    assert root["status"].get("code") == 1, root["status"]
    assert set(attributes(root)["agentops.session.tags"]) >= {"producer", language}
    chat = attributes(by_name["chat demo-model"])
    assert (chat["gen_ai.operation.name"], chat["gen_ai.request.model"]) == ("chat", "demo-model")
    assert (chat["gen_ai.usage.input_tokens"], chat["gen_ai.usage.output_tokens"]) == (42, 5)
    assert chat["gen_ai.conversation.id"] == session
    tool = attributes(by_name["execute_tool web_search"])
    assert (tool["gen_ai.operation.name"], tool["gen_ai.tool.name"]) == ("execute_tool", "web_search")
    error, risky = by_name["ValueError"], by_name["risky_step"]
    assert error["parentSpanId"] == risky["spanId"] and error["links"][0]["spanId"] == risky["spanId"]
    assert error["status"]["code"] == 2 and attributes(error)["error.type"] == "ValueError"
    assert [e["name"] for e in error["events"]] == ["exception"]
    for _, span in spans:
        assert int(span["endTimeUnixNano"]) >= int(span["startTimeUnixNano"]) > 0
        if span is not root:
            assert span["parentSpanId"] in (root["spanId"], risky["spanId"])


def test_eight_producers_in_parallel_lose_nothing(collector):
    steps = 2000
    procs = [
        subprocess.Popen(
            producer_command("python"),
            env=producer_env(collector, PRODUCER_STEPS=str(steps)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    sessions = []
    for proc in procs:
        out, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0 and "DONE" in out, out + err
        sessions.append(session_of(out))
    each = len(COMMON) + steps
    traces = wait_for_spans(collector, sessions, each)
    for session in sessions:
        spans = [span for _, span in traces[trace_of(session)]]
        ids = collections.Counter(span["spanId"] for span in spans)
        assert len(ids) == each, f"session {session}: {len(ids)} of {each} spans"
        assert max(ids.values()) == 1, "no span arrived twice"


def test_a_collector_restarted_mid_run_loses_nothing(collector):
    steps = 400
    env = producer_env(
        collector,
        PRODUCER_STEPS=str(steps),
        PRODUCER_INTERVAL_MS="10",
        AGENTOPS_RETRY_MAX_BACKOFF="0.5",
        AGENTOPS_SESSION_END_TIMEOUT="60",
    )
    proc = subprocess.Popen(
        producer_command("python"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_until(lambda: sum(1 for _ in collector.spans()) >= 20, TIMEOUT, "the first spans")
        collector.stop()
        down_since = time.monotonic()
        wait_until(lambda: proc.poll() is not None or time.monotonic() - down_since >= 1.0, 10, "an outage of 1 s")
        assert proc.poll() is None, "the producer was still recording during the outage"
        collector.start()
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "DONE" in out, out + err
    session = session_of(out)
    each = len(COMMON) + steps
    spans = wait_for_spans(collector, [session], each)[trace_of(session)]
    assert len({span["spanId"] for _, span in spans}) == each
    written = [path.read_text().count(trace_of(session)) for path in collector.outputs]
    assert len(written) == 2 and all(written), f"the outage fell in the middle of the run: {written}"
