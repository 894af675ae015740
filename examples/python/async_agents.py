"""Async tools and agents: coroutines are awaited and timed; each agent's events carry its
agent_id (contextvars keep concurrent tasks apart).

Sends to AgentOps when AGENTOPS_API_KEY is set; otherwise records to local files.

    python examples/python/async_agents.py
"""

import asyncio
import os

import agentops
from agentops import record_tool, track_agent

offline = not os.environ.get("AGENTOPS_API_KEY")
session = agentops.init(default_tags=["async"], **({"exporter": "file"} if offline else {}))


@record_tool("fetch")
async def fetch(url, delay=0.05):
    await asyncio.sleep(delay)
    return {"url": url, "status": 200}


@track_agent()
class Crawler:
    def __init__(self, role):
        self.role = role  # the agent's name, as with CrewAI agents

    async def crawl(self, urls):
        return await asyncio.gather(*(fetch(u) for u in urls))


async def main():
    a, b = Crawler("fetcher-a"), Crawler("fetcher-b")
    results = await asyncio.gather(a.crawl(["https://a/1", "https://a/2"]), b.crawl(["https://b/1"]))
    return sum(len(r) for r in results)


pages = asyncio.run(main())
agentops.end_session("Success")
print(f"fetched {pages} pages; session {session.session_id} -> {session.export_path or session.session_url}")
