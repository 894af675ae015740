"""Calling an event class goes straight to its constructor, without a keyword dict
(`bindings-python/src/class_call.rs`), and gives exactly what `type.__call__` gives: the same
event for every argument, the same error for every call it does not take."""

from __future__ import annotations

import inspect
import sys
import sysconfig
import uuid
from unittest import mock

import pytest
from agentops import ActionEvent, ErrorEvent, Event, LLMEvent, ToolEvent, _native

CLASSES = [Event, ActionEvent, LLMEvent, ToolEvent, ErrorEvent]
FIXED = {"id": uuid.UUID(int=7), "init_timestamp": "2024-01-02T03:04:05+00:00"}


def through_type(cls, *args, **kwargs):
    """The call as `type.__call__` makes it: `tp_new` with a dict, then `tp_init`."""
    return type.__call__(cls, *args, **kwargs)


def fields(event):
    """Everything an event shows, by attribute."""
    names = [n for n in dir(event) if not n.startswith("_")]
    return {n: getattr(event, n) for n in names if not callable(getattr(event, n))}


def value_for(name):
    trigger = ActionEvent(action_type="failed", **FIXED)
    values = {
        "id": uuid.UUID(int=11),
        "agent_id": uuid.UUID(int=12),
        "session_id": uuid.UUID(int=13),
        "thread_id": uuid.UUID(int=14),
        "init_timestamp": "2024-05-06T07:08:09+00:00",
        "end_timestamp": "2024-05-06T07:08:10+00:00",
        "trigger_event": trigger,
        "exception": ValueError("boom"),
        "params": {"a": 1, "b": "hello"},
    }
    return values.get(name, f"the {name}")


def parameters(cls):
    return list(inspect.signature(cls).parameters.values())


def required(cls):
    return {p.name: value_for(p.name) for p in parameters(cls) if p.default is p.empty}


CASES = [(cls, p.name) for cls in CLASSES for p in parameters(cls)]


@pytest.mark.skipif(
    sys.implementation.name != "cpython"
    or not (3, 10) <= sys.version_info[:2] <= (3, 14)
    or sysconfig.get_config_var("Py_GIL_DISABLED"),
    reason="the direct call is installed on CPython 3.10-3.14 only",
)
def test_the_event_classes_are_called_directly_on_this_interpreter():
    assert _native._DIRECT_CALL is True


@pytest.mark.parametrize(("cls", "name"), CASES, ids=[f"{c.__name__}.{n}" for c, n in CASES])
def test_each_keyword_gives_the_event_type_call_gives(cls, name):
    kwargs = {**FIXED, **required(cls), name: value_for(name)}
    assert fields(cls(**kwargs)) == fields(through_type(cls, **kwargs))


@pytest.mark.parametrize("cls", CLASSES)
def test_none_for_every_keyword_is_the_same_as_not_giving_it(cls):
    kwargs = {**{p.name: None for p in parameters(cls)}, **FIXED, **required(cls)}
    assert fields(cls(**kwargs)) == fields(through_type(cls, **kwargs))
    assert fields(cls(**kwargs)) == fields(cls(**FIXED, **required(cls)))


@pytest.mark.parametrize("cls", CLASSES)
def test_positional_arguments_give_the_event_type_call_gives(cls):
    positional = [p for p in parameters(cls) if p.kind == p.POSITIONAL_OR_KEYWORD]
    args = [value_for(p.name) for p in positional]
    assert fields(cls(*args)) == fields(through_type(cls, *args))


def test_the_old_positional_error_form_still_links_its_trigger():
    trigger = ActionEvent(action_type="failed")
    error = ErrorEvent(trigger, ValueError("boom"))
    assert error.trigger_event is trigger
    assert error.error_type == "ValueError"
    assert error.details == "boom"


def test_keywords_that_are_not_interned_give_the_same_event():
    name = "".join(["action", "_", "type"])  # built at run time: not the interned constant
    kwargs = {**FIXED, name: "search"}
    assert fields(ActionEvent(**kwargs)) == fields(through_type(ActionEvent, **kwargs))
    assert ActionEvent(**kwargs).action_type == "search"


BAD_CALLS = [
    (ActionEvent, (), {"bogus": 1}),
    (ActionEvent, tuple(range(12)), {}),
    (ActionEvent, ("actions",), {"event_type": "again"}),
    (Event, (), {}),
    (Event, (), {"params": 1}),
    (Event, ("t",) + tuple(range(8)), {}),  # keyword-only parameters given by position
    (LLMEvent, (), {"model": "m", "bogus": 2}),
]


@pytest.mark.parametrize(("cls", "args", "kwargs"), BAD_CALLS)
def test_calls_it_does_not_take_raise_what_they_raised(cls, args, kwargs):
    with pytest.raises(TypeError) as direct:
        cls(*args, **kwargs)
    with pytest.raises(TypeError) as expected:
        through_type(cls, *args, **kwargs)
    assert str(direct.value) == str(expected.value)


def test_a_subclass_is_created_through_its_own_init():
    class Search(ActionEvent):
        def __init__(self, query, **kwargs):
            super().__init__()
            self.query = query

    event = Search("what", returns="ok")
    assert event.query == "what"
    assert isinstance(event, ActionEvent)
    assert event.returns == "ok"  # `__new__` is given the call's arguments too


def test_a_replaced_init_runs_and_the_direct_call_resumes_after_it_is_restored():
    calls = []

    def init(self, *args, **kwargs):
        calls.append(kwargs)

    with mock.patch.object(ActionEvent, "__init__", init):
        event = ActionEvent(action_type="patched")
    assert calls == [{"action_type": "patched"}]
    assert event.action_type == "patched"
    kwargs = {**FIXED, "action_type": "after"}
    assert fields(ActionEvent(**kwargs)) == fields(through_type(ActionEvent, **kwargs))
    assert len(calls) == 1
