"""Values that are hard to serialise, recorded the way agents record them: any value
converts in bounded time and memory, nothing recording does raises into user code, and
values JSON cannot carry exactly keep a documented string form.

The blow-up cases run in a subprocess with a 2 GiB address-space limit: without the
bounds they would take the test runner down with them."""

from __future__ import annotations

import json
import sys
import threading
from decimal import Decimal

import agentops
from agentops import ActionEvent, LLMEvent, record_action
from ao_support import events_of, init, run, wait_events

# Indented like the scripts below (run() dedents them).
LIMITED = """
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
"""


def recorded_params(proc, mock):
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "panicked" not in proc.stderr and "PanicException" not in proc.stderr, proc.stderr[-3000:]
    return {e["action_type"]: e["params"] for e in events_of(mock)}


def test_values_that_contain_themselves_become_a_placeholder(mock):
    proc = run(
        mock,
        LIMITED
        + """
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50)
        l = []
        l.append(l)
        l.append(l)
        d = {}
        d["a"] = d
        d["b"] = d
        agentops.record(ActionEvent(action_type="list", params=l))
        agentops.record(ActionEvent(action_type="dict", params=d))
        agentops.end_session("Success")
        """,
        timeout=60,
    )
    params = recorded_params(proc, mock)
    assert params["list"] == ["<<circular reference: list>>"] * 2
    assert params["dict"] == {"a": "<<circular reference: dict>>", "b": "<<circular reference: dict>>"}


def test_nesting_deeper_than_the_bound_ends_in_a_placeholder(mock):
    init(mock)
    deep: list = []
    innermost = deep
    for _ in range(10_000):  # deeper than Python's own recursion limit
        innermost.append([])
        innermost = innermost[0]
    agentops.record(ActionEvent(action_type="deep", params=deep))
    got = wait_events(mock, 1)[0]["params"]
    depth = 0
    while isinstance(got, list):
        got, depth = got[0], depth + 1
    assert got == "<<serialization-error: nested too deeply>>"
    assert depth == 64


def test_a_tree_whose_children_point_back_at_their_parent_converts_small_and_fast(mock):
    proc = run(
        mock,
        LIMITED
        + """
        from dataclasses import dataclass, field
        from typing import Any, List, Optional

        @dataclass
        class Node:
            name: str
            parent: Optional[Any] = None
            children: List[Any] = field(default_factory=list)

        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50)
        root = Node("root")
        for name in ("a", "b"):
            root.children.append(Node(name, parent=root))
        t0 = time.monotonic()
        agentops.record(ActionEvent(action_type="tree", params=root))
        print("record took", time.monotonic() - t0)
        agentops.end_session("Success")
        """,
        timeout=60,
    )
    tree = recorded_params(proc, mock)["tree"]
    assert [c["name"] for c in tree["children"]] == ["a", "b"]
    assert tree["children"][0]["parent"] == "<<circular reference: Node>>"
    assert len(json.dumps(tree)) < 1000
    assert float(proc.stdout.split("record took")[1]) < 5  # was 11 s; a generous bound only


def test_sharing_that_grows_exponentially_stops_at_the_work_bound(mock):
    proc = run(
        mock,
        LIMITED
        + """
        node = "leaf"
        for _ in range(60):
            node = [node, node]  # 2**60 leaves, no cycle
        agentops.init(api_key=KEY, endpoint=URL, max_wait_time=50)
        agentops.record(ActionEvent(action_type="dag", params=node))
        agentops.end_session("Success")
        """,
        timeout=120,
    )
    dag = json.dumps(recorded_params(proc, mock)["dag"])
    assert "<<truncated: too many values to convert>>" in dag
    assert "leaf" in dag and len(dag) < 50_000_000


class GrowsWhenConverted:
    """`to_dict()` adds a key to the dict being converted (shared agent state)."""

    def __init__(self, shared):
        self.shared = shared

    def to_dict(self):
        self.shared[f"k{len(self.shared)}"] = 1
        return {"grown": True}


class KeyThatAdds:
    """A key whose `__str__` adds a key to its dict."""

    def __init__(self, shared):
        self.shared = shared

    def __str__(self):
        self.shared["added"] = True
        return "key"


def test_a_dict_that_changes_while_it_is_converted_never_raises(mock, logs):
    init(mock)
    shared = {}
    shared["grows"] = GrowsWhenConverted(shared)
    shared["after"] = 2
    keyed = {}
    keyed[KeyThatAdds(keyed)] = 1
    agentops.record(ActionEvent(action_type="to_dict", params=shared))
    agentops.record(ActionEvent(action_type="key_str", params=keyed))
    agentops.record(LLMEvent(prompt=shared, completion=keyed, model="m"))

    @record_action("decorated")
    def step(state):
        state["during"] = GrowsWhenConverted(state)
        return state

    assert step(shared) is shared  # the user's value comes back unchanged
    events = wait_events(mock, 4)
    marker = "<<truncated: the dict changed size while it was converted>>"
    by_type = {e.get("action_type", e["event_type"]): e for e in events}
    assert by_type["to_dict"]["params"]["grows"] == {"grown": True}
    assert marker in by_type["to_dict"]["params"] or "after" in by_type["to_dict"]["params"]
    assert marker in json.dumps(by_type["key_str"]["params"]) or by_type["key_str"]["params"] == {"key": 1}
    assert "decorated" in by_type and "llms" in by_type
    assert not any("panic" in m.lower() for m in logs.messages)


def test_other_threads_adding_keys_during_recording_never_raise(mock):
    init(mock)
    # Values whose conversion runs Python code, during which the writer thread gets the GIL.
    shared = {f"k{i}": GrowsWhenConverted({}) for i in range(50)}
    stop = threading.Event()
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)

    def writer():
        i = 0
        while not stop.is_set():
            shared[f"w{i % 1000}"] = i
            shared.pop(f"w{(i - 500) % 1000}", None)
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        for _ in range(200):
            agentops.record(ActionEvent(action_type="shared", params=shared))
    finally:
        stop.set()
        t.join()
        sys.setswitchinterval(old_interval)
    assert len(wait_events(mock, 200, timeout=30)) == 200


def test_numbers_json_cannot_carry_exactly_keep_a_documented_string_form(mock):
    init(mock)
    params = {
        "huge": 10**1000,
        "u64_plus_one": 2**64,
        "u64": 2**64 - 1,
        "below_i64": -(2**63) - 1,
        "u128": 2**128 - 1,
        "nan": float("nan"),
        "inf": float("inf"),
        "ninf": float("-inf"),
        "float": 1.5,
        "dec_nan": Decimal("NaN"),
        "dec_inf": Decimal("Infinity"),
        "dec_huge": Decimal("1e400"),
        "dec_exact": Decimal("0.1"),
        "dec_long": Decimal("1.000000000000000000001"),
    }
    agentops.record(ActionEvent(action_type="numbers", params=params))
    got = wait_events(mock, 1)[0]["params"]
    assert got["huge"] == str(10**1000)
    assert (got["u64_plus_one"], got["u64"], got["below_i64"]) == (2**64, 2**64 - 1, -(2**63) - 1)
    assert got["u128"] == 2**128 - 1
    assert (got["nan"], got["inf"], got["ninf"], got["float"]) == ("nan", "inf", "-inf", 1.5)
    assert (got["dec_nan"], got["dec_inf"], got["dec_huge"]) == ("NaN", "Infinity", "1E+400")
    assert got["dec_exact"] == 0.1 and got["dec_long"] == "1.000000000000000000001"


def test_large_fields_are_cut_with_a_marker_and_counted(mock):
    init(mock, max_field_bytes=100_000)
    agentops.record(ActionEvent(action_type="big", params={"text": "x" * 300_000}, returns="y" * 50_000))
    event = wait_events(mock, 1)[0]
    assert event["returns"] == "y" * 50_000, "a field under the bound arrives intact"
    assert isinstance(event["params"], str) and event["params"].startswith('{"text":"xxx')
    assert event["params"].endswith("of 300011 bytes cut>>")
    assert len(json.dumps(event["params"])) <= 100_000
    stats = agentops.Client().stats()
    assert stats["truncated"] == 1 and stats["truncated_bytes"] > 200_000
    assert stats["dropped_total"] == 0
