"""Event classes: fields, defaults, wire shapes, and values JSON cannot hold."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import math
import uuid
from collections import OrderedDict, namedtuple
from decimal import Decimal

try:
    import pydantic
except ImportError:  # optional test dependency
    pydantic = None

import agentops
from agentops import ActionEvent, ErrorEvent, Event, EventType, LLMEvent, ToolEvent
from agentops.serialization import safe_serialize, to_jsonable
from ao_support import events_of, init, wait_events


def record_one(mock, event):
    before = len(events_of(mock))
    agentops.record(event)
    return wait_events(mock, before + 1)[-1]


# -- construction -------------------------------------------------------------------------


def test_defaults_and_types_match_the_reference_dataclasses():
    e = ActionEvent()
    assert e.event_type == "actions" and isinstance(e.id, uuid.UUID) and e.id.version == 4
    assert e.params is None and e.returns is None and e.end_timestamp is None and e.agent_id is None
    assert e.init_timestamp.endswith("+00:00")
    assert datetime.datetime.fromisoformat(e.init_timestamp).tzinfo is not None
    assert (e.action_type, e.logs, e.screenshot) == (None, None, None)
    assert LLMEvent().event_type == "llms" and ToolEvent().event_type == "tools"
    assert ErrorEvent().event_type == "errors"
    for cls in (ActionEvent, LLMEvent, ToolEvent, ErrorEvent):
        assert issubclass(cls, Event)
    llm = LLMEvent()
    assert (
        llm.thread_id,
        llm.prompt,
        llm.prompt_tokens,
        llm.completion,
        llm.completion_tokens,
        llm.cost,
        llm.model,
    ) == (None,) * 7
    tool = ToolEvent()
    assert (tool.name, tool.logs) == (None, None)
    assert ActionEvent().id != ActionEvent().id


def test_first_positional_argument_is_event_type():
    assert ActionEvent("llms").event_type == "llms"
    assert Event("custom").event_type == "custom"
    e = ActionEvent("actions", {"p": 1}, "r")
    assert e.params == {"p": 1} and e.returns == "r"


def test_attributes_keep_the_original_objects_and_are_settable():
    params = {"nested": [1, 2]}
    e = ActionEvent(params=params)
    assert e.params is params
    e.returns = ("a", 1)
    e.action_type = "set later"
    e.event_type = EventType.TOOL
    new_id = uuid.uuid4()
    e.id = str(new_id)
    assert e.id == new_id
    e.agent_id = new_id
    assert e.agent_id == new_id
    e.end_timestamp = "2024-11-22T23:37:02.439341+00:00"
    assert e.end_timestamp == "2024-11-22T23:37:02.439341+00:00"
    e.end_timestamp = None
    assert e.end_timestamp is None
    e.init_timestamp = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert e.init_timestamp == "2024-01-02T03:04:05.000000+00:00"
    e.init_timestamp = "yesterday"  # not a timestamp: ignored with a warning, never raised
    assert e.init_timestamp == "2024-01-02T03:04:05.000000+00:00"
    e.id = "not-a-uuid"
    assert e.id == new_id


def test_explicit_id_timestamps_and_agent_are_used():
    eid, aid = uuid.uuid4(), uuid.uuid4()
    e = ActionEvent(
        id=eid, agent_id=str(aid), init_timestamp="2024-11-22T23:37:02Z", end_timestamp="2024-11-22T23:37:03Z"
    )
    assert e.id == eid and e.agent_id == aid
    assert e.init_timestamp == "2024-11-22T23:37:02.000000+00:00"
    assert e.end_timestamp == "2024-11-22T23:37:03.000000+00:00"


def test_error_event_from_an_exception_has_type_details_and_traceback():
    try:
        raise ValueError("kaboom")
    except ValueError as exc:
        err = ErrorEvent(exception=exc, code="E1")
    assert err.error_type == "ValueError" and err.details == "kaboom" and err.code == "E1"
    assert "Traceback (most recent call last)" in err.logs and "kaboom" in err.logs
    assert err.exception is None  # cleared, as in agentops 0.3
    assert err.timestamp == err.init_timestamp


def test_error_event_logs_default_to_the_exception_being_handled():
    assert ErrorEvent().logs is None
    try:
        raise KeyError("k")
    except KeyError:
        err = ErrorEvent(error_type="Custom")
    assert "KeyError" in err.logs and err.error_type == "Custom"


def test_error_event_links_to_its_trigger_and_accepts_the_old_positional_form():
    action = ActionEvent(action_type="a")
    err = ErrorEvent(trigger_event=action, details="d")
    assert err.trigger_event_id == action.id and err.trigger_event_type == "actions"
    old = ErrorEvent(action, RuntimeError("r"))
    assert old.trigger_event is action and old.error_type == "RuntimeError" and old.event_type == "errors"


def test_generic_event_coerces_model_to_llm():
    assert Event("step").action_type == "action"
    assert Event("step", model="gpt").action_type == "llm"
    assert Event("step", model="gpt", action_type="tool").action_type == "tool"


# -- on the wire ---------------------------------------------------------------------------


def test_action_event_wire_shape_and_record_stamps_the_end(mock):
    session = init(mock)
    e = ActionEvent(action_type="act", params={"x": 1}, returns="ok", logs={"l": 1}, screenshot="data:png")
    wire = record_one(mock, e)
    assert wire["event_type"] == "actions" and wire["action_type"] == "act"
    assert wire["params"] == {"x": 1} and wire["returns"] == "ok"
    assert wire["logs"] == {"l": 1} and wire["screenshot"] == "data:png"
    assert wire["id"] == str(e.id) and wire["session_id"] == str(session.session_id)
    assert wire["init_timestamp"] == e.init_timestamp
    assert e.end_timestamp is not None and e.end_timestamp != e.init_timestamp
    assert wire["end_timestamp"] == e.end_timestamp
    assert e.session_id == session.session_id
    assert "agent_id" not in wire  # nulls are omitted


def test_event_type_override_goes_on_the_wire(mock):
    init(mock)
    assert record_one(mock, ActionEvent("llms", action_type="x"))["event_type"] == "llms"


def test_llm_tool_and_error_wire_fields(mock):
    init(mock)
    thread = uuid.uuid4()
    llm = record_one(
        mock,
        LLMEvent(
            thread_id=thread,
            prompt=[{"role": "user", "content": "hi"}],
            prompt_tokens=3,
            completion={"role": "assistant", "content": "yo"},
            completion_tokens=2,
            cost=Decimal("0.25"),
            model="gpt-x",
        ),
    )
    assert llm["event_type"] == "llms" and llm["thread_id"] == str(thread)
    assert llm["prompt"] == [{"role": "user", "content": "hi"}] and llm["prompt_tokens"] == 3
    assert llm["completion"] == {"role": "assistant", "content": "yo"} and llm["completion_tokens"] == 2
    assert llm["cost"] == 0.25 and llm["model"] == "gpt-x"
    tool = record_one(mock, ToolEvent(name="search", params={"q": "x"}, returns=["r"], logs="log"))
    assert (tool["event_type"], tool["name"], tool["logs"], tool["returns"]) == ("tools", "search", "log", ["r"])
    err = record_one(mock, ErrorEvent(error_type="E", code=500, details={"why": "x"}, logs=None))
    assert err["event_type"] == "errors" and err["error_type"] == "E" and err["code"] == "500"
    assert json.loads(err["details"]) == {"why": "x"}
    assert err["timestamp"] == err["init_timestamp"]


def test_recording_an_error_with_a_trigger_records_both_linked(mock):
    init(mock)
    action = ActionEvent(action_type="failing")
    agentops.record(ErrorEvent(trigger_event=action, exception=RuntimeError("bad")))
    events = wait_events(mock, 2)
    assert [e["event_type"] for e in events] == ["actions", "errors"]
    assert events[1]["trigger_event_id"] == events[0]["id"] == str(action.id)
    assert events[1]["trigger_event_type"] == "actions"
    assert events[1]["error_type"] == "RuntimeError" and events[1]["details"] == "bad"


def test_generic_event_wire_shape(mock):
    init(mock)
    wire = record_one(
        mock, Event("agent_step", params={"p": 1}, result="Success", model="m", prompt="hi", tags=["a", "b"])
    )
    assert wire["event_type"] == "agent_step" and wire["action_type"] == "llm"
    assert wire["result"] == "Success" and wire["model"] == "m" and wire["prompt"] == "hi"
    assert wire["tags"] == ["a", "b"]
    counts = agentops.Client()._native.sessions()[0].event_counts
    assert counts["llms"] == 1


# -- values JSON cannot hold -----------------------------------------------------------------


class NotJson:
    pass


if pydantic is not None:

    class Model(pydantic.BaseModel):
        name: str
        n: int


@dataclasses.dataclass
class DC:
    a: int
    b: str = "x"


class Color(enum.Enum):
    RED = "red"


class Exploding:
    def to_dict(self):
        raise RuntimeError("no dict for you")


class WithToDict:
    def to_dict(self):
        return {"k": (1, 2)}


class WithJson:
    def json(self):
        return '{"from": "json"}'


Point = namedtuple("Point", "x y")


def test_values_become_json_or_a_placeholder_and_never_lose_the_event(mock):
    init(mock)
    loop = []
    loop.append(loop)
    params = {
        "obj": NotJson(),
        "model": Model(name="m", n=1) if pydantic else {"name": "m", "n": 1},
        "dc": DC(1),
        "tuple": (1, "two"),
        "named": Point(1, 2),
        "set": {3},
        "uuid": uuid.UUID(int=1),
        "when": datetime.datetime(2024, 1, 2, 3, 4, 5),
        "color": Color.RED,
        "decimal": Decimal("1.5"),
        "nan": math.nan,
        "big": 2**70,
        "keys": {1: "int key", None: "none key"},
        "explode": Exploding(),
        "to_dict": WithToDict(),
        "json": WithJson(),
        "bytes": b"\x00",
        "func": len,
        "type": int,
        "loop": loop,
        "ordered": OrderedDict(a=1),
    }
    wire = record_one(mock, ActionEvent(action_type="values", params=params, returns=(6, "tuple")))
    p = wire["params"]
    assert p["obj"] == "<<non-serializable: NotJson>>"
    assert p["model"] == {"name": "m", "n": 1}
    assert p["dc"] == {"a": 1, "b": "x"}
    assert p["tuple"] == [1, "two"] and p["named"] == [1, 2] and p["set"] == [3]
    assert p["uuid"] == "00000000-0000-0000-0000-000000000001"
    assert p["when"] == "2024-01-02T03:04:05"
    assert p["color"] == "red" and p["decimal"] == 1.5
    assert p["nan"] == "nan" and p["big"] == 2**70  # exact, or a documented string form
    assert p["keys"] == {"1": "int key", "None": "none key"}
    assert p["explode"].startswith("<<serialization-error:") and "no dict for you" in p["explode"]
    assert p["to_dict"] == {"k": [1, 2]}
    assert p["json"] == {"from": "json"}
    assert p["bytes"] == "<<non-serializable: bytes>>"
    assert p["func"] == "<<non-serializable: builtin_function_or_method>>"
    assert p["type"] == "<<non-serializable: type>>"
    assert p["loop"] == ["<<circular reference: list>>"]
    assert p["ordered"] == {"a": 1}
    assert wire["returns"] == [6, "tuple"]


def test_lone_surrogates_do_not_break_an_event(mock):
    init(mock)
    wire = record_one(mock, ActionEvent(action_type="s", params={"bad": "x\udcff"}))
    assert wire["params"]["bad"].startswith("x")


def test_safe_serialize_is_the_event_conversion():
    assert json.loads(safe_serialize({"t": (1, 2), "o": NotJson()})) == {
        "t": [1, 2],
        "o": "<<non-serializable: NotJson>>",
    }
    assert to_jsonable(DC(2)) == {"a": 2, "b": "x"}


def test_record_rejects_non_events_without_raising(mock, logs):
    init(mock)
    agentops.record({"not": "an event"})
    assert any("expects an agentops event" in m for m in logs.at(30))


def test_enums():
    assert [s.value for s in agentops.EndState] == ["Success", "Fail", "Indeterminate"]
    assert {t.name: t.value for t in EventType} == {
        "LLM": "llms",
        "ACTION": "actions",
        "API": "apis",
        "TOOL": "tools",
        "ERROR": "errors",
    }
    assert agentops.EndState.SUCCESS == "Success"


def test_user_subclasses_of_native_events_work(mock):
    class MyAction(ActionEvent):
        pass

    init(mock)
    e = MyAction(action_type="sub")
    assert isinstance(e, ActionEvent)
    assert record_one(mock, e)["action_type"] == "sub"


def test_an_already_recorded_trigger_is_not_sent_twice(mock):
    init(mock)
    action = ActionEvent(action_type="once")
    agentops.record(action)
    agentops.record(ErrorEvent(trigger_event=action, error_type="Late"))
    events = wait_events(mock, 2)
    agentops.Client().flush(2)
    assert [e["event_type"] for e in events_of(mock)] == ["actions", "errors"]
    assert events[1]["trigger_event_id"] == str(action.id)
