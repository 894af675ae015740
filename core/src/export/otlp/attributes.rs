//! OTLP/JSON `KeyValue` lists written straight into a request body: `AnyValue` typed as
//! the protobuf JSON mapping says (64-bit integers as decimal strings, doubles as numbers
//! or `"NaN"`/`"Infinity"`, arrays as `arrayValue.values`). A `None` value is left out.

use uuid::Uuid;

use crate::event::json::Json;

pub struct Attributes<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
    /// Scratch for payloads, which travel as JSON text inside a string value.
    scratch: Vec<u8>,
}

impl<'a> Attributes<'a> {
    /// Writes `"attributes":[`; [`Attributes::end`] closes it.
    pub fn open(out: &'a mut Vec<u8>) -> Self {
        out.extend_from_slice(b"\"attributes\":[");
        Attributes {
            out,
            empty: true,
            scratch: Vec::new(),
        }
    }

    /// `{"key":<key>,"value":` — the caller writes the value and the closing `}`.
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        self.out.extend_from_slice(b"{\"key\":");
        write_str(self.out, key);
        self.out.extend_from_slice(b",\"value\":");
        self.out
    }

    pub fn str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            let out = self.key(key);
            out.extend_from_slice(b"{\"stringValue\":");
            write_str(out, value);
            out.extend_from_slice(b"}}");
        }
        self
    }

    /// A payload, as its JSON text in a string value.
    pub fn json(&mut self, key: &str, value: Option<&Json>) -> &mut Self {
        if let Some(value) = value {
            let mut text = std::mem::take(&mut self.scratch);
            text.clear();
            value.write_to(&mut text);
            // A payload is valid JSON, hence valid UTF-8.
            self.str(key, std::str::from_utf8(&text).ok());
            self.scratch = text;
        }
        self
    }

    pub fn id(&mut self, key: &str, value: Option<&Uuid>) -> &mut Self {
        if let Some(id) = value {
            let mut buf = Uuid::encode_buffer();
            self.str(key, Some(id.hyphenated().encode_lower(&mut buf)));
        }
        self
    }

    /// An `int64`: larger counts are clamped to its maximum.
    pub fn int(&mut self, key: &str, value: Option<u64>) -> &mut Self {
        if let Some(n) = value {
            let n = n.min(i64::MAX as u64);
            let out = self.key(key);
            out.extend_from_slice(format!("{{\"intValue\":\"{n}\"}}}}").as_bytes());
        }
        self
    }

    pub fn double(&mut self, key: &str, value: Option<f64>) -> &mut Self {
        if let Some(x) = value {
            let text = match x {
                x if x.is_nan() => "\"NaN\"".to_owned(),
                x if x == f64::INFINITY => "\"Infinity\"".to_owned(),
                x if x == f64::NEG_INFINITY => "\"-Infinity\"".to_owned(),
                x => serde_json::to_string(&x).unwrap_or_else(|_| "0".to_owned()),
            };
            let out = self.key(key);
            out.extend_from_slice(format!("{{\"doubleValue\":{text}}}}}").as_bytes());
        }
        self
    }

    /// A string array (`arrayValue`); an empty list is left out.
    pub fn strs(&mut self, key: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            let out = self.key(key);
            out.extend_from_slice(b"{\"arrayValue\":{\"values\":[");
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"stringValue\":");
                write_str(out, value);
                out.push(b'}');
            }
            out.extend_from_slice(b"]}}}");
        }
        self
    }

    pub fn end(self) {
        self.out.push(b']');
    }
}

/// A JSON string literal (escaped by serde_json).
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    // Writing a str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_typed_as_the_otlp_json_mapping_says() {
        let mut out = Vec::new();
        let payload = Json::from_text(r#"{"q":"a \"b\""}"#.to_owned()).unwrap();
        let mut a = Attributes::open(&mut out);
        a.str("s", Some("x\"y"))
            .str("absent", None)
            .int("i", Some(u64::MAX))
            .double("d", Some(0.5))
            .double("nan", Some(f64::NAN))
            .strs("tags", &["t1".into(), "t2".into()])
            .strs("none", &[])
            .json("p", Some(&payload));
        a.end();
        let text = String::from_utf8(out).unwrap();
        let value: serde_json::Value =
            serde_json::from_str(&format!("{{{text}}}")).expect("valid JSON");
        assert_eq!(
            value["attributes"],
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
