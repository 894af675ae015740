#!/usr/bin/env python3
"""Adapter for the benchmark harness in bench/harness (benchlib.py, a copy of the peer harness's in
../shared/anchors): runs this project's Python package through exactly the same workloads as the
peers' agentops 0.3 adapter (`bench_agentops.py` there), so both are measured by the same method.

Workloads (see benchlib.py):
  record     agentops.record(ActionEvent(action_type="x", params={"a":1,"b":"hello"}, returns="ok"))
  decorator  f(1, "hello") plain vs @agentops.record_action("x")-decorated
Modes:
  default    SDK defaults (max_queue_size=512 events per request, max_wait_time=5000 ms,
             buffer of 131,072 events / 64 MiB)
  nodrop     same here: the default buffer already holds the whole run
  otlp       defaults, through the OTLP/HTTP JSON exporter to the sink's /v1/traces (one span an
             event, plus the session's root span when it ends)
  otlp-protobuf  the same with protobuf bodies (otlp_protocol="http/protobuf", as OpenTelemetry's
             exporter sends by default)

Examples (from the repository root, with the package installed):
  python bench/python/bench_agentops_rs.py --workload record --mode default --n 100000
  python bench/harness/cpu_steady.py bench/python/bench_agentops_rs.py:AgentOpsRs --rate 10000 --seconds 10
"""

import os
import sys
import uuid
from importlib.metadata import version

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import benchlib  # noqa: E402


class AgentOpsRs:
    name = "agentops-rs"
    idle_s = 7.0  # longer than the 5 s max_wait_time
    modes = ("default", "nodrop", "otlp", "otlp-protobuf")

    def setup(self, sink_url, mode, expected, args):
        os.environ.setdefault("AGENTOPS_LOGGING_LEVEL", "WARNING")
        import agentops
        from agentops import ActionEvent

        self.agentops, self.ActionEvent = agentops, ActionEvent
        if mode.startswith("otlp"):
            destination = {"exporter": "otlp", "otlp_endpoint": sink_url}
            if mode == "otlp-protobuf":
                destination["otlp_protocol"] = "http/protobuf"
            self.extra_items_on_shutdown = 1  # the session's root span
        else:
            destination = {"api_key": str(uuid.uuid4()), "endpoint": sink_url}
        session = agentops.init(instrument_llm_calls=False, auto_start_session=True, **destination)
        if session is None:
            raise RuntimeError("agentops.init did not start a session")
        self.session = session
        return {
            "max_queue_size": 512,
            "max_wait_time_ms": 5000,
            "max_buffered_events": 131072,
            "exporter": mode if mode.startswith("otlp") else "agentops",
        }

    def versions(self):
        return {"agentops": version("agentops")}

    def record_fn(self):
        record, AE = self.agentops.record, self.ActionEvent

        def fn():
            record(AE(action_type="x", params={"a": 1, "b": "hello"}, returns="ok"))

        return fn

    def decorated_pair(self):
        def f(a, b):
            return "ok"

        deco = self.agentops.record_action("x")(f)
        return (lambda: f(1, "hello")), (lambda: deco(1, "hello"))

    def flush(self):
        self.agentops.Client().flush(30.0)

    def shutdown(self):
        self.agentops.end_session("Success")


if __name__ == "__main__":
    benchlib.main(AgentOpsRs())
