"""The OTLP exporter from Python: bodies the official OTLP protos accept, with the GenAI
conventions' names and attributes, chosen by keyword or by the standard OTEL_* variables."""

from __future__ import annotations

import uuid

import agentops
import pytest
from agentops import ActionEvent, ErrorEvent, LLMEvent, ToolEvent
from agentops.exceptions import ConfigError
from ao_support import wait_for
from otlp_proto import attributes, parse, spans

TRACES = "/v1/traces"


def bodies(mock):
    return [r["body"] for r in mock.requests(TRACES) if r["status"] == 200]


def all_spans(mock):
    return [span for body in bodies(mock) for span in spans(parse(body))]


def record_a_session(**options):
    session = agentops.init(exporter="otlp", max_wait_time=50, auto_start_session=False, **options)
    assert session is None
    session = agentops.start_session(tags=["prod", "otlp"])
    assert session is not None
    agent = session.create_agent("researcher")
    llm = LLMEvent(model="gpt-4o", prompt="hi", completion="hello", prompt_tokens=7, completion_tokens=2)
    llm.agent_id = agent
    session.record(llm)
    tool = ToolEvent(name="search", params={"q": "otlp"}, returns=["r1"])
    session.record(tool)
    session.record(ErrorEvent(trigger_event=tool, error_type="TimeoutError", details="took too long"))
    session.record(ActionEvent(action_type="plan", params={"steps": 3}))
    session.end_session("Success")
    return session


CONTENT_TYPES = {"http/json": "application/json", "http/protobuf": "application/x-protobuf"}


@pytest.mark.parametrize("protocol", ["http/json", "http/protobuf"])
def test_every_body_is_an_export_request_the_official_protos_accept(mock, protocol):
    # A protobuf body is read by the official definitions in the mock (which logs its JSON
    # form); a body they reject is answered 400 and never counted here.
    session = record_a_session(otlp_endpoint=mock.url, service_name="py-agent", otlp_protocol=protocol)
    assert wait_for(lambda: len(all_spans(mock)) == 5), bodies(mock)
    requests = mock.requests(TRACES)
    assert {r["headers"]["content-type"] for r in requests} == {CONTENT_TYPES[protocol]}
    assert {r.get("encoding", "json") for r in requests} == {protocol.split("/")[1]}
    got = all_spans(mock)
    trace_id = uuid.UUID(str(session.session_id)).bytes
    assert {s.trace_id for s in got} == {trace_id}, "one trace: the session's UUID"
    by_name = {s.name: s for s in got}
    assert set(by_name) == {"chat gpt-4o", "execute_tool search", "TimeoutError", "plan", "invoke_agent researcher"}

    request = parse(bodies(mock)[0])
    resource = attributes(request.resource_spans[0].resource.attributes)
    assert resource["service.name"] == "py-agent"
    assert (resource["telemetry.sdk.name"], resource["telemetry.sdk.language"]) == ("agentops", "python")

    root = by_name["invoke_agent researcher"]
    assert root.parent_span_id == b"" and root.status.code == root.status.STATUS_CODE_OK
    assert attributes(root.attributes)["agentops.session.tags"] == ["prod", "otlp"]
    chat = by_name["chat gpt-4o"]
    assert chat.parent_span_id == root.span_id and chat.kind == chat.SPAN_KIND_CLIENT
    chat_attrs = attributes(chat.attributes)
    assert chat_attrs["gen_ai.operation.name"] == "chat"
    assert chat_attrs["gen_ai.request.model"] == "gpt-4o"
    assert (chat_attrs["gen_ai.usage.input_tokens"], chat_attrs["gen_ai.usage.output_tokens"]) == (7, 2)
    assert chat_attrs["gen_ai.agent.name"] == "researcher"
    assert chat_attrs["gen_ai.conversation.id"] == str(session.session_id)
    assert chat.end_time_unix_nano >= chat.start_time_unix_nano > 0
    tool = by_name["execute_tool search"]
    assert attributes(tool.attributes)["agentops.params"] == '{"q":"otlp"}'
    error = by_name["TimeoutError"]
    assert error.status.code == error.status.STATUS_CODE_ERROR and error.status.message == "took too long"
    assert error.parent_span_id == tool.span_id and error.links[0].span_id == tool.span_id
    assert [e.name for e in error.events] == ["exception"]
    assert attributes(error.attributes)["error.type"] == "TimeoutError"


def test_the_standard_otel_variables_configure_it(mock, monkeypatch):
    monkeypatch.setenv("AGENTOPS_EXPORTER", "otlp")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", mock.url + TRACES)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-team=agents,x-token=s%20cret")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "env-agent")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=staging")
    session = agentops.init(max_wait_time=50)
    assert session is not None, "no API key is needed"
    agentops.record(ActionEvent(action_type="step"))
    agentops.end_session("Indeterminate")
    assert wait_for(lambda: len(all_spans(mock)) == 2)
    request = mock.requests(TRACES)[0]
    assert request["headers"]["content-encoding"] == "gzip"
    assert (request["headers"]["x-team"], request["headers"]["x-token"]) == ("agents", "s cret")
    resource = attributes(parse(request["body"]).resource_spans[0].resource.attributes)
    assert (resource["service.name"], resource["deployment.environment"]) == ("env-agent", "staging")


def test_headers_and_attributes_may_be_dicts_and_bad_values_are_clear_errors(mock, logs):
    session = agentops.init(
        exporter="otlp",
        otlp_endpoint=mock.url,
        otlp_headers={"x-tenant": "acme"},
        resource_attributes={"team": "search"},
        max_wait_time=50,
    )
    assert session is not None
    agentops.end_session("Success")
    assert wait_for(lambda: len(all_spans(mock)) == 1)
    assert mock.requests(TRACES)[0]["headers"]["x-tenant"] == "acme"
    agentops.singleton.clear_singletons()
    with pytest.raises(ConfigError, match="gzip"):
        agentops._native.Options().set("otlp_compression", "zstd")
    assert agentops.init(exporter="otlp", otlp_headers="no-equals-sign") is None
    assert any("otlp_headers" in m for m in logs.messages), logs.text()
    assert "no-equals-sign" not in logs.text(), "header values are never echoed"


def test_a_protobuf_partial_success_counts_its_rejected_spans(mock):
    answer = {"partialSuccess": {"rejectedSpans": "2", "errorMessage": "too old"}}
    mock.script(TRACES, [{"status": 200, "body": answer}])
    agentops.init(exporter="otlp", otlp_endpoint=mock.url, otlp_protocol="http/protobuf", max_queue_size=3)
    for i in range(3):
        agentops.record(ActionEvent(action_type=f"step {i}"))
    agentops.Client().flush(10)
    stats = agentops.Client().stats()
    assert (stats["delivered"], stats["dropped"]["rejected"]) == (1, 2), stats


def test_grpc_is_refused_with_the_protocols_offered():
    with pytest.raises(ConfigError, match="http/protobuf"):
        agentops._native.Options().set("otlp_protocol", "grpc")
