"""record_action / record_tool / record_function / track_agent."""

from __future__ import annotations

import asyncio
import datetime
import threading
import uuid
from collections import namedtuple

import agentops
import pytest
from agentops import record_action, record_function, record_tool, track_agent
from ao_support import KEY, events_of, init, wait_events, wait_for


def ts(s: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(s)


@record_action("my_action")
def add3(x, y, z=3):
    return x + y + z


@record_action()
def default_named(a):
    return a


@record_tool("my_tool")
def tool_fn(q):
    return {"answer": q}


@record_tool()
def default_tool(q):
    return q


def test_record_action_params_with_defaults_returns_and_timestamps(mock):
    init(mock)
    assert add3(1, 2) == 6
    e = wait_events(mock, 1)[0]
    assert e["event_type"] == "actions" and e["action_type"] == "my_action"
    assert e["params"] == {"x": 1, "y": 2, "z": 3}
    assert e["returns"] == 6
    assert ts(e["init_timestamp"]) <= ts(e["end_timestamp"])
    assert uuid.UUID(e["id"]).version == 4


def test_keyword_arguments_and_default_names(mock):
    init(mock)
    add3(1, y=5, z=0)
    default_named("v")
    events = wait_events(mock, 2)
    assert events[0]["params"] == {"x": 1, "y": 5, "z": 0}
    assert events[1]["action_type"] == "default_named" and events[1]["params"] == {"a": "v"}


def test_varargs_kwargs_and_methods(mock):
    @record_action("var")
    def var(a, *rest, k=1, **extra):
        return len(rest)

    class Thing:
        @record_action("method")
        def go(self, n):
            return n

    init(mock)
    assert var(1, 2, 3, other=4) == 2
    assert Thing().go(7) == 7
    e1, e2 = wait_events(mock, 2)
    assert e1["params"] == {"a": 1, "rest": [2, 3], "other": 4, "k": 1}
    assert e2["params"] == {"n": 7}  # self is left out


def test_two_calls_in_one_batch_in_order(mock):
    init(mock, max_wait_time=300)
    add3(1, 1)
    add3(2, 2)
    events = wait_events(mock, 2)
    assert len(mock.requests("/v2/create_events")) == 1
    assert [e["returns"] for e in events] == [5, 7]


def test_tuple_return_is_an_array_on_the_wire_and_a_tuple_for_the_caller(mock):
    Pair = namedtuple("Pair", "a b")

    @record_action("tup")
    def tup():
        return (6, "tuple")

    @record_action("named")
    def named():
        return Pair(1, 2)

    init(mock)
    result = tup()
    assert result == (6, "tuple") and type(result) is tuple
    p = named()
    assert type(p) is Pair and p.a == 1
    events = wait_events(mock, 2)
    assert events[0]["returns"] == [6, "tuple"] and events[1]["returns"] == [1, 2]


def test_record_tool(mock):
    init(mock)
    assert tool_fn("hi") == {"answer": "hi"}
    default_tool("q")
    t1, t2 = wait_events(mock, 2)
    assert (t1["event_type"], t1["name"], t1["params"], t1["returns"]) == (
        "tools",
        "my_tool",
        {"q": "hi"},
        {"answer": "hi"},
    )
    assert t2["name"] == "default_tool"


def test_async_functions_are_awaited_and_timed(mock):
    @record_action("slow")
    async def slow(x):
        await asyncio.sleep(0.1)
        return x * 2

    @record_tool("atool")
    async def atool():
        return "done"

    init(mock)
    assert asyncio.run(slow(21)) == 42
    assert asyncio.run(atool()) == "done"
    e, t = wait_events(mock, 2)
    assert e["returns"] == 42
    assert (ts(e["end_timestamp"]) - ts(e["init_timestamp"])).total_seconds() >= 0.1
    assert t["event_type"] == "tools" and t["returns"] == "done"


def test_exception_is_reraised_unchanged_and_recorded_with_a_linked_error(mock):
    @record_action("boom")
    def boom(x):
        raise ValueError(f"kaboom {x}")

    init(mock)
    with pytest.raises(ValueError) as info:
        boom(1)
    assert str(info.value) == "kaboom 1"
    assert info.value.__traceback__ is not None
    action, error = wait_events(mock, 2)
    assert action["event_type"] == "actions" and action["action_type"] == "boom" and action["params"] == {"x": 1}
    assert error["event_type"] == "errors"
    assert error["trigger_event_id"] == action["id"] and error["trigger_event_type"] == "actions"
    assert error["error_type"] == "ValueError" and error["details"] == "kaboom 1"
    assert "Traceback (most recent call last)" in error["logs"] and "kaboom 1" in error["logs"]


def test_async_exception_is_reraised_and_recorded(mock):
    class Custom(Exception):
        pass

    @record_tool("aboom")
    async def aboom():
        raise Custom("async")

    init(mock)
    with pytest.raises(Custom):
        asyncio.run(aboom())
    tool, error = wait_events(mock, 2)
    assert tool["event_type"] == "tools" and error["trigger_event_id"] == tool["id"]
    assert error["error_type"] == "Custom"


def test_session_keyword_chooses_the_session_and_its_jwt(mock):
    init(mock, auto_start_session=False, max_wait_time=100)
    s1 = agentops.start_session()
    s2 = agentops.start_session()
    assert add3(1, 2, session=s1) == 6
    tool_fn("x", session=s2)
    events = wait_events(mock, 2)
    by_type = {e["event_type"]: e for e in events}
    assert by_type["actions"]["session_id"] == str(s1.session_id)
    assert by_type["tools"]["session_id"] == str(s2.session_id)
    for r in mock.requests("/v2/create_events"):
        assert {e["session_id"] for e in r["body"]["events"]} == {r["session_id"]}


def test_error_goes_to_the_chosen_session(mock):
    @record_action("fails")
    def fails():
        raise RuntimeError("x")

    init(mock, auto_start_session=False)
    agentops.start_session()
    s2 = agentops.start_session()
    with pytest.raises(RuntimeError):
        fails(session=s2)
    events = wait_events(mock, 2)
    assert {e["session_id"] for e in events} == {str(s2.session_id)}


def test_value_error_without_session_when_several_are_open(mock):
    calls = []

    @record_action("needs_session")
    def f():
        calls.append(1)

    init(mock)
    agentops.start_session()
    with pytest.raises(ValueError, match="session"):
        f()
    with pytest.raises(ValueError, match="record_tool"):
        tool_fn("x")
    assert calls == []
    agentops.Client().flush(1)
    assert events_of(mock) == []


def test_silent_pass_through_without_init_or_without_a_session(mock, logs):
    assert add3(1, 2) == 6
    assert asyncio.run(_async_identity(5)) == 5
    with pytest.raises(ZeroDivisionError):
        _divide(1, 0)
    init(mock, auto_start_session=False)
    assert add3(1, 1) == 5
    assert mock.requests() == []
    assert logs.at(30) == [] and logs.at(40) == []


@record_action("async_identity")
async def _async_identity(x):
    return x


@record_action("divide")
def _divide(a, b):
    return a / b


def test_instrumentation_failures_never_reach_the_caller(mock):
    class BadScreenshot:
        @property
        def screenshot(self):
            raise RuntimeError("broken property")

    class Unprintable:
        def model_dump(self):
            raise RuntimeError("cannot dump")

    @record_action("robust")
    def robust(arg):
        return BadScreenshot()

    init(mock)
    assert isinstance(robust(Unprintable()), BadScreenshot)
    wait_events(mock, 1)


def test_record_function_is_a_deprecated_alias(mock, logs):
    with pytest.warns(DeprecationWarning):

        @record_function("legacy")
        def legacy(v):
            return v

    assert any("record_function" in m for m in logs.at(30))
    init(mock)
    legacy(1)
    assert wait_events(mock, 1)[0]["action_type"] == "legacy"


def test_bare_decorator_use(mock):
    @record_action
    def bare(v):
        return v

    init(mock)
    assert bare(2) == 2
    assert wait_events(mock, 1)[0]["action_type"] == "bare"


# -- agents ------------------------------------------------------------------------------


@track_agent("Researcher")
class Researcher:
    def __init__(self, topic):
        self.topic = topic

    @record_action("research")
    def research(self):
        agentops.record(agentops.ActionEvent(action_type="manual_inside"))
        return self.topic

    async def aresearch(self):
        await asyncio.sleep(0)
        agentops.record(agentops.ActionEvent(action_type="async_inside"))


def test_track_agent_class_registers_and_attributes_events(mock):
    init(mock)
    agent = Researcher("ai")
    assert isinstance(agent.agentops_agent_id, str) and agent.agentops_agent_name == "Researcher"
    assert agent.research() == "ai"
    agentops.record(agentops.ActionEvent(action_type="outside"))
    asyncio.run(agent.aresearch())
    events = wait_events(mock, 4)
    paths = [r["path"] for r in mock.requests()]
    assert paths.index("/v2/create_agent") < paths.index("/v2/create_events")
    assert mock.requests("/v2/create_agent")[0]["body"] == {"id": agent.agentops_agent_id, "name": "Researcher"}
    by_type = {e["action_type"]: e for e in events}
    assert by_type["research"]["agent_id"] == agent.agentops_agent_id
    assert by_type["manual_inside"]["agent_id"] == agent.agentops_agent_id
    assert by_type["async_inside"]["agent_id"] == agent.agentops_agent_id
    assert "agent_id" not in by_type["outside"]


def test_agent_names_instances_subclasses_and_threads(mock):
    init(mock)
    named = Researcher("x", agentops_name="Custom")
    assert named.agentops_agent_name == "Custom"

    class Sub(Researcher):
        def extra(self):
            agentops.record(agentops.ActionEvent(action_type="from_sub"))

    sub = Sub("y")
    other = Researcher("z")
    results = {}

    def run(agent, key):
        agent.research()
        results[key] = True

    threads = [threading.Thread(target=run, args=(a, k)) for a, k in ((sub, "sub"), (other, "other"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    sub.extra()
    events = wait_events(mock, 5)
    assert wait_for(lambda: len(mock.requests("/v2/create_agent")) == 3)
    names = sorted(r["body"]["name"] for r in mock.requests("/v2/create_agent"))
    assert names == ["Custom", "Researcher", "Researcher"]
    agent_ids = {e["agent_id"] for e in events}
    assert {sub.agentops_agent_id, other.agentops_agent_id} <= agent_ids
    assert [e["agent_id"] for e in events if e["action_type"] == "from_sub"] == [sub.agentops_agent_id]


def test_track_agent_on_pydantic_models_and_role_names(mock):
    pydantic = pytest.importorskip("pydantic")

    @track_agent()
    class Crew(pydantic.BaseModel):
        role: str

        def act(self):
            agentops.record(agentops.ActionEvent(action_type="crew_act"))

    init(mock)
    crew = Crew(role="Writer")
    crew.act()
    event = wait_events(mock, 1)[0]
    assert wait_for(lambda: mock.requests("/v2/create_agent"))
    assert mock.requests("/v2/create_agent")[0]["body"]["name"] == "Writer"
    assert event["agent_id"] == crew.agentops_agent_id
    assert crew.model_dump() == {"role": "Writer"}


def test_track_agent_on_a_function(mock):
    init(mock)

    @track_agent("solo")
    def solo():
        agentops.record(agentops.ActionEvent(action_type="solo_act"))
        return 1

    assert solo() == 1
    event = wait_events(mock, 1)[0]
    assert event["agent_id"] == solo.agentops_agent_id
    assert mock.requests("/v2/create_agent")[0]["body"]["name"] == "solo"


def test_agent_created_before_init_is_registered_with_the_first_session(mock):
    early = Researcher("early")
    assert mock.requests() == []
    init(mock)
    early.research()
    wait_events(mock, 2)
    assert mock.requests("/v2/create_agent")[0]["body"]["id"] == early.agentops_agent_id


def test_client_decorator_methods(mock):
    c = agentops.Client()
    init(mock)

    @c.record_tool("ct")
    def ct():
        return 1

    @c.track_agent("ca")
    class CA:
        pass

    ct()
    CA()
    assert wait_events(mock, 1)[0]["name"] == "ct"
    assert wait_for(lambda: mock.requests("/v2/create_agent"))


def test_decorators_pass_through_after_shutdown(mock):
    init(mock)
    agentops.Client().shutdown(2)
    assert add3(1, 2) == 6


def test_key_absent_from_debug_logs_of_a_full_decorated_run(mock, logs):
    init(mock)
    add3(1, 2)
    with pytest.raises(ZeroDivisionError):
        _divide(1, 0)
    wait_events(mock, 3)
    agentops.end_session("Success")
    jwts = {r["headers"].get("authorization", "").split(" ")[-1] for r in mock.requests()} - {""}
    text = logs.text()
    assert KEY not in text
    assert all(jwt not in text for jwt in jwts)
