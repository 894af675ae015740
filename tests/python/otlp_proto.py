"""OTLP/JSON bodies checked by the official protobuf definitions (the `opentelemetry-proto`
package): `json_format.Parse` into `ExportTraceServiceRequest` rejects any field, type or
enum the protos do not define. OTLP/JSON differs from the proto3 JSON mapping in one way —
trace and span ids are hex, not base64 — so ids are converted first, as the spec says."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any, Dict, List

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

ID_FIELDS = ("traceId", "spanId", "parentSpanId")
ID_LENGTHS = {"traceId": 16, "spanId": 8, "parentSpanId": 8}


def _hex_ids_to_base64(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ID_FIELDS and isinstance(value, str):
                raw = bytes.fromhex(value)  # ValueError for anything but hex
                assert len(raw) == ID_LENGTHS[key], f"{key} {value!r} has {len(raw)} bytes"
                node[key] = base64.b64encode(raw).decode()
            else:
                _hex_ids_to_base64(value)
    elif isinstance(node, list):
        for item in node:
            _hex_ids_to_base64(item)


def parse(body: Dict[str, Any]) -> ExportTraceServiceRequest:
    """The request as the official protos read it (raises on anything they reject)."""
    converted = copy.deepcopy(body)
    _hex_ids_to_base64(converted)
    return json_format.Parse(json.dumps(converted), ExportTraceServiceRequest())


def spans(request: ExportTraceServiceRequest) -> List[Span]:
    return [span for rs in request.resource_spans for ss in rs.scope_spans for span in ss.spans]


def attributes(kvs: Any) -> Dict[str, Any]:
    """`KeyValue`s as a dict of Python values (arrays as lists)."""

    def value(v: Any) -> Any:
        kind = v.WhichOneof("value")
        if kind == "array_value":
            return [value(item) for item in v.array_value.values]
        return getattr(v, kind) if kind else None

    return {kv.key: value(kv.value) for kv in kvs}
