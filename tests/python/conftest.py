"""Shared fixtures: one mock AgentOps backend (loopback) per test session, a clean
agentops state and environment per test, and captured agentops log records."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "mock_backend"))
sys.path.insert(0, os.path.join(REPO, "tests", "mock_llm"))

from agentops.singleton import clear_singletons  # noqa: E402
from ao_support import LogCapture  # noqa: E402
from mock_client import MockBackend  # noqa: E402
from mock_llm_client import MockLLM  # noqa: E402


@pytest.fixture(scope="session")
def mock() -> Any:
    with MockBackend.start(max_seconds=1800) as mb:
        yield mb


@pytest.fixture(scope="session")
def llm() -> Any:
    """The mock LLM API (OpenAI Chat Completions and Anthropic Messages), loopback."""
    server = MockLLM.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _clean(mock: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in list(os.environ):
        if name.startswith(("AGENTOPS_", "OTEL_")):
            monkeypatch.delenv(name)
    clear_singletons()
    mock.reset()
    yield
    clear_singletons(timeout=2.0)


@pytest.fixture
def logs() -> Any:
    """Every agentops log record (DEBUG and up) during the test."""
    logger = logging.getLogger("agentops")
    handler = LogCapture()
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old)
