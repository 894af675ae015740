"""anthropic calls recorded as LLMEvents (the real `anthropic` client against the mock LLM
API): the system prompt in the prompt, streamed answers and token counts assembled from
the stream's events, the `messages.stream()` helper, raw responses, async, errors."""

from __future__ import annotations

import asyncio

import pytest

anthropic = pytest.importorskip("anthropic")

from agentops import llms  # noqa: E402
from ao_support import init  # noqa: E402
from llm_support import (  # noqa: E402
    MESSAGES,
    WEATHER_TOOL_ANTHROPIC,
    anthropic_client,
    dump,
    llm_events,
    uninstrumented,
    wrappers,  # noqa: F401  (the fixture)
)

# Every test runs with the native methods and with the Python wrappers.
pytestmark = pytest.mark.usefixtures("wrappers")


@pytest.fixture(autouse=True)
def _restore_clients():
    yield
    llms.stop_instrumenting()


def create(client, **kw):
    kw.setdefault("model", "claude-test")
    kw.setdefault("max_tokens", 64)
    kw.setdefault("messages", MESSAGES)
    return client.messages.create(**kw)


def test_a_plain_call_records_the_system_prompt_completion_and_usage(mock, llm):
    alone = uninstrumented(lambda: create(anthropic_client(llm), system="Be brief."))
    init(mock, max_wait_time=50)
    got = create(anthropic_client(llm), system="Be brief.")
    assert type(got) is type(alone) and dump(got) == dump(alone)
    assert llm.requests()[-1]["body"] == llm.requests()[-2]["body"], "the request is not altered"
    (event,) = llm_events(mock, 1)
    assert event["prompt"] == [{"role": "system", "content": "Be brief."}, *MESSAGES]
    assert event["completion"]["content"][0]["text"] == "Hello from claude-test!"
    assert (event["model"], event["prompt_tokens"], event["completion_tokens"]) == ("claude-test-2026", 11, 7)
    assert event["params"]["system"] == "Be brief." and event["returns"]["stop_reason"] == "end_turn"
    # Recorded from the HTTP bodies: the request as sent, the answer as the server sent it.
    assert event["params"] == llm.requests()[-1]["body"]
    assert event["returns"] == got.model_dump(exclude_unset=True) != got.model_dump()


def test_a_stream_stays_the_clients_stream_and_counts_tokens_from_its_events(mock, llm):
    alone = uninstrumented(lambda: [dump(e) for e in create(anthropic_client(llm), stream=True)])
    init(mock, max_wait_time=50)
    stream = create(anthropic_client(llm), stream=True)
    assert isinstance(stream, anthropic.Stream)
    with stream:
        events = [dump(e) for e in stream]
    assert events == alone
    (event,) = llm_events(mock, 1)
    (block,) = event["completion"]["content"]
    assert (block["type"], block["text"]) == ("text", "Hello from claude-test!")
    assert (event["prompt_tokens"], event["completion_tokens"]) == (11, 7), "message_start + cumulative message_delta"
    assert event["init_timestamp"] < event["end_timestamp"]


def test_the_stream_helper_records_one_event_with_the_tool_input_assembled(mock, llm):
    init(mock, max_wait_time=50)
    client = anthropic_client(llm)
    with client.messages.stream(
        model="tool-claude", max_tokens=64, messages=MESSAGES, tools=[WEATHER_TOOL_ANTHROPIC]
    ) as stream:
        final = stream.get_final_message()
    assert final.content[0].input == {"city": "Paris", "days": 3}
    (event,) = llm_events(mock, 1)
    block = event["completion"]["content"][0]
    assert (block["type"], block["name"], block["input"]) == ("tool_use", "weather", {"city": "Paris", "days": 3})
    assert event["returns"]["stop_reason"] == "tool_use"


def test_raw_responses_and_async_calls_are_recorded(mock, llm):
    init(mock, max_wait_time=50)
    raw = anthropic_client(llm).messages.with_raw_response.create(model="claude-raw", max_tokens=8, messages=MESSAGES)
    assert raw.parse().content[0].text == "Hello from claude-raw!"

    async def main():
        client = anthropic_client(llm, asynchronous=True)
        message = await create(client, model="claude-async")
        async with client.messages.stream(model="claude-ahelper", max_tokens=8, messages=MESSAGES) as stream:
            text = [t async for t in stream.text_stream]
        return message, "".join(text)

    message, text = asyncio.run(main())
    assert message.content[0].text == "Hello from claude-async!" and text == "Hello from claude-ahelper!"
    raw_event, async_event, helper_event = llm_events(mock, 3)
    assert raw_event["model"] == "claude-raw-2026" and async_event["model"] == "claude-async-2026"
    assert raw_event["returns"] == raw.http_response.json() and raw_event["completion_tokens"] == 7
    assert async_event["completion"]["content"][0]["text"] == "Hello from claude-async!"
    assert helper_event["completion"]["content"][0]["text"] == "Hello from claude-ahelper!"


def test_errors_before_and_during_a_stream_are_recorded_and_propagate(mock, llm):
    init(mock, max_wait_time=50)
    client = anthropic_client(llm)
    with pytest.raises(anthropic.InternalServerError):
        create(client, model="http-500")
    with pytest.raises(anthropic.APIStatusError):
        for _ in create(client, model="fail-mid-stream", stream=True):
            pass
    failed, partial = llm_events(mock, 2)
    errors = llm_events(mock, 2, "errors")
    assert [e["trigger_event_id"] for e in errors] == [failed["id"], partial["id"]]
    assert errors[0]["error_type"] == "InternalServerError"
    assert partial["prompt_tokens"] == 11, "what the stream told before it broke off"


def test_an_answer_whose_bodies_are_unknown_is_read_from_its_objects(mock, llm, monkeypatch):
    from agentops.llms import anthropic as support

    monkeypatch.setattr(support, "hook_response_parsing", lambda patches, package: False)  # a client without it
    init(mock, max_wait_time=50)
    got = create(anthropic_client(llm), system="Be brief.")
    (event,) = llm_events(mock, 1)
    assert event["returns"] == got.model_dump(), "the client's own dump"
    assert event["prompt"] == [{"role": "system", "content": "Be brief."}, *MESSAGES]
    assert (event["model"], event["prompt_tokens"], event["completion_tokens"]) == ("claude-test-2026", 11, 7)


def test_stop_instrumenting_restores_the_exact_originals(mock, llm):
    from anthropic._base_client import BaseClient
    from anthropic.resources.messages import AsyncMessages, Messages

    def patched():
        return (
            Messages.create,
            Messages.stream,
            AsyncMessages.create,
            AsyncMessages.stream,
            anthropic.Stream.close,
            BaseClient._process_response_data,
        )

    originals = patched()
    init(mock, max_wait_time=50)
    assert Messages.create is not originals[0] and BaseClient._process_response_data is not originals[-1]
    llms.stop_instrumenting()
    assert patched() == originals
