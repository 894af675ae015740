"""The agentops 0.3 module API and classes, against the loopback mock backend."""

from __future__ import annotations

import threading
import time
import uuid
from decimal import Decimal

import agentops
import pytest
from agentops import _native
from ao_support import KEY, PARENT_KEY, events_of, init, updates_of, wait_events, wait_for


def _is_iso_utc(ts: str) -> bool:
    return isinstance(ts, str) and ts.endswith("+00:00") and "T" in ts


# -- init / configure --------------------------------------------------------------------


def test_init_starts_one_session_with_the_reference_shape(mock):
    session = init(mock, default_tags=["a", "b"])
    assert isinstance(session, agentops.Session)
    reqs = mock.requests()
    assert [r["path"] for r in reqs] == ["/v2/create_session"]
    r = reqs[0]
    assert r["headers"]["x-agentops-api-key"] == KEY
    assert "authorization" not in r["headers"]
    body = r["body"]["session"]
    assert uuid.UUID(body["session_id"]) == session.session_id
    assert body["end_state"] == "Indeterminate"
    assert _is_iso_utc(body["init_timestamp"])
    assert body["tags"] == ["a", "b"]
    assert "jwt" not in body


def test_init_without_api_key_logs_an_error_and_starts_nothing(mock, logs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert agentops.init(endpoint=mock.url) is None
    assert not agentops.Client().is_initialized
    assert any("API Key is missing" in m for m in logs.at(40))
    assert mock.requests() == []
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_init_reads_the_api_key_from_the_environment(mock, monkeypatch):
    monkeypatch.setenv("AGENTOPS_API_KEY", KEY)
    monkeypatch.setenv("AGENTOPS_API_ENDPOINT", mock.url)
    session = agentops.init(max_wait_time=50)
    assert session is not None
    assert agentops.get_api_key() == KEY
    assert mock.requests("/v2/create_session")[0]["headers"]["x-agentops-api-key"] == KEY


def test_bad_api_key_returns_none_and_never_logs_the_key(mock, logs):
    secret = "sk-not-a-uuid-5ecre7-value"
    assert agentops.init(api_key=secret, endpoint=mock.url) is None
    assert mock.requests() == []
    assert logs.at(40), "an error is logged"
    assert all(secret not in m for m in logs.messages)


def test_init_twice_warns_and_returns_none(mock, logs):
    assert init(mock) is not None
    assert agentops.init(api_key=KEY, endpoint=mock.url) is None
    assert any("already been initialized" in m for m in logs.at(30))
    assert len(mock.requests("/v2/create_session")) == 1


def test_init_without_auto_start_then_start_session(mock, logs):
    assert agentops.start_session() is None  # not initialised
    assert any("has not been initialized" in m for m in logs.at(30))
    assert init(mock, auto_start_session=False) is None
    assert mock.requests() == []
    session = agentops.start_session(tags=["t1"])
    assert session is not None and session.is_running
    assert mock.requests("/v2/create_session")[0]["body"]["session"]["tags"] == ["t1"]


def test_deprecated_tags_become_default_tags_and_merge_with_start_tags(mock, logs):
    init(mock, tags=["d1", "d2"], auto_start_session=False)
    assert any("deprecated" in m for m in logs.at(30))
    agentops.start_session(tags=["d2", "s1"])
    assert mock.requests("/v2/create_session")[0]["body"]["session"]["tags"] == ["d1", "d2", "s1"]


def test_configure_before_init_and_locked_while_a_session_runs(mock, logs):
    agentops.configure(default_tags=["c1"])
    agentops.configure(default_tags=["c2"])  # additive
    init(mock)
    assert mock.requests("/v2/create_session")[0]["body"]["session"]["tags"] == ["c1", "c2"]
    agentops.configure(max_queue_size=7)
    assert any("Cannot configure while session is active" in m for m in logs.at(30))


def test_configure_after_the_sessions_ended_applies_to_the_next_session(mock):
    init(mock)
    agentops.end_session("Success")
    agentops.configure(default_tags=["later"])
    agentops.start_session()
    bodies = [r["body"]["session"] for r in mock.requests("/v2/create_session")]
    assert bodies[-1]["tags"] == ["later"]


def test_api_key_and_parent_key_setters(mock):
    agentops.set_api_key(KEY)
    agentops.set_parent_key(PARENT_KEY)
    assert agentops.get_api_key() == KEY
    agentops.init(endpoint=mock.url, max_wait_time=50)
    agentops.record(agentops.ActionEvent(action_type="a"))
    wait_events(mock, 1)
    create = mock.requests("/v2/create_session")[0]
    assert create["headers"]["x-agentops-parent-key"] == PARENT_KEY
    for r in mock.requests("/v2/create_events"):
        assert "x-agentops-parent-key" not in r["headers"]
        assert "x-agentops-api-key" not in r["headers"]
        assert r["headers"]["authorization"].startswith("Bearer ")


# -- recording ---------------------------------------------------------------------------


def test_two_records_are_one_batch_in_order_with_the_session_jwt(mock):
    init(mock, max_wait_time=200)
    a = agentops.ActionEvent(action_type="first")
    b = agentops.ActionEvent(action_type="second")
    agentops.record(a)
    agentops.record(b)
    events = wait_events(mock, 2)
    batches = mock.requests("/v2/create_events")
    assert len(batches) == 1
    assert [e["action_type"] for e in events] == ["first", "second"]
    assert [e["id"] for e in events] == [str(a.id), str(b.id)]
    jwt = batches[0]["headers"]["authorization"].split(" ", 1)[1]
    assert jwt.startswith("jwt-")
    assert batches[0]["session_id"] == events[0]["session_id"]


def test_time_trigger_delivers_without_further_activity(mock):
    init(mock, max_wait_time=100)
    agentops.record(agentops.ActionEvent(action_type="lonely"))
    assert wait_for(lambda: len(events_of(mock)) == 1, timeout=5)


def test_size_trigger_and_many_events_arrive_exactly_once(mock):
    init(mock, max_wait_time=60_000, max_queue_size=50)
    ids = set()
    for i in range(500):
        e = agentops.ActionEvent(action_type="bulk", params={"i": i})
        ids.add(str(e.id))
        agentops.record(e)
    events = wait_events(mock, 500, timeout=20)
    assert {e["id"] for e in events} == ids and len(events) == 500
    assert all(len(r["body"]["events"]) <= 50 for r in mock.requests("/v2/create_events"))


def test_record_without_init_or_with_two_sessions_warns_and_sends_nothing(mock, logs):
    agentops.record(agentops.ActionEvent(action_type="x"))
    assert any("not initialized" in m for m in logs.at(30))
    init(mock)
    agentops.start_session()
    agentops.record(agentops.ActionEvent(action_type="x"))
    assert any("multiple sessions detected (2)" in m for m in logs.at(30))
    agentops.Client().flush(2)
    assert events_of(mock) == []


# -- ending ------------------------------------------------------------------------------


def test_end_session_delivers_events_first_and_returns_the_token_cost(mock):
    session = init(mock, max_wait_time=60_000)
    agentops.record(agentops.ActionEvent(action_type="pending"))
    cost = agentops.end_session("Success", end_state_reason="done", video="https://v/1")
    assert cost == Decimal(5) and isinstance(cost, Decimal)
    paths = [r["path"] for r in mock.requests() if r["path"] != "/v2/create_session"]
    assert paths == ["/v2/create_events", "/v2/update_session"]
    final = updates_of(mock)[-1]
    assert final["end_state"] == "Success"
    assert final["end_state_reason"] == "done"
    assert final["video"] == "https://v/1"
    assert final["end_timestamp"] >= final["init_timestamp"]
    assert final["event_counts"]["actions"] == 1
    assert not session.is_running and session.has_ended
    assert session.end_state == "Success" and session.end_state_reason == "done"


def test_end_state_accepts_the_enum_and_any_case(mock):
    session = init(mock)
    assert session.end_session(agentops.EndState.FAIL) == Decimal(5)
    assert updates_of(mock)[-1]["end_state"] == "Fail"


def test_invalid_end_state_sends_nothing_and_keeps_the_session(mock, logs):
    session = init(mock)
    assert agentops.end_session("Done") is None
    assert any("Invalid end_state" in m for m in logs.at(30))
    assert mock.requests("/v2/update_session") == []
    assert session.is_running


def test_second_end_and_record_after_end_send_nothing(mock):
    session = init(mock)
    assert session.end_session("Success") == Decimal(5)
    n = len(mock.requests())
    assert session.end_session("Success") is None
    assert agentops.end_session("Success") is None  # no sessions: a warning
    session.record(agentops.ActionEvent(action_type="late"))
    agentops.Client().flush(1)
    time.sleep(0.1)
    assert len(mock.requests()) == n


def test_end_session_with_zero_or_two_sessions_warns(mock, logs):
    assert agentops.end_session("Success") is None
    init(mock)
    agentops.start_session()
    assert agentops.end_session("Success") is None
    assert any("multiple sessions" in m for m in logs.at(30))
    assert mock.requests("/v2/update_session") == []


def test_is_auto_end_respects_skip_auto_end_session(mock):
    init(mock, skip_auto_end_session=True)
    assert agentops.end_session("Success", is_auto_end=True) is None
    assert mock.requests("/v2/update_session") == []
    assert agentops.end_session("Success") == Decimal(5)


def test_end_all_sessions(mock):
    init(mock)
    s2 = agentops.start_session()
    agentops.end_all_sessions()
    assert not agentops.Client().has_sessions
    assert s2.has_ended
    states = {u["session_id"]: u["end_state"] for u in updates_of(mock)}
    assert len(states) == 2 and set(states.values()) == {"Indeterminate"}


# -- tags, agents, lookup ----------------------------------------------------------------


def test_add_and_set_tags_send_updates_with_ordered_deduplicated_tags(mock):
    session = init(mock, default_tags=["base"])
    agentops.add_tags(["a", "b"])
    agentops.add_tags(["b"])
    agentops.add_tags("c")
    assert wait_for(lambda: len(updates_of(mock)) == 3)
    assert [u["tags"] for u in updates_of(mock)] == [["base", "a", "b"], ["base", "a", "b"], ["base", "a", "b", "c"]]
    agentops.set_tags(["x"])
    assert wait_for(lambda: len(updates_of(mock)) == 4)
    assert updates_of(mock)[-1]["tags"] == ["x"]
    assert session.tags == ["x"]


def test_tags_with_no_session_warn(mock, logs):
    agentops.add_tags(["a"])
    agentops.set_tags(["a"])
    assert len(logs.at(30)) == 2


def test_inherited_session_id_as_str_or_uuid(mock):
    sid = uuid.uuid4()
    session = init(mock, inherited_session_id=str(sid))
    assert session.session_id == sid
    assert mock.requests("/v2/create_session")[0]["body"]["session"]["session_id"] == str(sid)
    other = uuid.uuid4()
    assert agentops.start_session(inherited_session_id=other).session_id == other


def test_invalid_inherited_session_id_gives_no_session_and_no_request(mock, logs):
    assert init(mock, inherited_session_id="not-a-uuid") is None
    assert mock.requests() == []
    assert agentops.start_session(inherited_session_id="nope") is None
    assert mock.requests() == []


def test_get_session_accepts_str_and_uuid(mock):
    session = init(mock)
    assert agentops.get_session(session.session_id) is session
    assert agentops.get_session(str(session.session_id)) is session
    assert agentops.get_session(str(uuid.uuid4())) is None
    assert agentops.get_session("garbage") is None


def test_create_agent_sends_create_agent_before_later_events(mock):
    init(mock)
    agent_id = agentops.create_agent("planner")
    uuid.UUID(agent_id)
    agentops.record(agentops.ActionEvent(action_type="plan", agent_id=agent_id))
    wait_events(mock, 1)
    paths = [r["path"] for r in mock.requests()]
    assert paths.index("/v2/create_agent") < paths.index("/v2/create_events")
    assert mock.requests("/v2/create_agent")[0]["body"] == {"id": agent_id, "name": "planner"}
    assert events_of(mock)[0]["agent_id"] == agent_id


def test_agent_created_before_init_is_sent_after_the_session_starts(mock):
    agent_id = agentops.create_agent("early", agent_id=str(uuid.uuid4()))
    assert mock.requests() == []
    init(mock)
    assert wait_for(lambda: len(mock.requests("/v2/create_agent")) == 1)
    assert mock.requests("/v2/create_agent")[0]["body"] == {"id": agent_id, "name": "early"}


def test_stop_instrumenting_is_a_harmless_no_op(mock):
    init(mock)
    agentops.stop_instrumenting()
    assert agentops.Client().is_initialized


# -- Client -------------------------------------------------------------------------------


def test_client_is_a_singleton_with_reference_properties(mock):
    assert agentops.Client() is agentops.Client()
    c = agentops.Client()
    assert not c.is_initialized and not c.has_sessions and c.session_count == 0
    s1 = init(mock)
    s2 = agentops.start_session()
    assert c.is_initialized and c.has_sessions and c.is_multi_session and c.session_count == 2
    assert c.current_session_ids == [str(s1.session_id), str(s2.session_id)]
    assert c.api_key == KEY
    assert agentops.Client(use_singleton=False) is not c


def test_original_client_style_with_record_and_decorator(mock):
    ao_client = agentops.Client(api_key=KEY, endpoint=mock.url, max_wait_time=50, tags=["legacy"])
    assert ao_client.is_initialized and ao_client.session_count == 1
    ao_client.record(agentops.ActionEvent(action_type="manual"))

    @ao_client.record_action("decorated")
    def work(x):
        return x * 2

    assert work(4) == 8
    events = wait_events(mock, 2)
    assert [e["action_type"] for e in events] == ["manual", "decorated"]
    assert mock.requests("/v2/create_session")[0]["body"]["session"]["tags"] == ["legacy"]


def test_stats_report_delivery_and_drops_by_reason(mock):
    init(mock)
    agentops.record(agentops.ActionEvent(action_type="a"))
    assert agentops.Client().flush(5)
    stats = agentops.Client().stats()
    assert stats["delivered"] == 1 and stats["queued"] == 0
    assert set(stats["dropped"]) == {
        "queue_full",
        "retries_exhausted",
        "rejected",
        "auth_failed",
        "after_shutdown",
        "shutdown_deadline",
        "uploader_failed",
        "event_too_large",
    }
    assert stats["dropped_total"] == 0


def test_flush_releases_the_gil_while_waiting(mock):
    init(mock)
    mock.script("/v2/create_events", [{"delay": 1.0}])
    agentops.record(agentops.ActionEvent(action_type="slow"))
    ticks = []
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.005)

    t = threading.Thread(target=spin)
    t.start()
    time.sleep(0.05)
    before = len(ticks)
    assert agentops.Client().flush(5)
    during = len(ticks) - before
    stop.set()
    t.join(5)
    assert during > 20, f"the other thread only ran {during} times during a ~1 s flush"


# -- Session -----------------------------------------------------------------------------


def test_session_attributes_analytics_and_context_manager(mock):
    init(mock, auto_start_session=False)
    with agentops.start_session(tags=["ctx"]) as session:
        assert isinstance(session.session_id, uuid.UUID)
        assert session.session_url == f"https://app.agentops.ai/drilldown?session_id={session.session_id}"
        assert session.is_running and session.status in ("starting", "running")
        assert _is_iso_utc(session.init_timestamp) and session.end_timestamp is None
        session.record(agentops.LLMEvent(model="m"))
        session.record(agentops.ToolEvent(name="t"))
        session.record(agentops.ActionEvent(action_type="a"))
        session.record(agentops.ErrorEvent(error_type="E"))
        assert session.event_counts == {"llms": 1, "tools": 1, "actions": 1, "errors": 1, "apis": 0}
        analytics = session.get_analytics()
        assert set(analytics) == {"LLM calls", "Tool calls", "Actions", "Errors", "Duration", "Cost"}
        assert (analytics["LLM calls"], analytics["Tool calls"], analytics["Actions"], analytics["Errors"]) == (
            1,
            1,
            1,
            1,
        )
        assert analytics["Duration"].endswith("s")
    assert session.has_ended and session.end_state == "Success"
    assert session.get_analytics()["Cost"] == "5.000000"
    assert session.token_cost == Decimal(5)
    assert updates_of(mock)[-1]["end_state"] == "Success"


def test_session_context_manager_fails_on_exception(mock):
    init(mock, auto_start_session=False)
    with pytest.raises(KeyError):
        with agentops.start_session() as session:
            raise KeyError("boom")
    assert session.end_state == "Fail"
    assert "boom" in updates_of(mock)[-1]["end_state_reason"]


def test_session_patch_injects_the_session(mock):
    session = init(mock)

    @agentops.record_action("patched")
    def f(x):
        return x

    agentops.start_session()  # two sessions: only session= works
    assert session.patch(f)(3) == 3
    events = wait_events(mock, 1)
    assert events[0]["session_id"] == str(session.session_id)


def test_multi_session_isolation_each_batch_has_only_its_session_and_jwt(mock):
    init(mock, auto_start_session=False, max_wait_time=100)
    s1 = agentops.start_session(tags=["one"])
    s2 = agentops.start_session(tags=["two"])
    for i in range(5):
        s1.record(agentops.ActionEvent(action_type="one", params={"i": i}))
        s2.record(agentops.ActionEvent(action_type="two", params={"i": i}))
    wait_events(mock, 10)
    jwts = {}
    for r in mock.requests("/v2/create_events"):
        names = {e["action_type"] for e in r["body"]["events"]}
        sids = {e["session_id"] for e in r["body"]["events"]}
        assert len(names) == 1 and len(sids) == 1
        sid = sids.pop()
        assert r["session_id"] == sid  # the JWT used belongs to that session
        jwts.setdefault(sid, set()).add(r["headers"]["authorization"])
    assert set(jwts) == {str(s1.session_id), str(s2.session_id)}
    assert jwts[str(s1.session_id)].isdisjoint(jwts[str(s2.session_id)])
    assert s1.end_session("Success") == Decimal(5)
    assert s2.is_running


def test_create_session_refused_gives_no_session_and_no_events(mock, logs):
    mock.script("/v2/create_session", [{"status": 401}])
    t0 = time.monotonic()
    assert init(mock) is None
    assert time.monotonic() - t0 < 3
    agentops.record(agentops.ActionEvent(action_type="x"))
    time.sleep(0.2)
    assert mock.requests("/v2/create_events") == []
    assert any("Could not start session" in m for m in logs.at(40))


def test_native_client_errors_are_agentops_exceptions():
    with pytest.raises(_native.MissingApiKeyError) as info:
        _native.Client()
    assert isinstance(info.value, agentops.AgentOpsError) and info.value.code == "MISSING_API_KEY"
    options = _native.Options()
    with pytest.raises(_native.ConfigError) as bad:
        options.set("api_key", "not-a-uuid-secret")
    assert "api_key" in str(bad.value) and "not-a-uuid-secret" not in str(bad.value)
    with pytest.raises(_native.ConfigError):
        options.set("endpoint", "ftp://x")
    with pytest.raises(_native.ConfigError) as unknown:
        options.set("max_queue_sise", 3)
    assert "max_queue_sise" in str(unknown.value)
    for cls in (_native.SessionRefusedError, _native.UploaderFailedError, _native.ConfigError):
        assert issubclass(cls, _native.AgentOpsError) and cls.code.isupper()


def test_a_refused_session_error_carries_the_http_status(mock):
    mock.script("/v2/create_session", [{"status": 403}])
    options = _native.Options()
    options.set("api_key", KEY)
    options.set("endpoint", mock.url)
    client = _native.Client(options)
    with pytest.raises(_native.SessionRefusedError) as refused:
        client.start_session()
    assert refused.value.http_status == 403 and refused.value.code == "SESSION_REFUSED"
    client.shutdown(1)


def test_a_slow_backend_does_not_hold_init_beyond_the_start_timeout(mock):
    mock.script("/v2/create_session", [{"delay": 3.0}])
    t0 = time.monotonic()
    session = init(mock)
    assert time.monotonic() - t0 < 2.8
    assert session is not None and session.status == "starting" and session.is_running
    agentops.record(agentops.ActionEvent(action_type="buffered_meanwhile"))
    assert wait_events(mock, 1, timeout=15)[0]["action_type"] == "buffered_meanwhile"


def test_after_shutdown_nothing_raises_and_nothing_is_sent(mock):
    session = init(mock)
    report = agentops.Client().shutdown(2)
    assert report["completed"] is True and report["left"] == 0
    assert session.end_state == "Indeterminate" and session.end_state_reason == _native.EXIT_REASON
    agentops.record(agentops.ActionEvent(action_type="late"))
    session.record(agentops.ActionEvent(action_type="late"))
    assert agentops.start_session() is None
    time.sleep(0.1)
    assert mock.requests("/v2/create_events") == []
