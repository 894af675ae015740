"""Helpers for the Python package tests (imported by the test modules)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import time
from typing import Any, Callable, Dict, List, Optional

import agentops

KEY = "6f1c0e4e-8a54-4c0c-9d35-1b1f3b0c2a11"
PARENT_KEY = "2b7e4d7a-4a0f-4a8b-9d9e-0c3a3c1f5e22"


class LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def messages(self) -> List[str]:
        return [r.getMessage() for r in self.records]

    def text(self) -> str:
        return "\n".join(self.messages)

    def at(self, level: int) -> List[str]:
        return [r.getMessage() for r in self.records if r.levelno == level]


def init(mock: Any, **kw: Any) -> Any:
    """agentops.init against the mock with a short flush interval."""
    kw.setdefault("api_key", KEY)
    kw.setdefault("endpoint", mock.url)
    kw.setdefault("max_wait_time", 50)
    return agentops.init(**kw)


def wait_for(pred: Callable[[], Any], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if pred():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)


def events_of(mock: Any) -> List[Dict[str, Any]]:
    """Every event the mock accepted, in order of arrival."""
    out: List[Dict[str, Any]] = []
    for r in mock.requests("/v2/create_events"):
        if r["status"] == 200:
            out.extend(r["body"]["events"])
    return out


def wait_events(mock: Any, n: int, timeout: float = 10.0) -> List[Dict[str, Any]]:
    assert wait_for(lambda: len(events_of(mock)) >= n, timeout), f"expected {n} events, got {events_of(mock)}"
    return events_of(mock)


def updates_of(mock: Any) -> List[Dict[str, Any]]:
    return [r["body"]["session"] for r in mock.requests("/v2/update_session") if r["status"] == 200]


# -- scripts in subprocesses ------------------------------------------------------------------

PRELUDE = """\
import os, sys, time, signal, threading
import agentops
from agentops import ActionEvent
KEY = os.environ["AO_KEY"]
URL = os.environ["AO_URL"]
"""


def env_for(mock: Any, **extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTOPS_")}
    env.update(AO_KEY=KEY, AO_URL=mock.url, PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def run(
    mock: Any, body: str, timeout: float = 30, cwd: Optional[str] = None, **env: str
) -> subprocess.CompletedProcess:
    code = PRELUDE + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", code], env=env_for(mock, **env), cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def spawn(mock: Any, body: str, **env: str) -> subprocess.Popen:
    code = PRELUDE + textwrap.dedent(body)
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=env_for(mock, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == "ready":
            return
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"child never became ready: {proc.communicate(timeout=5)}")
