"""Several sessions at once (agentops 0.3 multi-session style).

Sends to AgentOps when AGENTOPS_API_KEY is set (AGENTOPS_API_ENDPOINT chooses the
backend); otherwise records to local files.

    python examples/python/multi_session.py
"""

import os

import agentops
from agentops import ToolEvent, record_action

offline = not os.environ.get("AGENTOPS_API_KEY")
agentops.init(auto_start_session=False, **({"exporter": "file"} if offline else {}))


@record_action("handle_request")
def handle(request_id, payload):
    return {"request": request_id, "length": len(payload)}


sessions = {user: agentops.start_session(tags=[user]) for user in ("alice", "bob")}
for i, (user, session) in enumerate(sessions.items()):
    # With several sessions open, decorated calls say which one they belong to.
    handle(i, "x" * (i + 1), session=session)
    session.record(ToolEvent(name="lookup", params={"user": user}, returns="ok"))

try:
    handle(99, "ambiguous")  # no session=: a usage error, as in agentops 0.3
except ValueError as e:
    print("as expected:", e)

for user, session in sessions.items():
    cost = session.end_session("Success")
    where = session.export_path or session.session_url
    print(f"{user}: session {session.session_id} ended (token cost {cost}) -> {where}")
