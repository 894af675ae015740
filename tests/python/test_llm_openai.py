"""openai calls recorded as LLMEvents (the real `openai` client against the mock LLM API):
every field, streams that stay the client's own objects, helpers, raw responses, errors,
abandoned streams, concurrency, and the caller getting exactly what an uninstrumented run
gets."""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import warnings

import pytest

openai = pytest.importorskip("openai")

import agentops  # noqa: E402
from agentops import llms  # noqa: E402
from ao_support import events_of, init, wait_for  # noqa: E402
from llm_support import (  # noqa: E402
    MESSAGES,
    WEATHER_TOOL_OPENAI,
    dump,
    llm_events,
    openai_client,
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
    kw.setdefault("model", "gpt-test")
    kw.setdefault("messages", MESSAGES)
    return client.chat.completions.create(**kw)


def test_a_plain_call_records_one_event_with_every_field_and_returns_the_clients_object(mock, llm):
    alone = uninstrumented(lambda: create(openai_client(llm), temperature=0.2))
    init(mock, max_wait_time=50)
    client = openai_client(llm)
    got = create(client, temperature=0.2)
    assert type(got) is type(alone) and dump(got) | {"created": 0} == dump(alone) | {"created": 0}
    sent = [r["body"] for r in llm.requests()[-2:]]
    assert sent[0] == sent[1], "the request is sent as the caller wrote it"

    (event,) = llm_events(mock, 1)
    assert event["model"] == "gpt-test-2026", "the model from the response"
    assert event["prompt"] == MESSAGES
    assert event["completion"]["content"] == "Hello from gpt-test!"
    assert (event["prompt_tokens"], event["completion_tokens"]) == (11, 7)
    assert event["params"] == {"model": "gpt-test", "messages": MESSAGES, "temperature": 0.2}
    assert event["returns"]["id"] == "chatcmpl-mock" and event["returns"]["choices"][0]["finish_reason"] == "stop"
    # The answer as the server sent it: the client's dump of the fields the body gave it.
    assert event["returns"] == got.model_dump(exclude_unset=True) != got.model_dump()
    assert event["completion"] == got.choices[0].message.model_dump(exclude_unset=True)
    assert event["init_timestamp"] <= event["end_timestamp"]


def test_a_stream_stays_the_clients_stream_and_records_the_assembled_answer(mock, llm):
    kw = {"stream": True, "stream_options": {"include_usage": True}}
    alone = uninstrumented(lambda: [dump(c) for c in create(openai_client(llm), **kw)])
    init(mock, max_wait_time=50)
    stream = create(openai_client(llm), **kw)
    assert isinstance(stream, openai.Stream) and stream.response.status_code == 200
    with stream:
        chunks = [dump(c) for c in stream]
    assert chunks == alone, "chunks pass through unchanged (the usage chunk has choices: [])"
    (event,) = llm_events(mock, 1)
    assert event["completion"] == {"role": "assistant", "content": "Hello from gpt-test!"}
    assert (event["prompt_tokens"], event["completion_tokens"]) == (11, 7), "from the usage chunk"
    assert event["model"] == "gpt-test-2026"
    assert event["init_timestamp"] < event["end_timestamp"]


def test_a_streamed_call_with_a_prompt_longer_than_a_field_is_read_before_it_is_cut(mock, llm):
    init(mock, max_wait_time=50, max_field_bytes=2_000)
    long_messages = [{"role": "user", "content": "x" * 20_000}]
    for _ in create(openai_client(llm), stream=True, messages=long_messages):
        pass
    (event,) = llm_events(mock, 1)
    assert event["completion"] == {"role": "assistant", "content": "Hello from gpt-test!"}
    assert event["model"] == "gpt-test-2026"
    # The prompt was read out of the whole request, then cut like the request itself.
    for cut, start in ((event["prompt"], '[{"role":"user","content":"xxx'), (event["params"], '{"')):
        assert isinstance(cut, str) and cut.startswith(start) and "<<truncated:" in cut and len(cut) < 2_200


def test_stream_options_are_never_added(mock, llm):
    init(mock, max_wait_time=50)
    for _ in create(openai_client(llm), stream=True):
        pass
    assert "stream_options" not in llm.requests()[-1]["body"]
    (event,) = llm_events(mock, 1)
    assert event["completion"]["content"] == "Hello from gpt-test!"
    assert "prompt_tokens" not in event, "no usage was asked for: the counts stay unknown"


def test_tool_calls_are_assembled_across_chunks_and_the_stream_helper_records_once(mock, llm):
    init(mock, max_wait_time=50)
    client = openai_client(llm)
    with client.chat.completions.stream(model="tool-test", messages=MESSAGES, tools=[WEATHER_TOOL_OPENAI]) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    assert final.choices[0].message.tool_calls[0].function.arguments == '{"city": "Paris", "days": 3}'
    create(client, model="tool-test", tools=[WEATHER_TOOL_OPENAI])
    streamed, plain_call = llm_events(mock, 2)
    expected = [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "weather", "arguments": '{"city": "Paris", "days": 3}'},
        }
    ]
    assert streamed["completion"]["tool_calls"] == expected
    assert plain_call["completion"]["tool_calls"] == expected
    assert len(llm_events(mock, 2)) == 2, "one event per call, the helper included"


def test_parse_and_raw_responses_are_recorded_and_returned_as_the_client_makes_them(mock, llm):
    from pydantic import BaseModel

    class Answer(BaseModel):
        answer: str

    init(mock, max_wait_time=50)
    client = openai_client(llm)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parsed = client.chat.completions.parse(model="gpt-parse", messages=MESSAGES, response_format=Answer)
    assert [str(w.message) for w in caught] == [], "recording the answer warns nothing into the caller"
    assert parsed.choices[0].message.parsed == Answer(answer="Hello from gpt-parse!")
    raw = client.chat.completions.with_raw_response.create(model="gpt-raw", messages=MESSAGES)
    assert raw.http_response.status_code == 200 and raw.parse() is raw.parse()
    assert raw.parse().choices[0].message.content == "Hello from gpt-raw!"
    parse_event, raw_event = llm_events(mock, 2)
    assert json.loads(parse_event["completion"]["content"]) == {"answer": "Hello from gpt-parse!"}
    assert raw_event["model"] == "gpt-raw-2026" and raw_event["completion_tokens"] == 7
    # Both are recorded from the HTTP bodies: the request as sent, the answer as received.
    parse_sent, raw_sent = [r["body"] for r in llm.requests()[-2:]]
    assert parse_event["params"] == parse_sent and parse_sent["response_format"]["type"] == "json_schema"
    assert raw_event["params"] == raw_sent and raw_event["prompt"] == MESSAGES
    assert raw_event["returns"] == raw.http_response.json()
    assert "parsed" not in parse_event["completion"], "the answer as the server sent it"


def test_an_answer_whose_bodies_are_unknown_is_read_from_its_objects(mock, llm, monkeypatch):
    from agentops.llms import openai as support

    monkeypatch.setattr(support, "hook_response_parsing", lambda patches, package: False)  # a client without it
    init(mock, max_wait_time=50)
    got = create(openai_client(llm), temperature=0.2)
    (event,) = llm_events(mock, 1)
    assert event["returns"] == got.model_dump(), "the client's own dump"
    assert event["completion"] == got.choices[0].message.model_dump()
    assert event["params"] == {"model": "gpt-test", "messages": MESSAGES, "temperature": 0.2}
    assert event["model"] == "gpt-test-2026" and (event["prompt_tokens"], event["completion_tokens"]) == (11, 7)


def test_with_several_sessions_open_and_no_session_given_a_call_is_not_recorded_and_says_why(mock, llm, caplog):
    init(mock, max_wait_time=50, auto_start_session=False)
    first, second = agentops.start_session(), agentops.start_session()
    with caplog.at_level("WARNING", logger="agentops"):
        got = create(openai_client(llm))
    assert got.choices[0].message.content == "Hello from gpt-test!"
    assert "several sessions are open and the call gave no `session=`" in caplog.text
    agentops.Client().flush(10)
    assert [e for e in events_of(mock) if e["event_type"] == "llms"] == []
    by_session = mock.events()["by_session"]
    assert str(first.session_id) not in by_session and str(second.session_id) not in by_session


def test_async_calls_and_streams_are_recorded(mock, llm):
    init(mock, max_wait_time=50)

    async def main():
        client = openai_client(llm, asynchronous=True)
        answer = await create(client, model="gpt-async")
        stream = await create(client, model="gpt-astream", stream=True)
        assert isinstance(stream, openai.AsyncStream)
        async with stream:
            chunks = [c async for c in stream]
        format_ = {"type": "json_schema", "json_schema": {"name": "a", "schema": {"type": "object"}}}
        await client.chat.completions.parse(model="gpt-aparse", messages=MESSAGES, response_format=format_)
        async with client.chat.completions.stream(model="gpt-ahelper", messages=MESSAGES) as helper:
            async for _ in helper:
                pass
        return answer, chunks

    answer, chunks = asyncio.run(main())
    assert answer.choices[0].message.content == "Hello from gpt-async!" and len(chunks) == 5
    plain_event, stream_event, parse_event, helper_event = llm_events(mock, 4)
    assert plain_event["model"] == "gpt-async-2026"
    assert plain_event["returns"] == answer.model_dump(exclude_unset=True) != answer.model_dump(), "from its bodies"
    assert stream_event["completion"]["content"] == "Hello from gpt-astream!"
    assert parse_event["model"] == "gpt-aparse-2026"
    assert helper_event["completion"]["content"] == "Hello from gpt-ahelper!"


def test_an_http_error_records_an_error_event_and_the_same_exception_propagates(mock, llm):
    init(mock, max_wait_time=50)
    with pytest.raises(openai.BadRequestError) as raised:
        create(openai_client(llm), model="http-400")
    assert raised.value.status_code == 400
    (event,) = llm_events(mock, 1)
    (error,) = llm_events(mock, 1, "errors")
    assert event["model"] == "http-400", "the requested model when no answer came"
    assert error["trigger_event_id"] == event["id"] and error["error_type"] == "BadRequestError"
    assert "mock HTTP 400" in error["details"]


def test_an_error_mid_stream_records_the_partial_answer_and_the_error(mock, llm):
    init(mock, max_wait_time=50)
    stream = create(openai_client(llm), model="fail-mid-stream", stream=True)
    seen = []
    with pytest.raises(openai.APIError):
        for chunk in stream:
            seen.append(chunk)
    assert len(seen) == 2
    (event,) = llm_events(mock, 1)
    (error,) = llm_events(mock, 1, "errors")
    content = event["completion"]["content"]
    assert content and "Hello from fail-mid-stream!".startswith(content), "what arrived before the error"
    assert content == "".join(c.choices[0].delta.content or "" for c in seen)
    assert error["trigger_event_id"] == event["id"] and error["error_type"] == "APIError"


def test_an_abandoned_stream_records_its_event_exactly_once(mock, llm):
    init(mock, max_wait_time=50)
    client = openai_client(llm)
    stream = create(client, model="gpt-break", stream=True)
    for _ in stream:
        break
    del stream
    gc.collect()
    closed = create(client, model="gpt-close", stream=True)
    next(iter(closed))
    closed.close()
    never_read = create(client, model="gpt-unread", stream=True)
    del never_read
    gc.collect()
    events = llm_events(mock, 3)
    assert sorted(e["params"]["model"] for e in events) == ["gpt-break", "gpt-close", "gpt-unread"]
    closed.close()
    gc.collect()
    agentops.Client().flush(10)
    assert len([e for e in events_of(mock) if e["event_type"] == "llms"]) == 3, "once each"


def test_fifty_threads_and_fifty_tasks_give_fifty_distinct_correct_events_each(mock, llm):
    init(mock, max_wait_time=50)
    client = openai_client(llm)

    def call(i):
        create(client, model=f"thread-{i}", messages=[{"role": "user", "content": str(i)}])

    threads = [threading.Thread(target=call, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    async def tasks():
        aclient = openai_client(llm, asynchronous=True)

        async def one(i):
            stream = await create(
                aclient, model=f"task-{i}", messages=[{"role": "user", "content": str(i)}], stream=True
            )
            async for _ in stream:
                pass

        await asyncio.gather(*(one(i) for i in range(50)))

    asyncio.run(tasks())
    events = llm_events(mock, 100)
    assert len({e["id"] for e in events}) == 100
    for e in events:
        kind, i = e["params"]["model"].split("-")
        assert e["prompt"] == [{"role": "user", "content": i}]
        assert e["completion"]["content"] == f"Hello from {kind}-{i}!"


def test_the_tracked_agent_and_the_given_session_are_recorded(mock, llm):
    init(mock, max_wait_time=50, auto_start_session=False)
    first, second = agentops.start_session(), agentops.start_session()

    @agentops.track_agent("writer")
    class Writer:
        def write(self):
            return create(openai_client(llm), model="gpt-agent", session=second)

    writer = Writer()
    writer.write()
    (event,) = llm_events(mock, 1)
    assert event["agent_id"] == str(writer.agentops_agent_id)
    by_session = mock.events()["by_session"]
    assert [e["id"] for e in by_session[str(second.session_id)]] == [event["id"]]
    assert str(first.session_id) not in by_session
    assert "session" not in llm.requests()[-1]["body"]


def test_stop_instrumenting_restores_the_exact_originals_and_is_idempotent(mock, llm):
    from openai._base_client import BaseClient
    from openai.resources.chat.completions import AsyncCompletions, Completions

    def patched():
        return (
            Completions.create,
            Completions.parse,
            AsyncCompletions.create,
            openai.Stream.close,
            BaseClient._process_response_data,
        )

    originals = patched()
    init(mock, max_wait_time=50)
    assert Completions.create is not originals[0] and BaseClient._process_response_data is not originals[-1]
    agentops.stop_instrumenting()
    agentops.stop_instrumenting()
    assert patched() == originals
    create(openai_client(llm))
    agentops.Client().flush(10)
    assert events_of(mock) == [], "nothing is recorded any more"


class BrokenHTTPResponse:
    """What a bug in reading a response's bodies looks like to the instrumentation."""

    @property
    def content(self):
        raise RuntimeError("a bug in agentops")


def hand_over(http_response):
    """A response-parsing hook that hands `http_response` over instead of the real one."""

    def make(original):
        def process_response_data(self, *args, **kwargs):
            from agentops.llms._bodies import RESPONSES

            responses = RESPONSES.get()
            if responses is not None and not responses:
                responses.append(http_response)
            return original(self, *args, **kwargs)

        return process_response_data

    return make


def test_a_bug_in_the_instrumentation_never_reaches_the_caller(mock, llm, monkeypatch):
    from agentops.llms import _bodies, _wrappers
    from agentops.llms import openai as support

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in agentops")

    monkeypatch.setattr(_wrappers, "as_data", broken)
    monkeypatch.setattr(_bodies, "_hand_over", hand_over(BrokenHTTPResponse()))
    monkeypatch.setattr(support._Stream, "add", broken)
    init(mock, max_wait_time=50)
    client = openai_client(llm)
    assert create(client).choices[0].message.content == "Hello from gpt-test!"
    assert len(list(create(client, stream=True))) == 5
    assert wait_for(lambda: len([e for e in events_of(mock) if e["event_type"] == "llms"]) == 2)
