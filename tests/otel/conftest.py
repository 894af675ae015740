"""Fixtures of the Collector tests: one real Collector per test, and the producers of each
language (Python, Node, C), all configured by the environment for the OTLP exporter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from collector import Collector, collector_binary

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


@pytest.fixture(scope="session")
def otelcol() -> str:
    return collector_binary()


@pytest.fixture
def collector(otelcol: str, tmp_path: Path) -> Any:
    c = Collector(otelcol, tmp_path)
    c.start()
    yield c
    c.stop()


@pytest.fixture(scope="session")
def c_producer(tmp_path_factory: pytest.TempPathFactory) -> str:
    """tests/otel/producer.c linked against the library `cargo build -p agentops-c` makes."""
    subprocess.run(["cargo", "build", "-q", "-p", "agentops-c"], cwd=REPO, check=True)
    lib = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug"
    exe = tmp_path_factory.mktemp("c") / "producer"
    cc = os.environ.get("CC", "cc")
    subprocess.run(
        [
            cc,
            "-std=c11",
            "-Wall",
            "-Werror",
            f"-I{REPO / 'include'}",
            str(HERE / "producer.c"),
            f"-L{lib}",
            "-lagentops",
            f"-Wl,-rpath,{lib}",
            "-o",
            str(exe),
        ],
        check=True,
    )
    return str(exe)


def producer_env(collector: Collector, **extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENTOPS_", "OTEL_"))}
    env.update(
        AGENTOPS_EXPORTER="otlp",
        OTEL_EXPORTER_OTLP_ENDPOINT=collector.endpoint,
        AGENTOPS_MAX_WAIT_TIME="100",
    )
    env.update(extra)
    return env


def producer_command(language: str, c_producer: str = "") -> List[str]:
    return {
        "python": [sys.executable, str(HERE / "producer.py")],
        "node": ["node", str(HERE / "producer.mjs")],
        "c": [c_producer],
    }[language]
