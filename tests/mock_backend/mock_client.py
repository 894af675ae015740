"""Python client for the mock AgentOps backend (stdlib only).

from mock_client import MockBackend

with MockBackend.start() as mb:
    mb.script("/v2/create_events", [{"status": 503}])
    ... point the SDK at mb.url ...
    assert mb.wait_for(lambda: mb.events()["accepted"] == 3, timeout=10)
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from typing import Any, Callable
from urllib.parse import quote

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mock_backend.py")


class MockBackend:
    """A running mock backend subprocess plus helpers for its control API."""

    def __init__(self, proc: subprocess.Popen, port: int) -> None:
        self.proc = proc
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    # -- lifecycle -----------------------------------------------------------------
    @classmethod
    def start(
        cls, max_seconds: float = 300, token_cost: float | None = None, startup_timeout: float = 15.0
    ) -> "MockBackend":
        """Spawn the server; usable directly or as `with MockBackend.start() as mb:`."""
        cmd = [
            sys.executable,
            SERVER,
            "--port",
            "0",
            "--max-seconds",
            str(max_seconds),
            "--parent-pid",
            str(os.getpid()),
        ]
        if token_cost is not None:
            cmd += ["--token-cost", str(token_cost)]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        box: list = []

        def read_first_line():
            try:
                box.append(proc.stdout.readline())
            except Exception as e:  # pragma: no cover
                box.append(e)

        t = threading.Thread(target=read_first_line, daemon=True)
        t.start()
        t.join(startup_timeout)
        line = box[0] if box else None
        if not isinstance(line, bytes) or not line.startswith(b"PORT "):
            _kill(proc)
            raise RuntimeError(f"mock backend did not start (first line: {line!r})")
        port = int(line.split()[1])
        proc.stdout.close()  # the server writes nothing else to stdout
        return cls(proc, port)

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the server (SIGTERM), wait with a bound, kill as a fallback."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _kill(self.proc)

    def __enter__(self) -> "MockBackend":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- raw HTTP ------------------------------------------------------------------
    def request(
        self, method: str, path: str, body: Any = None, headers: dict | None = None, timeout: float = 10.0
    ) -> tuple[int, dict, bytes]:
        """One HTTP request to the mock. `body` may be bytes, str, or JSON-able.

        Returns (status, lowercased headers, body bytes). Raises OSError on
        connection errors (e.g. a scripted reset) and TimeoutError on a hang.
        """
        if body is None:
            data = None
        elif isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body).encode()
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        status, _, data = self.request(method, path, body)
        if status != 200:
            raise RuntimeError(f"mock control {method} {path} -> {status}: {data[:500]!r}")
        return json.loads(data)

    # -- control API ---------------------------------------------------------------
    def health(self) -> bool:
        return self._control("GET", "/_mock/health").get("ok") is True

    def script(self, route: str, faults: list[dict]) -> None:
        """Append faults ({"status":503}, {"hang":5}, {"reset":True}, {"delay":0.5}) to a route."""
        self._control("POST", "/_mock/script", {"route": route, "faults": list(faults)})

    def pending_faults(self) -> dict:
        """{route: [faults not consumed yet]}."""
        return self._control("GET", "/_mock/script")

    def rules(self, route: str, **kw) -> dict:
        """Persistent rules: max_events_per_request=N|None, down=True|False."""
        return self._control("POST", "/_mock/rules", {"route": route, **kw})["rules"]

    def expire_jwt(self, session_id: str) -> int:
        return self._control("POST", "/_mock/expire_jwt", {"session_id": session_id})["expired"]

    def requests(self, path: str | None = None) -> list[dict]:
        q = "" if path is None else "?path=" + quote(path, safe="/")
        return self._control("GET", "/_mock/requests" + q)["requests"]

    def events(self) -> dict:
        """{"accepted", "unique_ids", "duplicates", "by_session": {sid: [events]}}."""
        return self._control("GET", "/_mock/events")

    def sessions(self) -> dict:
        """{session_id: latest session body}."""
        return self._control("GET", "/_mock/sessions")

    def reset(self) -> None:
        self._control("POST", "/_mock/reset", {})

    def shutdown(self) -> None:
        """Ask the server to exit by itself (then reap it)."""
        try:
            self._control("POST", "/_mock/shutdown", {})
        except OSError:
            pass
        self.stop()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.01) -> bool:
        """Poll predicate() until true or timeout; returns whether it became true."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(interval)


def _kill(proc: subprocess.Popen) -> None:
    try:
        proc.kill()
    except OSError:
        pass
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass
