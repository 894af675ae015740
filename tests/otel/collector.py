"""A real OpenTelemetry Collector for the tests: OTLP/HTTP receiver on a loopback port →
file exporter (one OTLP/JSON line per request), built by build-otelcol.sh (pinned
versions, cached under ~/.cache) unless OTELCOL_BIN names a binary already built."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
CONFIG = """\
receivers:
  otlp: {protocols: {http: {endpoint: "127.0.0.1:${env:OTELCOL_PORT}"}}}
exporters:
  file: {path: "${env:OTELCOL_OUT}", flush_interval: 100ms}
service:
  telemetry: {metrics: {level: none}}
  pipelines:
    traces: {receivers: [otlp], exporters: [file]}
"""


def collector_binary() -> str:
    if os.environ.get("OTELCOL_BIN"):
        return os.environ["OTELCOL_BIN"]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "otelcol-v0.161.0"
    built = subprocess.run(
        ["bash", str(HERE / "build-otelcol.sh"), str(cache)], check=True, stdout=subprocess.PIPE, text=True
    )
    return built.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Collector:
    """One Collector at a time on a fixed port; every start writes a new output file
    (the file exporter truncates its file when it starts)."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.config = workdir / "config.yaml"
        self.config.write_text(CONFIG)
        self.outputs: List[Path] = []
        self.proc: Optional[subprocess.Popen] = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        out = self.workdir / f"out-{len(self.outputs)}.jsonl"
        self.outputs.append(out)
        env = dict(os.environ, OTELCOL_PORT=str(self.port), OTELCOL_OUT=str(out))
        log = open(self.workdir / f"collector-{len(self.outputs)}.log", "wb")
        self.proc = subprocess.Popen(
            [self.binary, f"--config=file:{self.config}"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        wait_until(self._accepts, 30, "the Collector's port")

    def _accepts(self) -> bool:
        assert self.proc is not None and self.proc.poll() is None, "the Collector exited"
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def spans(self) -> Iterator[Tuple[Dict[str, Any], Dict[str, Any]]]:
        """(resource attributes, span) of everything written so far, by every run."""
        for path in self.outputs:
            if not path.exists():
                continue
            for line in path.read_text().splitlines():
                try:
                    request = json.loads(line)
                except ValueError:
                    continue  # a line being written
                for rs in request.get("resourceSpans", []):
                    resource = attributes(rs.get("resource", {}))
                    for ss in rs.get("scopeSpans", []):
                        for span in ss.get("spans", []):
                            yield resource, span


def attributes(node: Dict[str, Any]) -> Dict[str, Any]:
    """OTLP/JSON attributes as a dict of plain values (ints from their decimal strings)."""

    def value(v: Dict[str, Any]) -> Any:
        if "intValue" in v:
            return int(v["intValue"])
        if "arrayValue" in v:
            return [value(item) for item in v["arrayValue"].get("values", [])]
        for kind in ("stringValue", "boolValue", "doubleValue"):
            if kind in v:
                return v[kind]
        return None

    return {kv["key"]: value(kv.get("value", {})) for kv in node.get("attributes", [])}
