//! Spans as OTLP protobuf (`otlp_protocol = "http/protobuf"`), encoded by prost. The
//! messages below are the part of `opentelemetry/proto/{common,resource,trace}/v1` and
//! `collector/trace/v1` this exporter writes and reads, with the protos' own field numbers
//! (the tests decode our bodies with the official definitions). They are declared here
//! rather than taken from the `opentelemetry-proto` crate, which depends on the whole
//! OpenTelemetry SDK.
//!
//! A batch is the spans' encodings one after another, each a `ScopeSpans.spans` field
//! (see [`encode_span`]); [`body`] wraps them in the request once the batch is complete.

use prost::Message;
use prost::encoding::{WireType, encode_key, encode_varint, encoded_len_varint, key_len};
use uuid::Uuid;

use super::encoder::{Head, SpanEncoder, Value, nanos, span_bits};
use crate::event::time::Timestamp;

/// `ScopeSpans.spans`, `ResourceSpans.scope_spans`, `ExportTraceServiceRequest.resource_spans`.
const SPANS_FIELD: u32 = 2;
const SCOPE_SPANS_FIELD: u32 = 2;
const RESOURCE_SPANS_FIELD: u32 = 1;
/// `ResourceSpans.resource` and `ScopeSpans.scope`.
const RESOURCE_FIELD: u32 = 1;
const SCOPE_FIELD: u32 = 1;

#[derive(Clone, PartialEq, Message)]
pub struct AnyValue {
    #[prost(oneof = "any_value::Value", tags = "1, 3, 4, 5")]
    pub value: Option<any_value::Value>,
}

pub mod any_value {
    #[allow(clippy::enum_variant_names)] // the proto's own names
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Value {
        #[prost(string, tag = "1")]
        StringValue(String),
        #[prost(int64, tag = "3")]
        IntValue(i64),
        #[prost(double, tag = "4")]
        DoubleValue(f64),
        #[prost(message, tag = "5")]
        ArrayValue(super::ArrayValue),
    }
}

#[derive(Clone, PartialEq, Message)]
pub struct ArrayValue {
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<AnyValue>,
}

#[derive(Clone, PartialEq, Message)]
pub struct KeyValue {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(message, optional, tag = "2")]
    pub value: Option<AnyValue>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Resource {
    #[prost(message, repeated, tag = "1")]
    pub attributes: Vec<KeyValue>,
}

#[derive(Clone, PartialEq, Message)]
pub struct InstrumentationScope {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub version: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct Span {
    #[prost(bytes = "vec", tag = "1")]
    pub trace_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub span_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "4")]
    pub parent_span_id: Vec<u8>,
    #[prost(string, tag = "5")]
    pub name: String,
    #[prost(int32, tag = "6")]
    pub kind: i32,
    #[prost(fixed64, tag = "7")]
    pub start_time_unix_nano: u64,
    #[prost(fixed64, tag = "8")]
    pub end_time_unix_nano: u64,
    #[prost(message, repeated, tag = "9")]
    pub attributes: Vec<KeyValue>,
    #[prost(message, repeated, tag = "11")]
    pub events: Vec<SpanEvent>,
    #[prost(message, repeated, tag = "13")]
    pub links: Vec<Link>,
    #[prost(message, optional, tag = "15")]
    pub status: Option<Status>,
}

/// `Span.Event`.
#[derive(Clone, PartialEq, Message)]
pub struct SpanEvent {
    #[prost(fixed64, tag = "1")]
    pub time_unix_nano: u64,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(message, repeated, tag = "3")]
    pub attributes: Vec<KeyValue>,
}

/// `Span.Link`.
#[derive(Clone, PartialEq, Message)]
pub struct Link {
    #[prost(bytes = "vec", tag = "1")]
    pub trace_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub span_id: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Status {
    #[prost(string, tag = "2")]
    pub message: String,
    #[prost(int32, tag = "3")]
    pub code: i32,
}

#[derive(Clone, PartialEq, Message)]
pub struct ExportTraceServiceResponse {
    #[prost(message, optional, tag = "1")]
    pub partial_success: Option<ExportTracePartialSuccess>,
}

#[derive(Clone, PartialEq, Message)]
pub struct ExportTracePartialSuccess {
    #[prost(int64, tag = "1")]
    pub rejected_spans: i64,
    #[prost(string, tag = "2")]
    pub error_message: String,
}

/// Builds one span, then appends it to `out` as a `ScopeSpans.spans` field.
pub struct ProtoSpan<'a> {
    out: &'a mut Vec<u8>,
    span: Span,
}

impl<'a> ProtoSpan<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        ProtoSpan {
            out,
            span: Span::default(),
        }
    }
}

fn trace_bytes(id: &Uuid) -> Vec<u8> {
    id.as_bytes().to_vec()
}

fn span_bytes(id: &Uuid) -> Vec<u8> {
    span_bits(id).to_be_bytes().to_vec()
}

fn string_value(text: &str) -> AnyValue {
    AnyValue {
        value: Some(any_value::Value::StringValue(text.to_owned())),
    }
}

fn key_value(key: &str, value: AnyValue) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(value),
    }
}

/// String attributes (`None` values left out).
pub fn string_attributes<'s>(
    attributes: impl IntoIterator<Item = (&'s str, Option<&'s str>)>,
) -> Vec<KeyValue> {
    attributes
        .into_iter()
        .filter_map(|(key, value)| Some(key_value(key, string_value(value?))))
        .collect()
}

impl SpanEncoder for ProtoSpan<'_> {
    fn begin(&mut self, head: &Head<'_>) {
        let span = &mut self.span;
        span.trace_id = trace_bytes(head.trace);
        span.span_id = span_bytes(head.span);
        span.parent_span_id = head.parent.map(span_bytes).unwrap_or_default();
        span.name = head.name.to_owned();
        span.kind = head.kind;
        span.start_time_unix_nano = nanos(head.start);
        span.end_time_unix_nano = nanos(head.end).max(nanos(head.start));
    }

    fn attribute(&mut self, key: &str, value: Value<'_>) {
        use any_value::Value as V;
        let value = match value {
            Value::Str(text) => V::StringValue(text.to_owned()),
            Value::Json(payload) => {
                let mut text = Vec::new();
                payload.write_to(&mut text);
                // A payload is written as valid JSON, hence valid UTF-8.
                V::StringValue(String::from_utf8(text).unwrap_or_default())
            }
            Value::Int(n) => V::IntValue(n),
            Value::Double(x) => V::DoubleValue(x),
            Value::Strs(values) => V::ArrayValue(ArrayValue {
                values: values.iter().map(|v| string_value(v)).collect(),
            }),
        };
        let value = AnyValue { value: Some(value) };
        self.span.attributes.push(key_value(key, value));
    }

    fn exception(&mut self, at: Timestamp, attributes: &[(&str, Option<&str>)]) {
        self.span.events.push(SpanEvent {
            time_unix_nano: nanos(at),
            name: "exception".to_owned(),
            attributes: string_attributes(attributes.iter().copied()),
        });
    }

    fn link(&mut self, trace: &Uuid, span: &Uuid) {
        self.span.links.push(Link {
            trace_id: trace_bytes(trace),
            span_id: span_bytes(span),
        });
    }

    fn status(&mut self, code: i32, message: Option<&str>) {
        self.span.status = Some(Status {
            message: message.unwrap_or_default().to_owned(),
            code,
        });
    }

    fn end(&mut self) {
        encode_span(&self.span, self.out);
    }
}

/// Appends `span` as a `ScopeSpans.spans` field.
fn encode_span(span: &Span, out: &mut Vec<u8>) {
    prost::encoding::message::encode(SPANS_FIELD, span, out);
}

/// What every request of this exporter shares: its resource and scope, already encoded as
/// the `ResourceSpans.resource` and `ScopeSpans.scope` fields.
pub struct ProtoEnvelope {
    resource: Vec<u8>,
    scope: Vec<u8>,
}

impl ProtoEnvelope {
    pub fn new(resource: Resource, scope: InstrumentationScope) -> Self {
        let mut envelope = ProtoEnvelope {
            resource: Vec::new(),
            scope: Vec::new(),
        };
        prost::encoding::message::encode(RESOURCE_FIELD, &resource, &mut envelope.resource);
        prost::encoding::message::encode(SCOPE_FIELD, &scope, &mut envelope.scope);
        envelope
    }

    /// The `ExportTraceServiceRequest` of a batch's encoded spans: one `ResourceSpans` with
    /// one `ScopeSpans`.
    pub fn body(&self, spans: &[u8]) -> Vec<u8> {
        let scope_spans = self.scope.len() + spans.len();
        let resource_spans =
            self.resource.len() + length_delimited_len(SCOPE_SPANS_FIELD, scope_spans);
        let mut out =
            Vec::with_capacity(length_delimited_len(RESOURCE_SPANS_FIELD, resource_spans));
        length_delimited_header(RESOURCE_SPANS_FIELD, resource_spans, &mut out);
        out.extend_from_slice(&self.resource);
        length_delimited_header(SCOPE_SPANS_FIELD, scope_spans, &mut out);
        out.extend_from_slice(&self.scope);
        out.extend_from_slice(spans);
        out
    }
}

fn length_delimited_header(field: u32, len: usize, out: &mut Vec<u8>) {
    encode_key(field, WireType::LengthDelimited, out);
    encode_varint(len as u64, out);
}

fn length_delimited_len(field: u32, len: usize) -> usize {
    key_len(field) + encoded_len_varint(len as u64) + len
}

/// The spans a 2xx protobuf answer says it rejected, and why; an empty or unreadable answer
/// rejected none.
pub fn partial_success(body: &[u8]) -> (i64, String) {
    ExportTraceServiceResponse::decode(body)
        .ok()
        .and_then(|answer| answer.partial_success)
        .map_or((0, String::new()), |p| (p.rejected_spans, p.error_message))
}
