"""Records one session through the OTLP exporter, configured by the environment only
(AGENTOPS_EXPORTER=otlp, OTEL_EXPORTER_OTLP_ENDPOINT, ...): an LLM call, a tool call, a
failing action (with its linked error), then PRODUCER_STEPS actions PRODUCER_INTERVAL_MS
apart. Prints `SESSION <id>` first and `DONE` once the session has ended."""

import os
import time

import agentops
from agentops import LLMEvent, ToolEvent

steps = int(os.environ.get("PRODUCER_STEPS", "0"))
interval = float(os.environ.get("PRODUCER_INTERVAL_MS", "0")) / 1000
session = agentops.init(default_tags=["producer", "python"])
assert session is not None, "agentops.init failed"
print("SESSION", session.session_id, flush=True)

agentops.record(
    LLMEvent(model="demo-model", prompt="Summarise", completion="A summary.", prompt_tokens=42, completion_tokens=5)
)
agentops.record(ToolEvent(name="web_search", params={"query": "otlp"}, returns=["r0"]))


@agentops.record_action("risky_step")
def risky_step():
    raise ValueError("the tool returned garbage")


try:
    risky_step()
except ValueError:
    pass


@agentops.record_action("step")
def step(i):
    return i


for i in range(steps):
    step(i)
    if interval:
        time.sleep(interval)
agentops.end_session("Success")
print("DONE", flush=True)
