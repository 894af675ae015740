"""Starts tests/mock_llm/mock_llm.py on a free loopback port and reads its request log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from typing import Any, Dict, List

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mock_llm.py")


class MockLLM:
    def __init__(self, proc: subprocess.Popen, port: int) -> None:
        self.proc = proc
        self.url = f"http://127.0.0.1:{port}"

    @classmethod
    def start(cls) -> "MockLLM":
        proc = subprocess.Popen(
            [sys.executable, SERVER, "--port", "0", "--max-seconds", "1800", "--parent-pid", str(os.getpid())],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("PORT "), line
        return cls(proc, int(line.split()[1]))

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def _call(self, method: str, path: str) -> Any:
        data = b"{}" if method == "POST" else None
        with urllib.request.urlopen(urllib.request.Request(self.url + path, data=data, method=method), timeout=10) as r:
            return json.loads(r.read())

    def requests(self) -> List[Dict[str, Any]]:
        """Every API request so far: {"path", "headers", "body"}."""
        return self._call("GET", "/_mock/requests")["requests"]

    def reset(self) -> None:
        self._call("POST", "/_mock/reset")
