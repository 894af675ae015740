"""The native `InstrumentedMethod`s that stand in for the Python wrappers of sync client
methods and for the response hook: where they are used, and that they are as transparent
as the functions they replace (signature, metadata, binding, errors). What they record is
tested by test_llm_openai.py and test_llm_anthropic.py, which run with both kinds."""

from __future__ import annotations

import inspect
import platform
import struct
import sys

import pytest

openai = pytest.importorskip("openai")
anthropic = pytest.importorskip("anthropic")

import agentops  # noqa: E402
from agentops import llms  # noqa: E402
from ao_support import events_of, init, wait_for  # noqa: E402
from llm_support import MESSAGES, openai_client  # noqa: E402

SUPPORTED = (
    platform.python_implementation() == "CPython"
    and (3, 10) <= sys.version_info[:2] <= (3, 14)
    and struct.calcsize("P") == 8
)


@pytest.fixture(autouse=True)
def _restore_clients():
    yield
    llms.stop_instrumenting()


def patched_methods():
    from anthropic.resources.messages import Messages
    from openai._base_client import BaseClient
    from openai.resources.chat.completions import Completions

    return [Completions.create, Completions.parse, Messages.create, BaseClient._process_response_data]


@pytest.mark.skipif(not SUPPORTED, reason="the native methods need CPython 3.10-3.14 on 64 bits")
def test_sync_methods_and_the_response_hook_are_native_and_async_methods_stay_python(mock):
    from openai.resources.chat.completions import AsyncCompletions

    init(mock, max_wait_time=50)
    assert all(type(m) is type(patched_methods()[0]) for m in patched_methods())
    assert type(patched_methods()[0]).__name__ == "InstrumentedMethod"
    assert inspect.isfunction(AsyncCompletions.create), "awaited methods keep the Python wrapper"


def test_a_native_method_looks_like_the_function_it_wraps(mock, llm):
    originals = patched_methods()
    init(mock, max_wait_time=50)
    for original, method in zip(originals, patched_methods(), strict=True):
        assert method.__wrapped__ is original and method.__agentops_original__ is original
        for name in ("__name__", "__qualname__", "__doc__", "__module__"):
            assert getattr(method, name) == getattr(original, name), name
        assert inspect.signature(method) == inspect.signature(original)
    completions = openai_client(llm).chat.completions
    bound = completions.create
    assert bound.__self__ is completions and bound.__func__ is type(completions).create
    assert inspect.signature(bound) == inspect.signature(originals[0].__get__(completions))
    assert type(completions).__dict__["create"].__get__(None, type(completions)) is type(completions).create


def test_every_way_of_calling_a_native_method_reaches_the_client_unchanged(mock, llm):
    init(mock, max_wait_time=50)
    completions = openai_client(llm).chat.completions
    method = type(completions).create
    answers = [
        completions.create(model="gpt-a", messages=MESSAGES),  # the method-call path
        method(completions, model="gpt-b", messages=MESSAGES),  # called on the class
        completions.create(**{"model": "gpt-c", "messages": MESSAGES}),  # a bound method, ** keywords
    ]
    assert [a.choices[0].message.content for a in answers] == [f"Hello from gpt-{x}!" for x in "abc"]
    sent = [r["body"] for r in llm.requests()[-3:]]
    assert sent == [{"model": f"gpt-{x}", "messages": MESSAGES} for x in "abc"]
    assert wait_for(
        lambda: (
            sorted(e["model"] for e in events_of(mock) if e["event_type"] == "llms")
            == ["gpt-a-2026", "gpt-b-2026", "gpt-c-2026"]
        )
    ), events_of(mock)


def test_a_call_the_client_refuses_raises_the_clients_own_error(mock, llm):
    completions = openai_client(llm).chat.completions
    with pytest.raises(TypeError) as plain:
        completions.create(model="gpt-x", messages=MESSAGES, no_such_keyword=1)
    init(mock, max_wait_time=50)
    with pytest.raises(TypeError) as instrumented:
        completions.create(model="gpt-x", messages=MESSAGES, no_such_keyword=1)
    assert str(instrumented.value) == str(plain.value)
    assert instrumented.traceback[-1].name == plain.traceback[-1].name, "raised where the client raises it"
    assert wait_for(lambda: [e["error_type"] for e in events_of(mock) if e["event_type"] == "errors"] == ["TypeError"])


def test_a_base_exception_from_the_client_is_not_recorded_and_propagates(mock, llm, monkeypatch):
    from openai._base_client import SyncAPIClient

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt("stop")

    init(mock, max_wait_time=50)
    monkeypatch.setattr(SyncAPIClient, "request", interrupted)
    with pytest.raises(KeyboardInterrupt, match="stop"):
        openai_client(llm).chat.completions.create(model="gpt-x", messages=MESSAGES)
    agentops.Client().flush(10)
    assert [e for e in events_of(mock) if e["event_type"] in ("llms", "errors")] == []


def test_instrumented_before_agentops_is_initialised_a_call_only_reaches_the_client(mock, llm):
    llms.instrument()  # what init() does, without a client to record into
    answer = openai_client(llm).chat.completions.create(model="gpt-x", messages=MESSAGES)
    assert answer.choices[0].message.content == "Hello from gpt-x!"
    assert llm.requests()[-1]["body"] == {"model": "gpt-x", "messages": MESSAGES}
    assert events_of(mock) == []
