#!/usr/bin/env python3
"""Mock AgentOps REST v2 backend for the SDK's tests (stdlib only, Python 3.11).

Usage:
    python3 mock_backend.py [--port 0] [--max-seconds 600] [--parent-pid PID] [--token-cost 5]

Binds 127.0.0.1 only. The first stdout line is "PORT <n>" (flushed); nothing
else is written to stdout. Stops by itself (exit 0) after --max-seconds, when
--parent-pid no longer exists (polled every 0.5 s), on SIGTERM/SIGINT, or on
POST /_mock/shutdown.

AgentOps routes (POST, JSON):
  /v2/create_session   X-Agentops-Api-Key; {"session": {"session_id": ...}}
                       -> {"status":"success","jwt":...,"session_url":...}
  /v2/reauthorize_jwt  X-Agentops-Api-Key; {"session_id": ...} -> {"status":"success","jwt":...}
  /v2/create_events    Bearer jwt; {"events": [...]} -> {"status":"success"}; events accepted
  /v2/update_session   Bearer jwt; {"session": {...}} -> {"status":"success","token_cost":N}
  /v2/create_agent     Bearer jwt; {"id":...,"name":...} -> {"status":"success"}

OTLP/HTTP route (POST, JSON, gzip allowed; protobuf too when `opentelemetry-proto` is installed):
  /v1/traces           {"resourceSpans": [...]} -> {"partialSuccess": {}}; every span is
                       accepted as an event of the session whose UUID is its traceId (by spanId).
                       A protobuf body (Content-Type application/x-protobuf) is read by the
                       official definitions and logged in its OTLP/JSON form (hex ids, enums as
                       integers, "encoding": "protobuf"); its answers are protobuf too.

Faults are scripted per route and consumed one per request (in order):
  {"status": 503, "body": "optional verbatim body", "retry_after": "2"}
  {"hang": 5.0}     read the request, sleep, close without a response
  {"reset": true}   read request line + headers only, close with RST
  {"delay": 0.5}    sleep, then behave normally
A faulted request never accepts events. Persistent rules per route:
  {"max_events_per_request": N}  (create_events only) -> 413 beyond N events
  {"down": true}                 -> every request gets 503 until cleared

Control API (not recorded):
  GET  /_mock/health                      {"ok": true}
  POST /_mock/script   {"route", "faults": [...]}   append to the route's script
  GET  /_mock/script                      {route: [remaining faults]}
  POST /_mock/rules    {"route", "max_events_per_request": N|null, "down": bool}
  POST /_mock/expire_jwt {"session_id"}   invalidate every token of the session
  GET  /_mock/requests[?path=P][&since=SEQ] {"requests": [...], "dropped": n}
  GET  /_mock/events                      {"accepted","unique_ids","duplicates","by_session"}
  GET  /_mock/sessions                    {session_id: latest session body}
  POST /_mock/reset                       clear everything
  POST /_mock/shutdown
"""

from __future__ import annotations

import argparse
import base64
import collections
import gzip
import http
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MAX_BODY = 256 * 1024 * 1024  # request bodies beyond this get 413
MAX_LOG = 200_000  # request log entries kept (oldest dropped beyond)
MAX_STORED_EVENTS = 2_000_000  # accepted event objects kept (counts stay exact)
MAX_IDS = 4_000_000  # distinct event ids tracked
MAX_SLEEP = 600.0  # upper bound for hang/delay faults
RAW_LIMIT = 1024  # "raw" (non-JSON body text) truncation

SESSION_URL = "https://app.agentops.ai/drilldown?session_id={}"
AGENTOPS_ROUTES = (
    "/v2/create_session",
    "/v2/reauthorize_jwt",
    "/v2/create_events",
    "/v2/update_session",
    "/v2/create_agent",
)
OTLP_TRACES = "/v1/traces"
ROUTES = AGENTOPS_ROUTES + (OTLP_TRACES,)
BEARER_ROUTES = ("/v2/create_events", "/v2/update_session", "/v2/create_agent")
API_KEY_ROUTES = ("/v2/create_session", "/v2/reauthorize_jwt")
INVALID_JWT = {"error": "Invalid or expired JWT", "message": "Please reauthorize using /reauthorize_jwt"}

STOP = threading.Event()  # set when the server is stopping: interrupts hangs/delays
TOKEN_COST = 5


def _new_jwt() -> str:
    return "jwt-" + uuid.uuid4().hex


class State:
    """All shared state; every access holds self.lock (never while sleeping)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        self.seq = 0
        self.log: collections.deque = collections.deque(maxlen=MAX_LOG)
        self.dropped = 0
        self.scripts: dict[str, collections.deque] = {}
        self.rules: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}  # jwt -> {"session_id", "valid"}
        self.sessions: dict[str, object] = {}  # session_id -> latest session body
        self.accepted = 0
        self.by_session: dict[str, list] = {}
        self.stored_events = 0
        self.id_counts: dict = {}
        self.ids_overflow = False

    # -- called with self.lock held ------------------------------------------------
    def record(self, entry: dict) -> dict:
        self.seq += 1
        entry["seq"] = self.seq
        if len(self.log) == self.log.maxlen:
            self.dropped += 1
        self.log.append(entry)
        return entry

    def session_of(self, token: str | None) -> str | None:
        if token is None:
            return None
        t = self.tokens.get(token)
        return t["session_id"] if t else None

    def issue(self, session_id: str) -> str:
        jwt = _new_jwt()
        self.tokens[jwt] = {"session_id": session_id, "valid": True}
        return jwt

    def accept(self, session_id: str, events: list, id_key: str = "id") -> None:
        self.accepted += len(events)
        lst = self.by_session.setdefault(session_id, [])
        room = MAX_STORED_EVENTS - self.stored_events
        if room > 0:
            lst.extend(events[:room])
            self.stored_events += min(room, len(events))
        for ev in events:
            eid = ev.get(id_key) if isinstance(ev, dict) else None
            if eid is None or not isinstance(eid, (str, int, float, bool)):
                continue
            if eid in self.id_counts:
                self.id_counts[eid] += 1
            elif len(self.id_counts) < MAX_IDS:
                self.id_counts[eid] = 1
            else:
                self.ids_overflow = True


STATE = State()


def _validate_fault(f) -> str | None:
    if not isinstance(f, dict):
        return "fault must be an object"
    kinds = [k for k in ("status", "hang", "reset", "delay") if k in f]
    if len(kinds) != 1:
        return "fault must have exactly one of status/hang/reset/delay: %r" % (f,)
    k = kinds[0]
    if k == "status" and not (isinstance(f["status"], int) and 100 <= f["status"] <= 599):
        return "status must be an int 100..599"
    if k in ("hang", "delay") and not (isinstance(f[k], (int, float)) and f[k] >= 0):
        return "%s must be a non-negative number" % k
    if k == "reset" and f["reset"] is not True:
        return "reset must be true"
    return None


try:  # OTLP protobuf bodies, read by the official definitions when they are installed
    from google.protobuf import json_format as _json_format
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as _otlp_pb
except ImportError:
    _otlp_pb = None

OTLP_ID_FIELDS = ("traceId", "spanId", "parentSpanId")


def _ids_to_hex(node) -> None:
    """proto3 JSON writes bytes as base64; OTLP/JSON writes trace and span ids as hex."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in OTLP_ID_FIELDS and isinstance(value, str):
                node[key] = base64.b64decode(value).hex()
            else:
                _ids_to_hex(value)
    elif isinstance(node, list):
        for item in node:
            _ids_to_hex(item)


def _otlp_protobuf_as_json(data: bytes):
    """An OTLP protobuf request in its OTLP/JSON form; None when the protos reject it."""
    if _otlp_pb is None:
        return None
    try:
        request = _otlp_pb.ExportTraceServiceRequest.FromString(data)
    except Exception:  # noqa: BLE001 - DecodeError, or anything the parser raises
        return None
    body = _json_format.MessageToDict(request, use_integers_for_enums=True)
    _ids_to_hex(body)
    return body


def _otlp_protobuf_answer(payload) -> bytes:
    """A JSON answer (`{"partialSuccess": ...}`) as an `ExportTraceServiceResponse`."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    try:
        return _json_format.Parse(text, _otlp_pb.ExportTraceServiceResponse()).SerializeToString()
    except _json_format.ParseError:  # a scripted answer that is no response: an empty one
        return b""


def _decode_body(raw: bytes, enc: str | None) -> bytes:
    enc = (enc or "").strip().lower()
    if enc == "gzip":
        return gzip.decompress(raw)
    if enc == "deflate":
        return zlib.decompress(raw)
    return raw


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server_version = "agentops-mock/1"
    sys_version = ""

    def log_message(self, fmt, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    # -- I/O helpers ---------------------------------------------------------------
    def _send(self, code: int, payload, extra_headers: dict | None = None) -> None:
        if isinstance(payload, (bytes, bytearray)):
            data, ctype = bytes(payload), "application/octet-stream"
        elif isinstance(payload, str):
            data, ctype = payload.encode("utf-8"), "application/json"
        else:
            data, ctype = json.dumps(payload).encode("utf-8"), "application/json"
        try:
            reason = http.HTTPStatus(code).phrase
        except ValueError:
            reason = "Status"
        extra_headers = dict(extra_headers or {})
        ctype = extra_headers.pop("Content-Type", ctype)
        lines = [
            f"HTTP/1.1 {code} {reason}",
            f"Server: {self.server_version}",
            f"Content-Type: {ctype}",
            f"Content-Length: {len(data)}",
        ]
        for k, v in extra_headers.items():
            lines.append(f"{k}: {v}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + data)  # one write: no Nagle/delayed-ACK stalls
        self.wfile.flush()

    def _read_chunked(self) -> bytes | None:
        out = bytearray()
        while True:
            line = self.rfile.readline(65537)
            if not line:
                break
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers, then the blank line
                    t = self.rfile.readline(65537)
                    if t in (b"\r\n", b"\n", b""):
                        break
                break
            if len(out) + size > MAX_BODY:
                return None
            out += self.rfile.read(size)
            self.rfile.readline()
        return bytes(out)

    def _read_body(self) -> bytes | None:
        """The request body; None if it exceeds MAX_BODY (connection then closes)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raw = self._read_chunked()
        else:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = 0
            if length > MAX_BODY:
                raw = None
            else:
                raw = self.rfile.read(length) if length > 0 else b""
        if raw is None:
            self.close_connection = True
        return raw

    def _abort_with_reset(self) -> None:
        """Close the socket with SO_LINGER {on, 0}: the peer sees a connection reset."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.rfile.close()  # drop the makefile reference so close() is real
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass

    def _bearer(self) -> str | None:
        auth = self.headers.get("Authorization") or ""
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        return None

    def _headers_dict(self) -> dict:
        d: dict[str, str] = {}
        for k, v in self.headers.items():
            k = k.lower()
            d[k] = d[k] + ", " + v if k in d else v
        return d

    # -- dispatch ------------------------------------------------------------------
    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def _dispatch(self):
        u = urlparse(self.path)
        if u.path.startswith("/_mock/"):
            self._control(u)
        else:
            self._api(u.path)

    # -- AgentOps API --------------------------------------------------------------
    def _api(self, path: str) -> None:
        t = time.time()
        entry = {
            "seq": None,
            "t": t,
            "method": self.command,
            "path": path,
            "headers": self._headers_dict(),
            "body": None,
            "raw": None,
            "bytes": 0,
            "status": None,
            "session_id": None,
        }
        token = self._bearer()
        known = path in ROUTES
        fault = None
        with STATE.lock:
            entry["session_id"] = STATE.session_of(token)
            if known and self.command == "POST":
                rule = STATE.rules.get(path) or {}
                if rule.get("down"):
                    fault = {"status": 503, "body": json.dumps({"error": "service unavailable (mock down)"})}
                else:
                    script = STATE.scripts.get(path)
                    if script:
                        fault = script.popleft()
            if fault is not None and fault.get("reset"):
                entry["status"] = "reset"
                STATE.record(entry)
        if fault is not None and fault.get("reset"):
            self._abort_with_reset()
            return

        raw = self._read_body()
        if raw is None:
            with STATE.lock:
                entry["status"] = 413
                STATE.record(entry)
            self._send(413, {"error": "request body too large"})
            return
        entry["bytes"] = len(raw)
        body = None
        protobuf = path == OTLP_TRACES and "protobuf" in (self.headers.get("Content-Type") or "").lower()
        try:
            text = _decode_body(raw, self.headers.get("Content-Encoding"))
            if protobuf:
                entry["encoding"] = "protobuf"
                body = _otlp_protobuf_as_json(text)
            else:
                body = json.loads(text) if text else None
        except (ValueError, OSError, zlib.error, EOFError):
            text = raw
        if body is None and raw and not protobuf:
            entry["raw"] = text[:RAW_LIMIT].decode("utf-8", errors="replace")
        entry["body"] = body
        with STATE.lock:
            STATE.record(entry)

        if fault is not None:
            if "hang" in fault:
                self._set_status(entry, "hang")
                STOP.wait(min(float(fault["hang"]), MAX_SLEEP))
                self.close_connection = True  # close without any response
                return
            if "delay" in fault:
                STOP.wait(min(float(fault["delay"]), MAX_SLEEP))
                fault = None  # then behave normally
            else:
                code = int(fault["status"])
                b = fault.get("body")
                if b is None:
                    payload = {"error": "mock fault", "status": code}
                elif isinstance(b, str):
                    payload = b
                else:
                    payload = json.dumps(b)
                extra = {}
                if fault.get("retry_after") is not None:
                    extra["Retry-After"] = str(fault["retry_after"])
                self._set_status(entry, code)
                self._send_answer(code, payload, protobuf, extra)
                return

        code, payload = self._handle_route(path, body, token)
        self._set_status(entry, code)
        self._send_answer(code, payload, protobuf)

    def _send_answer(self, code: int, payload, protobuf: bool, extra: dict | None = None) -> None:
        """`payload`, or for a protobuf OTLP request's success its protobuf form."""
        if protobuf and 200 <= code < 300 and _otlp_pb is not None:
            data = _otlp_protobuf_answer(payload)
            return self._send(code, data, {"Content-Type": "application/x-protobuf", **(extra or {})})
        self._send(code, payload, extra)

    @staticmethod
    def _set_status(entry: dict, status) -> None:
        with STATE.lock:
            entry["status"] = status

    def _handle_route(self, path: str, body, token: str | None):
        if path not in ROUTES:
            return 404, {"error": "not found", "path": path}
        if self.command != "POST":
            return 405, {"error": "method not allowed"}
        if path == OTLP_TRACES:
            return self._accept_spans(body)
        if path in API_KEY_ROUTES and not (self.headers.get("X-Agentops-Api-Key") or "").strip():
            return 401, {"error": "missing api key"}
        with STATE.lock:
            sid = None
            if path in BEARER_ROUTES:
                tok = STATE.tokens.get(token) if token else None
                if tok is None or not tok["valid"]:
                    return 401, INVALID_JWT
                sid = tok["session_id"]

            if path == "/v2/create_session":
                sess = body.get("session") if isinstance(body, dict) else None
                ssid = sess.get("session_id") if isinstance(sess, dict) else None
                if not isinstance(ssid, str) or not ssid:
                    return 400, {"error": 'body must be {"session": {"session_id": ...}}'}
                STATE.sessions[ssid] = sess
                jwt = STATE.issue(ssid)
                return 200, {"status": "success", "jwt": jwt, "session_url": SESSION_URL.format(ssid)}

            if path == "/v2/reauthorize_jwt":
                ssid = body.get("session_id") if isinstance(body, dict) else None
                if not isinstance(ssid, str) or not ssid:
                    return 400, {"error": 'body must be {"session_id": ...}'}
                return 200, {"status": "success", "jwt": STATE.issue(ssid)}

            if path == "/v2/create_events":
                events = body.get("events") if isinstance(body, dict) else None
                if not isinstance(events, list):
                    return 400, {"error": 'body must be {"events": [...]}'}
                limit = (STATE.rules.get(path) or {}).get("max_events_per_request")
                if limit is not None and len(events) > limit:
                    return 413, {"error": "too many events", "max_events_per_request": limit}
                STATE.accept(sid, events)
                return 200, {"status": "success"}

            if path == "/v2/update_session":
                sess = body.get("session") if isinstance(body, dict) else None
                if not isinstance(sess, dict):
                    return 400, {"error": 'body must be {"session": {...}}'}
                STATE.sessions[sid] = sess
                return 200, {"status": "success", "token_cost": TOKEN_COST}

            if path == "/v2/create_agent":
                if not (isinstance(body, dict) and "id" in body and "name" in body):
                    return 400, {"error": 'body must be {"id": ..., "name": ...}'}
                return 200, {"status": "success"}
        return 404, {"error": "not found"}  # unreachable

    @staticmethod
    def _accept_spans(body):
        """Spans as events of the session their traceId names (a session UUID's hex)."""
        resource_spans = body.get("resourceSpans") if isinstance(body, dict) else None
        if not isinstance(resource_spans, list):
            return 400, {"code": 3, "message": 'body must be {"resourceSpans": [...]}'}
        by_session: dict[str, list] = {}
        for rs in resource_spans:
            for ss in (rs or {}).get("scopeSpans") or []:
                for span in (ss or {}).get("spans") or []:
                    try:
                        sid = str(uuid.UUID(hex=span["traceId"]))
                    except (KeyError, TypeError, ValueError):
                        return 400, {"code": 3, "message": "span without a valid traceId"}
                    by_session.setdefault(sid, []).append(span)
        with STATE.lock:
            for sid, spans in by_session.items():
                STATE.accept(sid, spans, id_key="spanId")
        return 200, {"partialSuccess": {}}

    # -- control API ---------------------------------------------------------------
    def _control(self, u) -> None:
        raw = self._read_body()
        if raw is None:
            self._send(413, {"error": "request body too large"})
            return
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            self._send(400, {"error": "control body must be JSON"})
            return
        path, m = u.path, self.command
        q = parse_qs(u.query)
        try:
            if path == "/_mock/health" and m == "GET":
                return self._send(200, {"ok": True})
            if path == "/_mock/requests" and m == "GET":
                want = q.get("path", [None])[0]
                since = int(q.get("since", ["0"])[0])
                with STATE.lock:
                    reqs = [dict(e) for e in STATE.log if (want is None or e["path"] == want) and e["seq"] > since]
                    dropped = STATE.dropped
                return self._send(200, {"requests": reqs, "dropped": dropped})
            if path == "/_mock/events" and m == "GET":
                with STATE.lock:
                    by_session = {k: list(v) for k, v in STATE.by_session.items()}
                    out = {
                        "accepted": STATE.accepted,
                        "unique_ids": len(STATE.id_counts),
                        "duplicates": [k for k, c in STATE.id_counts.items() if c > 1],
                        "by_session": by_session,
                        "ids_overflow": STATE.ids_overflow,
                        "stored": STATE.stored_events,
                    }
                return self._send(200, out)
            if path == "/_mock/sessions" and m == "GET":
                with STATE.lock:
                    out = dict(STATE.sessions)
                return self._send(200, out)
            if path == "/_mock/script" and m == "GET":
                with STATE.lock:
                    out = {k: list(v) for k, v in STATE.scripts.items()}
                return self._send(200, out)
            if path == "/_mock/script" and m == "POST":
                route, faults = body.get("route"), body.get("faults")
                if route not in ROUTES:
                    return self._send(400, {"error": "unknown route %r" % (route,)})
                if not isinstance(faults, list):
                    return self._send(400, {"error": "faults must be a list"})
                for f in faults:
                    err = _validate_fault(f)
                    if err:
                        return self._send(400, {"error": err})
                with STATE.lock:
                    s = STATE.scripts.setdefault(route, collections.deque())
                    s.extend(faults)
                    n = len(s)
                return self._send(200, {"ok": True, "pending": n})
            if path == "/_mock/rules" and m == "POST":
                route = body.get("route")
                if route not in ROUTES:
                    return self._send(400, {"error": "unknown route %r" % (route,)})
                upd = {}
                if "max_events_per_request" in body:
                    n = body["max_events_per_request"]
                    if n is not None and not (isinstance(n, int) and n >= 0):
                        return self._send(400, {"error": "max_events_per_request must be int >= 0 or null"})
                    if n is not None and route != "/v2/create_events":
                        return self._send(400, {"error": "max_events_per_request applies to /v2/create_events only"})
                    upd["max_events_per_request"] = n
                if "down" in body:
                    upd["down"] = bool(body["down"])
                unknown = set(body) - {"route", "max_events_per_request", "down"}
                if unknown:
                    return self._send(400, {"error": "unknown rule keys %s" % sorted(unknown)})
                with STATE.lock:
                    r = STATE.rules.setdefault(route, {})
                    r.update(upd)
                    out = dict(r)
                return self._send(200, {"ok": True, "rules": out})
            if path == "/_mock/expire_jwt" and m == "POST":
                sid = body.get("session_id")
                n = 0
                with STATE.lock:
                    for tok in STATE.tokens.values():
                        if tok["session_id"] == sid and tok["valid"]:
                            tok["valid"] = False
                            n += 1
                return self._send(200, {"ok": True, "expired": n})
            if path == "/_mock/reset" and m == "POST":
                with STATE.lock:
                    STATE.clear()
                return self._send(200, {"ok": True})
            if path == "/_mock/shutdown" and m == "POST":
                self.close_connection = True
                self._send(200, {"ok": True})
                request_stop(self.server)
                return
            return self._send(404, {"error": "unknown control endpoint %s %s" % (m, path)})
        except (ValueError, TypeError, AttributeError) as e:
            return self._send(400, {"error": repr(e)[:300]})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)) or STOP.is_set():
            return  # peers going away is normal in fault tests
        super().handle_error(request, client_address)


_stop_lock = threading.Lock()


def request_stop(srv: Server) -> None:
    """Stop serve_forever from any thread (including signal handlers)."""
    with _stop_lock:
        if STOP.is_set():
            return
        STOP.set()
    threading.Thread(target=srv.shutdown, daemon=True).start()


def serve(port: int, max_seconds: float, parent_pid: int | None) -> None:
    srv = Server(("127.0.0.1", port), Handler)
    # Before the port is announced: a client that stops the server as soon as it knows the
    # port must not meet the default action of SIGTERM.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: request_stop(srv))
    print(f"PORT {srv.server_address[1]}", flush=True)

    deadline = time.monotonic() + max_seconds
    orig_ppid = os.getppid()

    def watchdog():
        while not STOP.wait(0.5):
            if time.monotonic() > deadline:
                break
            if parent_pid:
                try:
                    os.kill(parent_pid, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    pass
                # parent exited but is a zombie: we have been re-parented
                if parent_pid == orig_ppid and os.getppid() != orig_ppid:
                    break
        request_stop(srv)

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        STOP.set()
        srv.server_close()


def main() -> int:
    global TOKEN_COST
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    ap.add_argument("--max-seconds", type=float, default=600.0, help="hard lifetime limit")
    ap.add_argument("--parent-pid", type=int, default=None, help="exit when this pid is gone")
    ap.add_argument("--token-cost", type=float, default=5, help="token_cost in update_session replies")
    a = ap.parse_args()
    TOKEN_COST = int(a.token_cost) if float(a.token_cost).is_integer() else a.token_cost
    serve(a.port, a.max_seconds, a.parent_pid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
