#!/usr/bin/env python3
"""Loopback telemetry sink for the anchor benchmarks (stdlib only).

Imitates just enough of several telemetry back-ends for their client SDKs to
run against it, and counts what arrives:

  AgentOps REST v2   POST /v2/create_session   -> {"status":"success","jwt":"x","session_url":...}
                     POST /v2/create_events    -> counts len(body["events"])
                     POST /v2/update_session   -> {"status":"success","token_cost":"0.00"}
                     POST /v2/create_agent, /v2/reauthorize_jwt, /v2/developer_errors
  OTLP/HTTP traces   POST /v1/traces (also .../otel/v1/traces) protobuf or JSON -> counts spans
                     POST /v1/metrics, /v1/logs -> 200, not counted
  AgentOps 0.4.x     POST /v3/auth/token -> {"token":"x","project_id":...}
                     (protobuf decoded with opentelemetry-proto when importable, else
                     only requests/bytes are counted and "otlp_undecoded" is bumped)
  Langfuse v2        POST /api/public/ingestion -> 207 {"successes":[...],"errors":[]}
  PostHog            POST /batch/ (and /batch, /capture/, /e/, /i/v0/e/) -> counts body["batch"]
  anything else POST -> 200 {"status":"success"}; a JSON body with a list under
                     "events" or "batch" is counted too.

  GET  /stats        -> JSON counters (add ?log=1 for the per-request arrival log)
  POST /reset        -> zero all counters
  GET  /health       -> {"ok":true}

Counters: "items" is the number of telemetry items (events / spans / batch
entries) received on all paths; "first_item_ts"/"last_item_ts" are time.time()
of the first/last request that carried items (same clock as the bench process);
"unique_ids" counts distinct item ids (event "id", span_id, posthog "uuid") so
duplicates caused by retries are visible as dup_ids.

Only binds 127.0.0.1. Stops by itself after --max-seconds, or when --parent-pid
disappears. Prints "PORT <n>" as its first stdout line (and writes --port-file).

"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MAX_BODY = 64 * 1024 * 1024  # bounded request bodies
MAX_IDS = 2_000_000  # bounded id set
MAX_LOG = 500_000  # bounded arrival log

try:  # optional: decode OTLP protobuf
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as _otlp_trace

    _OTLP_RESPONSE = _otlp_trace.ExportTraceServiceResponse().SerializeToString()
except Exception:  # pragma: no cover - optional dependency
    _otlp_trace = None
    _OTLP_RESPONSE = b""


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.started = time.time()
        self.requests = 0
        self.bytes = 0  # wire bytes (possibly compressed)
        self.items = 0
        self.first_item_ts = None
        self.last_item_ts = None
        self.by_path: dict[str, dict[str, int]] = {}
        self.ids: set = set()
        self.ids_overflow = False
        self.dup_ids = 0
        self.errors = 0
        self.otlp_undecoded = 0
        self.log: list[tuple[float, int]] = []

    def add(self, path: str, nbytes: int, nitems: int, ids=None) -> None:
        now = time.time()
        with self.lock:
            self.requests += 1
            self.bytes += nbytes
            p = self.by_path.setdefault(path, {"requests": 0, "bytes": 0, "items": 0})
            p["requests"] += 1
            p["bytes"] += nbytes
            p["items"] += nitems
            if nitems:
                self.items += nitems
                if self.first_item_ts is None:
                    self.first_item_ts = now
                self.last_item_ts = now
                if len(self.log) < MAX_LOG:
                    self.log.append((now, nitems))
            if ids:
                for i in ids:
                    if i is None:
                        continue
                    if i in self.ids:
                        self.dup_ids += 1
                    elif len(self.ids) < MAX_IDS:
                        self.ids.add(i)
                    else:
                        self.ids_overflow = True

    def snapshot(self, with_log: bool = False) -> dict:
        with self.lock:
            d = {
                "uptime_s": time.time() - self.started,
                "now": time.time(),
                "requests": self.requests,
                "bytes": self.bytes,
                "items": self.items,
                "first_item_ts": self.first_item_ts,
                "last_item_ts": self.last_item_ts,
                "unique_ids": len(self.ids),
                "ids_overflow": self.ids_overflow,
                "dup_ids": self.dup_ids,
                "errors": self.errors,
                "otlp_decoder": _otlp_trace is not None,
                "otlp_undecoded": self.otlp_undecoded,
                "by_path": {k: dict(v) for k, v in self.by_path.items()},
            }
            if with_log:
                d["log"] = list(self.log)
            return d


STATS = Stats()


def _decompress(body: bytes, enc: str | None) -> bytes:
    enc = (enc or "").strip().lower()
    if enc == "gzip":
        return gzip.decompress(body)
    if enc == "deflate":
        return zlib.decompress(body)
    return body


def _count_otlp(body: bytes, ctype: str):
    """Return (span_count, span_ids) or (None, None) if undecodable."""
    if "json" in ctype:
        d = json.loads(body)
        n, ids = 0, []
        for rs in d.get("resourceSpans", d.get("resource_spans", [])) or []:
            for ss in rs.get("scopeSpans", rs.get("scope_spans", [])) or []:
                spans = ss.get("spans", []) or []
                n += len(spans)
                ids.extend(s.get("spanId") or s.get("span_id") for s in spans)
        return n, ids
    if _otlp_trace is None:
        return None, None
    req = _otlp_trace.ExportTraceServiceRequest()
    req.ParseFromString(body)
    n, ids = 0, []
    for rs in req.resource_spans:
        for ss in rs.scope_spans:
            n += len(ss.spans)
            ids.extend(bytes(s.span_id) for s in ss.spans)
    return n, ids


def _count_json_items(obj):
    if isinstance(obj, dict):
        for key in ("events", "batch"):
            v = obj.get(key)
            if isinstance(v, list):
                ids = [(x.get("id") or x.get("uuid")) if isinstance(x, dict) else None for x in v]
                return len(v), ids
    if isinstance(obj, list):
        return len(obj), None
    return 0, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real API gateway
    server_version = "anchor-sink/1"

    def log_message(self, fmt, *args):  # silence per-request logging
        pass

    def setup(self):
        super().setup()
        # no Nagle: a small response must not wait for the client's delayed ACK
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def _send(self, code: int, payload, ctype: str = "application/json") -> None:
        if isinstance(payload, (bytes, bytearray)):
            data = bytes(payload)
        else:
            data = json.dumps(payload).encode()
        # status line + headers + body in ONE write (avoids 40 ms Nagle/delayed-ACK stalls)
        reason = {200: "OK", 207: "Multi-Status", 413: "Payload Too Large"}.get(code, "OK")
        head = (
            f"HTTP/1.1 {code} {reason}\r\nServer: {self.server_version}\r\n"
            f"Content-Type: {ctype}\r\nContent-Length: {len(data)}\r\n"
            + ("Connection: close\r\n" if self.close_connection else "")
            + "\r\n"
        ).encode("latin-1")
        self.wfile.write(head + data)

    def _read_chunked(self):
        """De-chunk a Transfer-Encoding: chunked body; None if it exceeds MAX_BODY."""
        out = bytearray()
        while True:
            line = self.rfile.readline(65537)
            if not line:
                break
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while True:  # optional trailers, then the blank line
                    t = self.rfile.readline(65537)
                    if t in (b"\r\n", b"\n", b""):
                        break
                break
            if len(out) + size > MAX_BODY:
                return None
            out += self.rfile.read(size)
            self.rfile.readline()  # CRLF after each chunk
        return bytes(out)

    def do_GET(self):
        u = urlparse(self.path)
        if u.path == "/stats":
            q = parse_qs(u.query)
            self._send(200, STATS.snapshot(with_log=q.get("log", ["0"])[0] == "1"))
        elif u.path in ("/health", "/"):
            self._send(200, {"ok": True})
        else:
            # e.g. SDK feature-flag / config polling: answer harmlessly
            self._send(200, {})

    def do_POST(self):
        u = urlparse(self.path)
        path = u.path
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            self.close_connection = True
            self._send(413, {"status": "error", "message": "too large"})
            return
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raw = self._read_chunked()
            if raw is None:
                self.close_connection = True
                self._send(413, {"status": "error", "message": "too large"})
                return
        else:
            raw = self.rfile.read(length) if length else b""
        nbytes = len(raw)
        try:
            body = _decompress(raw, self.headers.get("Content-Encoding"))
            ctype = (self.headers.get("Content-Type") or "").lower()

            if path == "/reset":
                STATS.reset()
                self._send(200, {"ok": True})
                return

            if path.endswith("/v1/traces"):
                n, ids = _count_otlp(body, ctype)
                if n is None:
                    with STATS.lock:
                        STATS.otlp_undecoded += 1
                    n, ids = 0, None
                STATS.add(path, nbytes, n, ids)
                if "json" in ctype:
                    self._send(200, {}, "application/json")
                else:
                    self._send(200, _OTLP_RESPONSE, "application/x-protobuf")
                return

            if path.endswith("/v1/metrics") or path.endswith("/v1/logs"):  # accepted, not counted
                STATS.add(path, nbytes, 0)
                if "json" in ctype:
                    self._send(200, {}, "application/json")
                else:
                    self._send(200, b"", "application/x-protobuf")
                return

            obj = json.loads(body) if body else {}

            if path == "/v3/auth/token":  # agentops 0.4.x JWT exchange
                STATS.add(path, nbytes, 0)
                self._send(200, {"token": "x", "project_id": "anchor-project", "project_prem_status": "pro"})
                return

            if path == "/v2/create_session":
                STATS.add(path, nbytes, 0)
                self._send(200, {"status": "success", "jwt": "x", "session_url": "http://127.0.0.1/x"})
                return
            if path == "/v2/update_session":
                STATS.add(path, nbytes, 0)
                self._send(200, {"status": "success", "token_cost": "0.00"})
                return
            if path == "/v2/reauthorize_jwt":
                STATS.add(path, nbytes, 0)
                self._send(200, {"status": "success", "jwt": "x"})
                return
            if path == "/api/public/ingestion":  # langfuse v2 batch ingestion
                n, ids = _count_json_items(obj)
                STATS.add(path, nbytes, n, ids)
                succ = [{"id": i, "status": 201} for i in (ids or []) if i is not None]
                self._send(207, {"successes": succ, "errors": []})
                return

            n, ids = _count_json_items(obj)
            STATS.add(path, nbytes, n, ids)
            self._send(200, {"status": "success", "status_code": 1})
        except Exception as e:  # never crash the sink on odd input
            with STATS.lock:
                STATS.errors += 1
            self._send(200, {"status": "success", "sink_error": repr(e)[:200]})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def serve(
    port: int = 0,
    max_seconds: float = 900.0,
    parent_pid: int | None = None,
    port_file: str | None = None,
    quiet: bool = False,
) -> None:
    srv = Server(("127.0.0.1", port), Handler)
    real_port = srv.server_address[1]
    if port_file:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(real_port))
        os.replace(tmp, port_file)
    print(f"PORT {real_port}", flush=True)

    deadline = time.time() + max_seconds

    def watchdog():
        while True:
            time.sleep(0.5)
            if time.time() > deadline:
                break
            if parent_pid:
                try:
                    os.kill(parent_pid, 0)
                except OSError:
                    break
        srv.shutdown()

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
        if not quiet:
            print("SINK-STOPPED " + json.dumps(STATS.snapshot()), file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    ap.add_argument("--max-seconds", type=float, default=900.0, help="hard lifetime limit")
    ap.add_argument("--parent-pid", type=int, default=None, help="exit when this pid is gone")
    ap.add_argument("--port-file", default=None)
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    serve(a.port, a.max_seconds, a.parent_pid, a.port_file, a.quiet)


if __name__ == "__main__":
    main()
