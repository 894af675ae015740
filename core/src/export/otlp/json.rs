//! Spans as OTLP/JSON, written straight into the request body: hex ids, 64-bit integers as
//! decimal strings, enums as integers, `AnyValue` typed as the protobuf JSON mapping says
//! (doubles as numbers or `"NaN"`/`"Infinity"`, arrays as `arrayValue.values`).

use std::io::Write;

use uuid::Uuid;

use super::encoder::{Head, SpanEncoder, Value, nanos, span_bits};
use crate::event::time::Timestamp;

pub struct JsonSpan<'a> {
    out: &'a mut Vec<u8>,
    /// `Some(no attribute yet)` while the attribute list is open.
    attributes_open: Option<bool>,
    /// Scratch for payloads, which travel as JSON text inside a string value.
    scratch: Vec<u8>,
}

impl<'a> JsonSpan<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        JsonSpan {
            out,
            attributes_open: None,
            scratch: Vec::new(),
        }
    }

    fn close_attributes(&mut self) {
        if self.attributes_open.take().is_some() {
            self.out.push(b']');
        }
    }
}

impl SpanEncoder for JsonSpan<'_> {
    fn begin(&mut self, head: &Head<'_>) {
        let out = &mut *self.out;
        out.push(b'{');
        write_ids(out, head.trace, head.span);
        if let Some(parent) = head.parent {
            out.extend_from_slice(b",\"parentSpanId\":\"");
            write_span_bits(out, parent);
            out.push(b'"');
        }
        out.extend_from_slice(b",\"name\":");
        write_str(out, head.name);
        let (start, end) = (nanos(head.start), nanos(head.end).max(nanos(head.start)));
        // Writing into a Vec cannot fail.
        let _ = write!(
            out,
            ",\"kind\":{},\"startTimeUnixNano\":\"{start}\",\"endTimeUnixNano\":\"{end}\",\"attributes\":[",
            head.kind
        );
        self.attributes_open = Some(true);
    }

    fn attribute(&mut self, key: &str, value: Value<'_>) {
        if let Some(first) = self.attributes_open.as_mut() {
            if !std::mem::take(first) {
                self.out.push(b',');
            }
        }
        write_key_value(self.out, &mut self.scratch, key, value);
    }

    fn exception(&mut self, at: Timestamp, attributes: &[(&str, Option<&str>)]) {
        self.close_attributes();
        let _ = write!(
            self.out,
            ",\"events\":[{{\"timeUnixNano\":\"{}\",\"name\":\"exception\",",
            nanos(at)
        );
        write_string_attributes(self.out, attributes.iter().copied());
        self.out.extend_from_slice(b"}]");
    }

    fn link(&mut self, trace: &Uuid, span: &Uuid) {
        self.close_attributes();
        self.out.extend_from_slice(b",\"links\":[{");
        write_ids(self.out, trace, span);
        self.out.extend_from_slice(b"}]");
    }

    fn status(&mut self, code: i32, message: Option<&str>) {
        self.close_attributes();
        let _ = write!(self.out, ",\"status\":{{\"code\":{code}");
        if let Some(message) = message {
            self.out.extend_from_slice(b",\"message\":");
            write_str(self.out, message);
        }
        self.out.push(b'}');
    }

    fn end(&mut self) {
        self.close_attributes();
        self.out.push(b'}');
    }
}

/// `"attributes":[...]` of string values (`None` values left out).
pub fn write_string_attributes<'s>(
    out: &mut Vec<u8>,
    attributes: impl IntoIterator<Item = (&'s str, Option<&'s str>)>,
) {
    out.extend_from_slice(b"\"attributes\":[");
    let mut first = true;
    for (key, value) in attributes {
        let Some(value) = value else { continue };
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        write_key_value(out, &mut Vec::new(), key, Value::Str(value));
    }
    out.push(b']');
}

/// `{"key":<key>,"value":<AnyValue>}`.
fn write_key_value(out: &mut Vec<u8>, scratch: &mut Vec<u8>, key: &str, value: Value<'_>) {
    out.extend_from_slice(b"{\"key\":");
    write_str(out, key);
    out.extend_from_slice(b",\"value\":");
    match value {
        Value::Str(text) => write_string_value(out, text),
        Value::Json(payload) => {
            scratch.clear();
            payload.write_to(scratch);
            // A payload is written as valid JSON, hence valid UTF-8.
            write_string_value(out, std::str::from_utf8(scratch).unwrap_or_default());
        }
        Value::Int(n) => {
            let _ = write!(out, "{{\"intValue\":\"{n}\"}}");
        }
        Value::Double(x) => {
            let text = match x {
                x if x.is_nan() => "\"NaN\"".to_owned(),
                x if x == f64::INFINITY => "\"Infinity\"".to_owned(),
                x if x == f64::NEG_INFINITY => "\"-Infinity\"".to_owned(),
                x => serde_json::to_string(&x).unwrap_or_else(|_| "0".to_owned()),
            };
            let _ = write!(out, "{{\"doubleValue\":{text}}}");
        }
        Value::Strs(values) => {
            out.extend_from_slice(b"{\"arrayValue\":{\"values\":[");
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string_value(out, value);
            }
            out.extend_from_slice(b"]}}");
        }
    }
    out.push(b'}');
}

fn write_string_value(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(b"{\"stringValue\":");
    write_str(out, text);
    out.push(b'}');
}

/// Appends `"traceId":"<hex>","spanId":"<hex>"` without allocating (once per span).
fn write_ids(out: &mut Vec<u8>, trace: &Uuid, span: &Uuid) {
    let mut hex = Uuid::encode_buffer();
    out.extend_from_slice(b"\"traceId\":\"");
    out.extend_from_slice(trace.simple().encode_lower(&mut hex).as_bytes());
    out.extend_from_slice(b"\",\"spanId\":\"");
    write_span_bits(out, span);
    out.push(b'"');
}

fn write_span_bits(out: &mut Vec<u8>, id: &Uuid) {
    let _ = write!(out, "{:016x}", span_bits(id));
}

/// A JSON string literal (escaped by serde_json).
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    // Writing a str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::json::Json;

    #[test]
    fn values_are_typed_as_the_otlp_json_mapping_says() {
        let mut out = Vec::new();
        let payload = Json::from_text(r#"{"q":"a \"b\""}"#.to_owned()).unwrap();
        let tags = ["t1".to_owned(), "t2".to_owned()];
        let values = [
            ("s", Value::Str("x\"y")),
            ("i", Value::Int(i64::MAX)),
            ("d", Value::Double(0.5)),
            ("nan", Value::Double(f64::NAN)),
            ("tags", Value::Strs(&tags)),
            ("p", Value::Json(&payload)),
        ];
        out.push(b'[');
        for (i, (key, value)) in values.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_key_value(&mut out, &mut Vec::new(), key, value);
        }
        out.push(b']');
        let value: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
        assert_eq!(
            value,
            serde_json::json!([
                {"key": "s", "value": {"stringValue": "x\"y"}},
                {"key": "i", "value": {"intValue": "9223372036854775807"}},
                {"key": "d", "value": {"doubleValue": 0.5}},
                {"key": "nan", "value": {"doubleValue": "NaN"}},
                {"key": "tags", "value": {"arrayValue": {"values": [
                    {"stringValue": "t1"}, {"stringValue": "t2"}]}}},
                {"key": "p", "value": {"stringValue": "{\"q\":\"a \\\"b\\\"\"}"}},
            ])
        );
    }
}
