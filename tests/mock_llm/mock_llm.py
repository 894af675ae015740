#!/usr/bin/env python3
"""Mock LLM API for the instrumentation tests (stdlib only): the OpenAI Chat Completions
and the Anthropic Messages APIs, on 127.0.0.1.

Usage:
    python3 mock_llm.py [--port 0] [--max-seconds 600] [--parent-pid PID]

The first stdout line is "PORT <n>". Routes (POST, JSON):
  /v1/chat/completions   OpenAI (client base_url http://127.0.0.1:<port>/v1)
  /v1/messages           Anthropic (client base_url http://127.0.0.1:<port>)
Both answer JSON, or SSE when the body has "stream": true (OpenAI `data:` chunks, a usage
chunk when "stream_options": {"include_usage": true}, then `data: [DONE]`; Anthropic named
events message_start ... message_stop). The answer depends on the request's model:
  "tool-*"          the assistant calls the first of the request's tools (arguments split
                    across chunks when streaming)
  "fail-mid-stream" a streamed answer that breaks off with an error event after two chunks
  "http-<code>"     that HTTP status with the API's error body
  anything else     the text "Hello from <model>!" (split into three chunks when streaming),
                    as `{"answer": "Hello from <model>!"}` when a JSON schema response format is asked
Control (not logged): GET /_mock/requests -> {"requests": [{"path", "headers", "body"}]},
POST /_mock/reset.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
REQUESTS: list = []
USAGE = {"input": 11, "output": 7}


def text_of(body: dict) -> str:
    text = f"Hello from {body.get('model', '')}!"
    if (body.get("response_format") or {}).get("type") == "json_schema":
        return json.dumps({"answer": text})
    return text


def pieces(text: str) -> list:
    third = max(1, len(text) // 3)
    return [text[:third], text[third : 2 * third], text[2 * third :]]


def first_tool(body: dict, anthropic: bool) -> dict:
    tool = (body.get("tools") or [{}])[0]
    name = tool.get("name") if anthropic else (tool.get("function") or {}).get("name")
    return {"id": "call_1", "name": name or "lookup", "arguments": '{"city": "Paris", "days": 3}'}


# -- OpenAI ---------------------------------------------------------------------------------


def openai_completion(body: dict) -> dict:
    model = body.get("model", "")
    message: dict = {"role": "assistant", "content": text_of(body), "refusal": None}
    finish = "stop"
    if model.startswith("tool-"):
        call = first_tool(body, anthropic=False)
        message = {
            "role": "assistant",
            "content": None,
            "refusal": None,
            "tool_calls": [
                {
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["name"], "arguments": call["arguments"]},
                }
            ],
        }
        finish = "tool_calls"
    return {
        "id": "chatcmpl-mock",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model + "-2026",
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": USAGE["input"], "completion_tokens": USAGE["output"], "total_tokens": 18},
    }


def openai_chunks(body: dict) -> list:
    model = body.get("model", "")

    def chunk(delta: dict, finish=None, usage=None, choices=True) -> dict:
        out = {"id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 0, "model": model + "-2026"}
        out["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}] if choices else []
        if usage is not None:
            out["usage"] = usage
        return out

    chunks = [chunk({"role": "assistant", "content": ""})]
    if model.startswith("tool-"):
        call = first_tool(body, anthropic=False)
        args = call["arguments"]
        chunks.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": call["name"], "arguments": ""},
                        }
                    ]
                }
            )
        )
        for part in (args[:10], args[10:]):
            chunks.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": part}}]}))
        chunks.append(chunk({}, "tool_calls"))
    else:
        chunks += [chunk({"content": p}) for p in pieces(text_of(body))]
        chunks.append(chunk({}, "stop"))
    if (body.get("stream_options") or {}).get("include_usage"):
        usage = {"prompt_tokens": USAGE["input"], "completion_tokens": USAGE["output"], "total_tokens": 18}
        chunks.append(chunk({}, usage=usage, choices=False))
    return chunks


# -- Anthropic ------------------------------------------------------------------------------


def anthropic_content(body: dict) -> list:
    model = body.get("model", "")
    if model.startswith("tool-"):
        call = first_tool(body, anthropic=True)
        return [{"type": "tool_use", "id": call["id"], "name": call["name"], "input": json.loads(call["arguments"])}]
    return [{"type": "text", "text": text_of(body)}]


def anthropic_message(body: dict) -> dict:
    content = anthropic_content(body)
    return {
        "id": "msg_mock",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "") + "-2026",
        "content": content,
        "stop_reason": "tool_use" if content[0]["type"] == "tool_use" else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": USAGE["input"], "output_tokens": USAGE["output"]},
    }


def anthropic_events(body: dict) -> list:
    message = anthropic_message(body)
    start = dict(message, content=[], stop_reason=None, usage={"input_tokens": USAGE["input"], "output_tokens": 1})
    events = [("message_start", {"type": "message_start", "message": start})]
    block = message["content"][0]
    if block["type"] == "tool_use":
        events.append(
            ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": dict(block, input={})})
        )
        args = json.dumps(block["input"])
        for part in (args[:10], args[10:]):
            delta = {"type": "input_json_delta", "partial_json": part}
            events.append(("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}))
    else:
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            )
        )
        for p in pieces(block["text"]):
            delta = {"type": "text_delta", "text": p}
            events.append(("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}))
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": None}
    events.append(
        ("message_delta", {"type": "message_delta", "delta": delta, "usage": {"output_tokens": USAGE["output"]}})
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


# -- server ---------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK stall every answer by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _json(self, code: int, payload) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/_mock/requests"):
            with LOCK:
                return self._json(200, {"requests": list(REQUESTS)})
        self._json(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path == "/_mock/reset":
            with LOCK:
                REQUESTS.clear()
            return self._json(200, {"ok": True})
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self._json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
        anthropic = self.path.rstrip("/").endswith("/v1/messages")
        if not anthropic and not self.path.rstrip("/").endswith("/chat/completions"):
            return self._json(404, {"error": "not found", "path": self.path})
        with LOCK:
            REQUESTS.append(
                {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
            )
        model = str(body.get("model", ""))
        if model.startswith("http-"):
            code = int(model[5:])
            if anthropic:
                error = {"type": "error", "error": {"type": "api_error", "message": f"mock HTTP {code}"}}
            else:
                error = {"error": {"message": f"mock HTTP {code}", "type": "server_error", "code": None, "param": None}}
            return self._json(code, error)
        if not body.get("stream"):
            return self._json(200, anthropic_message(body) if anthropic else openai_completion(body))
        self._stream(body, anthropic)

    def _stream(self, body: dict, anthropic: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        failing = body.get("model") == "fail-mid-stream"
        if anthropic:
            events = anthropic_events(body)
            if failing:
                error = {"type": "error", "error": {"type": "overloaded_error", "message": "mock overloaded"}}
                events = events[:3] + [("error", error)]
            lines = [f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events]
        else:
            chunks = openai_chunks(body)
            if failing:
                chunks = chunks[:2] + [{"error": {"message": "mock overloaded", "type": "server_error"}}]
            lines = [f"data: {json.dumps(c)}\n\n" for c in chunks] + ([] if failing else ["data: [DONE]\n\n"])
        for line in lines:
            self.wfile.write(line.encode())
            self.wfile.flush()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--parent-pid", type=int, default=None)
    args = ap.parse_args()
    ThreadingHTTPServer.request_queue_size = 256  # bursts of concurrent clients
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("PORT", server.server_address[1], flush=True)

    def watchdog():
        deadline = time.monotonic() + args.max_seconds
        while time.monotonic() < deadline:
            if args.parent_pid is not None:
                try:
                    os.kill(args.parent_pid, 0)
                except OSError:
                    break
            time.sleep(0.5)
        server.shutdown()

    threading.Thread(target=watchdog, daemon=True).start()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
