#!/usr/bin/env python3
"""A reference point for the steady-load CPU benchmark, not an SDK: about the least work any
event-recording SDK written in Python can do, measured by the same harness as ours.

Per event, on the caller's thread: an object of a `__slots__` class built with the workload's
keywords plus a `time.time()` stamp, appended to a `collections.deque` (no id, no copy of
the values, no bound, no lock). A daemon thread wakes every 50 ms, takes what is there,
encodes it as one `/v2/create_events` body with `json.dumps` and POSTs it to the sink over a
kept-alive `http.client` connection. It checks nothing, retries nothing, and has no other
features.

    python bench/harness/cpu_steady.py bench/python/bench_floor.py:PythonFloor --rate 10000
"""

import collections
import http.client
import json
import threading
import time
import urllib.parse


class _Event:
    __slots__ = ("action_type", "params", "returns", "at")

    def __init__(self, action_type=None, params=None, returns=None):
        self.action_type = action_type
        self.params = params
        self.returns = returns
        self.at = time.time()


class PythonFloor:
    name = "python-floor"
    modes = ("default",)

    def setup(self, sink_url, mode, expected, args):
        self.queue = collections.deque()
        self.url = urllib.parse.urlsplit(sink_url)
        self.sent = threading.Condition()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="floor-sender", daemon=True)
        self.thread.start()
        return {"interval_ms": 50}

    def record_fn(self):
        append, Event = self.queue.append, _Event

        def fn():
            append(Event(action_type="x", params={"a": 1, "b": "hello"}, returns="ok"))

        return fn

    def _run(self):
        connection = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=30)
        while not self.stopping:
            time.sleep(0.05)
            self._send(connection)
        self._send(connection)

    def _send(self, connection):
        popleft, batch = self.queue.popleft, []
        while self.queue:
            e = popleft()
            batch.append(
                {
                    "event_type": "actions",
                    "action_type": e.action_type,
                    "params": e.params,
                    "returns": e.returns,
                    "init_timestamp": e.at,
                }
            )
        if batch:
            body = json.dumps({"events": batch}).encode()
            connection.request("POST", "/v2/create_events", body, {"Content-Type": "application/json"})
            connection.getresponse().read()
        with self.sent:
            self.sent.notify_all()

    def flush(self):
        with self.sent:
            while self.queue:
                self.sent.wait(1.0)
            self.sent.wait(1.0)  # the batch taken last is on its way

    def shutdown(self):
        self.stopping = True
        self.thread.join(30)
