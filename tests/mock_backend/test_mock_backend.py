"""Self-tests of the mock AgentOps backend and its Python client."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from mock_client import SERVER, MockBackend

KEY = {"X-Agentops-Api-Key": "test-key"}


@pytest.fixture(scope="module")
def mb():
    with MockBackend.start(max_seconds=120) as m:
        yield m


@pytest.fixture(autouse=True)
def _clean(mb):
    mb.reset()


def bearer(jwt):
    return {"Authorization": f"Bearer {jwt}"}


def create_session(mb, sid="s1"):
    st, _, body = mb.request("POST", "/v2/create_session", {"session": {"session_id": sid}}, KEY)
    assert st == 200
    import json

    d = json.loads(body)
    assert d["status"] == "success" and d["jwt"].startswith("jwt-")
    assert d["session_url"].endswith("session_id=" + sid)
    return d["jwt"]


def post_events(mb, jwt, ids, timeout=10.0):
    return mb.request("POST", "/v2/create_events", {"events": [{"id": i} for i in ids]}, bearer(jwt), timeout=timeout)


def test_happy_path_and_records(mb):
    assert mb.health()
    jwt = create_session(mb)
    assert post_events(mb, jwt, ["a", "b"])[0] == 200
    assert post_events(mb, jwt, ["c", "a"])[0] == 200
    st, _, body = mb.request(
        "POST", "/v2/update_session", {"session": {"session_id": "s1", "end_state": "Success"}}, bearer(jwt)
    )
    assert st == 200 and b'"token_cost": 5' in body
    assert mb.request("POST", "/v2/create_agent", {"id": "ag", "name": "n"}, bearer(jwt))[0] == 200
    ev = mb.events()
    assert ev["accepted"] == 4 and ev["unique_ids"] == 3 and ev["duplicates"] == ["a"]
    assert [e["id"] for e in ev["by_session"]["s1"]] == ["a", "b", "c", "a"]
    assert mb.sessions() == {"s1": {"session_id": "s1", "end_state": "Success"}}
    reqs = mb.requests()
    assert [r["path"] for r in reqs] == [
        "/v2/create_session",
        "/v2/create_events",
        "/v2/create_events",
        "/v2/update_session",
        "/v2/create_agent",
    ]
    assert [r["seq"] for r in reqs] == sorted(r["seq"] for r in reqs)
    r = mb.requests("/v2/create_events")[0]
    assert r["status"] == 200 and r["session_id"] == "s1" and r["method"] == "POST"
    assert r["headers"]["authorization"] == "Bearer " + jwt and r["bytes"] > 0 and r["raw"] is None


def test_auth_errors_and_404(mb):
    st, _, body = mb.request("POST", "/v2/create_session", {"session": {"session_id": "x"}})
    assert st == 401 and b"missing api key" in body
    assert mb.request("POST", "/v2/create_session", {"nope": 1}, KEY)[0] == 400
    st, _, body = post_events(mb, "jwt-bogus", ["a"])
    assert st == 401 and b"Invalid or expired JWT" in body
    assert mb.request("POST", "/v2/nope", {}, KEY)[0] == 404
    st, _, body = mb.request("POST", "/v2/create_events", "not json", bearer("x"))
    assert st == 401
    r = mb.requests("/v2/create_events")[-1]
    assert r["body"] is None and r["raw"] == "not json"
    assert mb.events()["accepted"] == 0


def test_status_faults_then_normal(mb):
    jwt = create_session(mb)
    mb.script("/v2/create_events", [{"status": 503, "retry_after": "2"}, {"status": 200, "body": "not json"}])
    st, hdrs, _ = post_events(mb, jwt, ["a"])
    assert st == 503 and hdrs["retry-after"] == "2"
    st, _, body = post_events(mb, jwt, ["a"])
    assert st == 200 and body == b"not json"
    assert mb.events()["accepted"] == 0
    assert post_events(mb, jwt, ["a"])[0] == 200
    assert mb.events()["accepted"] == 1
    assert [r["status"] for r in mb.requests("/v2/create_events")] == [503, 200, 200]
    assert mb.pending_faults() == {"/v2/create_events": []}


def test_reset_hang_delay(mb):
    jwt = create_session(mb)
    mb.script("/v2/create_events", [{"reset": True}, {"hang": 3}, {"delay": 0.3}])
    with pytest.raises(OSError):
        post_events(mb, jwt, ["a"])
    t0 = time.monotonic()
    with pytest.raises((TimeoutError, OSError)):
        post_events(mb, jwt, ["a"], timeout=0.5)
    assert time.monotonic() - t0 < 2
    t0 = time.monotonic()
    assert post_events(mb, jwt, ["a"])[0] == 200
    assert time.monotonic() - t0 >= 0.3
    assert [r["status"] for r in mb.requests("/v2/create_events")] == ["reset", "hang", 200]
    assert mb.events()["accepted"] == 1


def test_rules_and_expiry(mb):
    jwt = create_session(mb)
    mb.rules("/v2/create_events", max_events_per_request=2)
    assert post_events(mb, jwt, ["a", "b", "c"])[0] == 413
    assert post_events(mb, jwt, ["a", "b"])[0] == 200
    mb.rules("/v2/create_events", max_events_per_request=None, down=True)
    assert post_events(mb, jwt, ["c"])[0] == 503
    mb.rules("/v2/create_events", down=False)
    assert mb.expire_jwt("s1") == 1
    assert post_events(mb, jwt, ["c"])[0] == 401
    st, _, body = mb.request("POST", "/v2/reauthorize_jwt", {"session_id": "s1"}, KEY)
    assert st == 200
    import json

    jwt2 = json.loads(body)["jwt"]
    assert jwt2 != jwt and post_events(mb, jwt2, ["c"])[0] == 200
    # an unknown session can be re-adopted
    st, _, body = mb.request("POST", "/v2/reauthorize_jwt", {"session_id": "other"}, KEY)
    assert post_events(mb, json.loads(body)["jwt"], ["z"])[0] == 200
    ev = mb.events()
    assert ev["accepted"] == 4 and set(ev["by_session"]) == {"s1", "other"}


def test_bad_control_calls_rejected(mb):
    with pytest.raises(RuntimeError):
        mb.script("/v2/create_events", [{"bogus": 1}])
    with pytest.raises(RuntimeError):
        mb.script("/nope", [{"status": 500}])
    with pytest.raises(RuntimeError):
        mb.rules("/v2/create_session", max_events_per_request=1)


def test_stops_by_itself():
    # parent pid gone
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    p = subprocess.Popen([sys.executable, SERVER, "--parent-pid", str(dead.pid)], stdout=subprocess.PIPE)
    assert p.stdout.readline().startswith(b"PORT ")
    assert p.wait(5) == 0
    # max seconds
    p = subprocess.Popen([sys.executable, SERVER, "--max-seconds", "0.5"], stdout=subprocess.PIPE)
    assert p.stdout.readline().startswith(b"PORT ")
    assert p.wait(5) == 0
    # shutdown endpoint, even with a hanging request in flight
    m = MockBackend.start(max_seconds=30)
    m.script("/v2/create_events", [{"hang": 60}])
    import threading

    # The in-flight request fails when the server goes away (a connection error).
    t = threading.Thread(
        target=lambda: pytest.raises(
            (OSError, ConnectionError), m.request, "POST", "/v2/create_events", {"events": []}, None, 30
        ),
        daemon=True,
    )
    t.start()
    assert m.wait_for(lambda: len(m.requests()) == 1, timeout=5)
    m.request("POST", "/_mock/shutdown", {})
    assert m.proc.wait(5) == 0
    t.join(5)
    assert not t.is_alive()
    # SIGTERM (what stop() sends) also exits 0
    m = MockBackend.start(max_seconds=30)
    m.stop()
    assert m.proc.returncode == 0
    assert os.path.exists(SERVER)


def test_otlp_traces_are_accepted_as_events_of_the_session_their_trace_names(mb):
    sid = "5b8efff7-9803-8103-d269-b633813fc60c"
    span = {"traceId": sid.replace("-", ""), "spanId": "eee19b7ec3c1b174", "name": "x"}
    body = {"resourceSpans": [{"scopeSpans": [{"spans": [span, dict(span, spanId="0000000000000001")]}]}]}
    st, _, answer = mb.request("POST", "/v1/traces", body)
    assert (st, answer) == (200, b'{"partialSuccess": {}}')
    assert [s["spanId"] for s in mb.events()["by_session"][sid]] == ["eee19b7ec3c1b174", "0000000000000001"]
    assert (
        mb.request("POST", "/v1/traces", {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz"}]}]}]})[0]
        == 400
    )
    mb.script("/v1/traces", [{"status": 503}])
    assert mb.request("POST", "/v1/traces", body)[0] == 503
