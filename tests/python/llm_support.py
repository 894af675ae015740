"""Helpers of the LLM instrumentation tests: clients pointed at the mock LLM API, the
events that reached the mock AgentOps backend, and runs without instrumentation to
compare with."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import pytest
from ao_support import events_of, wait_for

MESSAGES = [{"role": "user", "content": "Say hello"}]
WEATHER_TOOL_OPENAI = {
    "type": "function",
    "function": {"name": "weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}
WEATHER_TOOL_ANTHROPIC = {
    "name": "weather",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}


@pytest.fixture(params=["native methods", "python wrappers"])
def wrappers(request: Any, monkeypatch: Any) -> str:
    """Runs a test with each kind of patch: the native `InstrumentedMethod`s (where this
    interpreter allows them) and the Python wrappers they stand in for."""
    from agentops.llms import _bodies

    monkeypatch.setattr(_bodies, "NATIVE", request.param == "native methods")
    return request.param


def openai_client(llm: Any, asynchronous: bool = False) -> Any:
    import openai

    cls = openai.AsyncOpenAI if asynchronous else openai.OpenAI
    return cls(base_url=llm.url + "/v1", api_key="sk-test", max_retries=0)


def anthropic_client(llm: Any, asynchronous: bool = False) -> Any:
    import anthropic

    cls = anthropic.AsyncAnthropic if asynchronous else anthropic.Anthropic
    return cls(base_url=llm.url, api_key="sk-ant-test", max_retries=0)


def llm_events(mock: Any, n: int, kind: str = "llms") -> List[Dict[str, Any]]:
    """The first `n` events of `kind` the backend accepted (waits for them)."""
    assert wait_for(lambda: len([e for e in events_of(mock) if e["event_type"] == kind]) >= n), events_of(mock)
    return [e for e in events_of(mock) if e["event_type"] == kind]


def uninstrumented(run: Callable[[], Any]) -> Any:
    """`run()` with the LLM clients as they are (before `init()` instruments them)."""
    from agentops import llms

    llms.stop_instrumenting()
    return run()


def dump(value: Any) -> Any:
    """A response as comparable data (pydantic models dumped)."""
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if isinstance(value, list):
        return [dump(v) for v in value]
    return value
