"""The scripts in examples/python/ run as documented: offline by default, or against a backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ao_support import KEY, events_of, updates_of

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "python"


def run_example(name, tmp_path, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTOPS_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        env=full_env,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_quickstart_records_offline_and_says_where(mock, tmp_path):
    out = tmp_path / "out"
    proc = run_example("quickstart.py", tmp_path, AGENTOPS_EXPORT_DIR=str(out))
    assert proc.returncode == 0, proc.stderr
    files = sorted(out.iterdir())
    assert [f.suffix for f in files] == [".html", ".jsonl"], "the session and its HTML replay"
    session_file = files[1]
    assert f"recorded to {session_file}" in proc.stdout
    assert f"HTML replay: {files[0]}" in proc.stdout
    assert "ValueError ← risky" in proc.stdout, "the terminal replay ends the output"
    lines = [json.loads(line) for line in session_file.read_text().splitlines()]
    types = [line["event"]["event_type"] for line in lines if line["type"] == "event"]
    assert sorted(types) == ["actions", "actions", "actions", "errors", "llms", "tools"]
    assert lines[-1]["session"]["end_state"] == "Success"
    assert mock.requests() == []


def test_quickstart_default_directory_is_a_temporary_one(tmp_path):
    proc = run_example("quickstart.py", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.iterdir()) == []  # nothing in the working directory
    path = proc.stdout.split("recorded to ", 1)[1].split()[0]
    assert Path(path).is_file()
    Path(path).unlink()
    Path(path).with_suffix(".html").unlink()
    Path(path).parent.rmdir()


def test_multi_session_example_against_the_backend(mock, tmp_path):
    proc = run_example("multi_session.py", tmp_path, AGENTOPS_API_KEY=KEY, AGENTOPS_API_ENDPOINT=mock.url)
    assert proc.returncode == 0, proc.stderr
    assert "as expected:" in proc.stdout and proc.stdout.count("token cost 5") == 2
    events = events_of(mock)
    assert len(events) == 4 and len({e["session_id"] for e in events}) == 2
    assert sorted(u["end_state"] for u in updates_of(mock)) == ["Success", "Success"]
    assert list(tmp_path.iterdir()) == []


def test_async_example_offline_and_online(mock, tmp_path):
    proc = run_example("async_agents.py", tmp_path, AGENTOPS_API_KEY=KEY, AGENTOPS_API_ENDPOINT=mock.url)
    assert proc.returncode == 0, proc.stderr
    assert "fetched 3 pages" in proc.stdout
    events = events_of(mock)
    assert len(events) == 3 and all(e["event_type"] == "tools" for e in events)
    agents = {r["body"]["name"]: r["body"]["id"] for r in mock.requests("/v2/create_agent")}
    assert set(agents) == {"fetcher-a", "fetcher-b"}
    by_agent = {}
    for e in events:
        by_agent.setdefault(e["agent_id"], []).append(e["params"]["url"])
    assert sorted(by_agent[agents["fetcher-a"]]) == ["https://a/1", "https://a/2"]
    assert by_agent[agents["fetcher-b"]] == ["https://b/1"]
    offline = run_example("async_agents.py", tmp_path)
    assert offline.returncode == 0, offline.stderr
    assert (tmp_path / "agentops_sessions").is_dir()
