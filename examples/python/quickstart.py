"""agentops quickstart: record an agent session offline (no API key, no network).

    pip install . && python examples/python/quickstart.py

The session is written as JSON Lines by the file exporter (one line per session start,
event, agent and end); the example ends by printing its replay and writing it as HTML next
to the file. With an API key the same code sends it to AgentOps instead:
`agentops.init(api_key=...)` or `AGENTOPS_API_KEY=...`.
"""

import json
import os
import sys
import tempfile

import agentops
from agentops import ActionEvent, LLMEvent, record_action, record_tool, track_agent
from agentops import cli as agentops_cli

export_dir = os.environ.get("AGENTOPS_EXPORT_DIR") or tempfile.mkdtemp(prefix="agentops-quickstart-")
session = agentops.init(exporter="file", export_dir=export_dir, default_tags=["quickstart"])
if session is None:
    sys.exit("agentops.init() failed; see the log above")


@record_tool("web_search")
def search(query, limit=3):
    return [f"result {i} for {query!r}" for i in range(limit)]


@track_agent("Researcher")
class Researcher:
    @record_action("summarise")
    def summarise(self, topic):
        hits = search(topic)
        # An LLM call you made yourself, recorded explicitly.
        agentops.record(
            LLMEvent(
                prompt=f"Summarise: {hits}",
                completion="A short summary.",
                model="demo-model",
                prompt_tokens=42,
                completion_tokens=5,
            )
        )
        return "A short summary.", len(hits)

    @record_action("risky_step")
    def risky_step(self):
        raise ValueError("the tool returned garbage")


agent = Researcher()
summary, n = agent.summarise("agent observability")
try:
    agent.risky_step()
except ValueError:
    pass  # recorded as an action plus a linked ErrorEvent, then re-raised
agentops.record(ActionEvent(action_type="done", params={"summary": summary, "hits": n}))

agentops.end_session("Success")

path = session.export_path
with open(path) as f:
    lines = [json.loads(line) for line in f]
kinds = {}
for line in lines:
    key = line["event"]["event_type"] if line["type"] == "event" else line["type"]
    kinds[key] = kinds.get(key, 0) + 1
print(f"Session {session.session_id} recorded to {path}")
print("  " + ", ".join(f"{k}: {v}" for k, v in kinds.items()))
print(f"  end state: {lines[-1]['session']['end_state']}")

# The replay of what was recorded (the same as `agentops replay FILE --html FILE.html`).
print()
sys.exit(agentops_cli.run(["replay", path, "--html", path[: -len(".jsonl")] + ".html"]))
