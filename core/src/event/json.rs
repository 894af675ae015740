//! Event payloads (`params`, `returns`, prompts, logs): either a `serde_json::Value`, or
//! JSON text already encoded from any `Serialize` value.
//!
//! Buffered events wait in memory while the single uploader thread catches up, and a
//! `Value` map costs several small allocations (a 2-key object is ~400 bytes). Encoding a
//! `Serialize` value straight to text is cheaper than building that `Value` and leaves one
//! compact allocation, so bindings and hot Rust callers use [`Json::encode`]. Ids and
//! timestamps — half of an event's encoding cost — are still formatted on the worker.

use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// The strings that stand in for values JSON cannot carry, the same in every language.
pub mod placeholder {
    /// `"<<non-serializable: TypeName>>"`: a value of a type with no JSON form.
    pub fn non_serializable(type_name: &str) -> String {
        format!("<<non-serializable: {type_name}>>")
    }

    /// `"<<serialization-error: message>>"`: converting the value failed (e.g. its own
    /// `to_dict()` raised).
    pub fn serialization_error(message: impl std::fmt::Display) -> String {
        format!("<<serialization-error: {message}>>")
    }

    /// The format of [`non_serializable`], for documentation in the bindings.
    pub const NON_SERIALIZABLE_FORMAT: &str = "<<non-serializable: {type_name}>>";
    /// Nesting deeper than a binding's depth bound.
    pub const NESTED_TOO_DEEPLY: &str = "<<serialization-error: nested too deeply>>";
}

/// A payload: 16 bytes plus one allocation. The `Value` is boxed because it is 72 bytes
/// inline (an event holds several).
#[derive(Debug, Clone)]
pub struct Json(Repr);

#[derive(Debug, Clone)]
enum Repr {
    Value(Box<Value>),
    /// JSON text, valid by construction: written by serde_json, or checked by `from_text`.
    Text(Box<str>),
}

impl Json {
    /// Encodes any `Serialize` value now. A value serde cannot encode (a map with
    /// non-string keys, a failing `Serialize` impl) becomes a placeholder string rather
    /// than a lost event.
    pub fn encode<T: Serialize + ?Sized>(value: &T) -> Json {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        // Serialise into a reused buffer, then copy into one exact-size allocation:
        // `to_string` starts every value at 128 bytes and grows it, which costs
        // reallocations and fragments the heap under a burst.
        let encoded = SCRATCH.with(|scratch| {
            let mut buf = scratch.try_borrow_mut().ok()?;
            buf.clear();
            let text = serde_json::to_writer(&mut *buf, value).map(|()| text_of(&buf));
            if buf.capacity() > 64 * 1024 {
                *buf = Vec::new(); // do not keep a large payload's buffer alive
            }
            Some(text)
        });
        // `None`: re-entered from inside a Serialize impl; encode into a fresh buffer.
        let encoded = encoded.unwrap_or_else(|| serde_json::to_vec(value).map(|buf| text_of(&buf)));
        match encoded {
            Ok(text) => Json(Repr::Text(text)),
            Err(err) => Json::from(Value::String(placeholder::serialization_error(err))),
        }
    }

    /// Wraps JSON text produced elsewhere (a C caller's, a JS `JSON.stringify`), checking
    /// that it is one valid JSON value.
    pub fn from_text(text: String) -> Result<Json, serde_json::Error> {
        serde_json::from_str::<&RawValue>(&text)?;
        Ok(Json(Repr::Text(text.into_boxed_str())))
    }

    /// Appends the payload's JSON to `out` (verbatim for encoded text).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match &self.0 {
            Repr::Text(text) => out.extend_from_slice(text.as_bytes()),
            // Writing a `Value` into a Vec cannot fail.
            Repr::Value(v) => {
                let _ = serde_json::to_writer(out, &**v);
            }
        }
    }

    /// The payload as a `Value` (parses encoded text; for inspection, not the hot path).
    pub fn to_value(&self) -> Value {
        match &self.0 {
            Repr::Value(v) => (**v).clone(),
            Repr::Text(text) => serde_json::from_str(text).unwrap_or(Value::Null),
        }
    }

    /// A cheap estimate of the encoded size, for the buffer's byte bound.
    pub fn estimated_size(&self) -> usize {
        match &self.0 {
            Repr::Value(v) => value_size(v),
            Repr::Text(text) => text.len(),
        }
    }
}

/// serde_json writes UTF-8 only, so the check always passes; it is cheap and keeps this
/// free of `unsafe`.
fn text_of(buf: &[u8]) -> Box<str> {
    match std::str::from_utf8(buf) {
        Ok(text) => Box::from(text),
        Err(_) => String::from_utf8_lossy(buf).into(),
    }
}

impl PartialEq for Json {
    fn eq(&self, other: &Json) -> bool {
        self.to_value() == other.to_value()
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Json {
        Json(Repr::Value(Box::new(value)))
    }
}

/// Scalars are encoded at once: one small allocation instead of a boxed `Value` plus its
/// string.
macro_rules! json_from_scalar {
    ($($t:ty),*) => {$(
        impl From<$t> for Json {
            fn from(value: $t) -> Json {
                Json::encode(&value)
            }
        }
    )*};
}
json_from_scalar!(&str, String, bool, i32, i64, u32, u64, f64);

/// For serialising a payload inside other serde data (tests, logs); the exporters'
/// writers use [`Json::write_to`].
impl Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Value(v) => v.serialize(s),
            Repr::Text(text) => match serde_json::from_str::<&RawValue>(text) {
                Ok(raw) => raw.serialize(s),
                Err(_) => s.serialize_unit(),
            },
        }
    }
}

fn value_size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 12,
        Value::String(s) => s.len() + 2,
        Value::Array(items) => 2 + items.iter().map(|v| value_size(v) + 1).sum::<usize>(),
        Value::Object(map) => {
            2 + map
                .iter()
                .map(|(k, v)| k.len() + 4 + value_size(v))
                .sum::<usize>()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encoded_and_value_payloads_serialise_identically() {
        #[derive(Serialize)]
        struct Params<'a> {
            a: i32,
            b: &'a str,
        }
        let encoded = Json::encode(&Params { a: 1, b: "hello" });
        let value = Json::from(json!({"a": 1, "b": "hello"}));
        assert_eq!(
            serde_json::to_string(&encoded).unwrap(),
            r#"{"a":1,"b":"hello"}"#
        );
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#"{"a":1,"b":"hello"}"#
        );
        assert_eq!(encoded, value);
    }

    #[test]
    fn unencodable_values_become_a_placeholder_and_bad_text_is_refused() {
        let mut bad = std::collections::HashMap::new();
        bad.insert(vec![1u8], 1);
        let Value::String(s) = Json::encode(&bad).to_value() else {
            panic!("expected a placeholder")
        };
        assert!(s.starts_with("<<serialization-error:"));
        assert!(Json::from_text("{not json".into()).is_err());
        assert_eq!(
            Json::from_text("[1,2]".into()).unwrap().to_value(),
            json!([1, 2])
        );
    }
}
