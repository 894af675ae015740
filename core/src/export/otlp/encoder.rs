//! What the span mapping ([`super::span`]) writes, whatever the body's encoding (OTLP/JSON
//! in [`super::json`], protobuf in [`super::protobuf`]). A span is written in one order:
//! `begin`, its attributes, then at most one exception event, link and status, then `end`.

use uuid::Uuid;

use crate::event::json::Json;
use crate::event::time::Timestamp;

/// `SpanKind` and `StatusCode` of the OTLP protos.
pub const KIND_INTERNAL: i32 = 1;
pub const KIND_CLIENT: i32 = 3;
pub const STATUS_UNSET: i32 = 0;
pub const STATUS_OK: i32 = 1;
pub const STATUS_ERROR: i32 = 2;

/// The fixed part of a span: ids, name, kind and times.
pub struct Head<'a> {
    pub trace: &'a Uuid,
    pub span: &'a Uuid,
    pub parent: Option<&'a Uuid>,
    pub name: &'a str,
    pub kind: i32,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// An attribute's value, typed as `AnyValue`.
pub enum Value<'a> {
    Str(&'a str),
    /// A payload: its JSON text travels as a string value.
    Json(&'a Json),
    Int(i64),
    Double(f64),
    /// An array of strings (never empty).
    Strs(&'a [String]),
}

pub trait SpanEncoder {
    fn begin(&mut self, head: &Head<'_>);
    fn attribute(&mut self, key: &str, value: Value<'_>);
    /// The `exception` span event, with its attributes.
    fn exception(&mut self, at: Timestamp, attributes: &[(&str, Option<&str>)]);
    fn link(&mut self, trace: &Uuid, span: &Uuid);
    fn status(&mut self, code: i32, message: Option<&str>);
    fn end(&mut self);
}

/// A span id from a UUID: its two halves XOR-ed (distinct for ids that differ in either
/// half only, as generated ids do), never the invalid all-zero id.
pub fn span_bits(id: &Uuid) -> u64 {
    let (hi, lo) = id.as_u64_pair();
    match hi ^ lo {
        0 => hi | 1,
        n => n,
    }
}

/// Nanoseconds since the epoch (`fixed64`: times before 1970 become 0).
pub fn nanos(ts: Timestamp) -> u64 {
    (ts.as_micros().max(0) as u64).saturating_mul(1000)
}

/// Writes attributes into an encoder, leaving out absent values.
pub struct Attributes<'e>(pub &'e mut dyn SpanEncoder);

impl Attributes<'_> {
    pub fn str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.0.attribute(key, Value::Str(value));
        }
        self
    }

    pub fn json(&mut self, key: &str, value: Option<&Json>) -> &mut Self {
        if let Some(value) = value {
            self.0.attribute(key, Value::Json(value));
        }
        self
    }

    pub fn id(&mut self, key: &str, value: Option<&Uuid>) -> &mut Self {
        if let Some(id) = value {
            let mut buf = Uuid::encode_buffer();
            self.0
                .attribute(key, Value::Str(id.hyphenated().encode_lower(&mut buf)));
        }
        self
    }

    /// An `int64`: larger counts are clamped to its maximum.
    pub fn int(&mut self, key: &str, value: Option<u64>) -> &mut Self {
        if let Some(n) = value {
            self.0
                .attribute(key, Value::Int(n.min(i64::MAX as u64) as i64));
        }
        self
    }

    pub fn double(&mut self, key: &str, value: Option<f64>) -> &mut Self {
        if let Some(x) = value {
            self.0.attribute(key, Value::Double(x));
        }
        self
    }

    /// An empty list is left out.
    pub fn strs(&mut self, key: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            self.0.attribute(key, Value::Strs(values));
        }
        self
    }
}
