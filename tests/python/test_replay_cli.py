"""`agentops replay` from the Python package: the console script and `python -m agentops`
give the core's rendering of the fixture session; bad input is a message, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import REPO

FIXTURE = os.path.join(REPO, "tests", "replay", "session.jsonl")
EXPECTED = os.path.join(REPO, "tests", "replay", "session.txt")


def replay(*args, command=None):
    command = command or [sys.executable, "-m", "agentops"]
    return subprocess.run([*command, "replay", *args], capture_output=True, text=True, timeout=60)


def test_python_m_agentops_and_the_console_script_print_the_expected_rendering():
    with open(EXPECTED) as f:
        expected = f.read()
    done = replay(FIXTURE, "--color", "never")
    assert (done.returncode, done.stdout, done.stderr) == (0, expected, "")
    script = shutil.which("agentops", path=os.path.dirname(sys.executable))
    assert script is not None, "pip installs the agentops command"
    assert replay(FIXTURE, command=[script]).stdout == expected, "plain text when not a terminal"


def test_bad_input_is_explained_and_what_can_be_read_is_shown(tmp_path):
    cut = tmp_path / "cut.jsonl"
    with open(FIXTURE) as f:
        cut.write_text(f.read() + '{"type": "event", "event": {"id": "x", ')
    done = replay(str(cut))
    assert done.returncode == 0 and "plan_trip" in done.stdout
    assert "line 10 is cut off" in done.stderr and "Traceback" not in done.stderr
    other = tmp_path / "other.jsonl"
    other.write_text('{"some": "log line"}\n')
    done = replay(str(other))
    assert done.returncode == 1 and "is not an agentops session file" in done.stderr
    assert "Traceback" not in done.stderr
    assert replay().returncode == 2
