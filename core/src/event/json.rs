//! Event payloads (`params`, `returns`, prompts, logs): either a `serde_json::Value`, or
//! JSON text already encoded (from any `Serialize` value, or by a binding's own writer).
//!
//! Buffered events wait in memory while the single uploader thread catches up, and a
//! `Value` map costs several small allocations (a 2-key object is ~400 bytes). Encoding a
//! `Serialize` value straight to text is cheaper than building that `Value` and leaves one
//! compact allocation, so hot Rust callers use [`Json::encode`], and a binding writes its
//! own language's values into a [`PayloadWriter`] ([`Json::write_bounded`]). Ids and
//! timestamps — half of an event's encoding cost — are still formatted on the worker.

mod payload_writer;

use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

pub use payload_writer::PayloadWriter;

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

    /// `"<<circular reference: TypeName>>"`: a container met again inside itself.
    pub fn circular(type_name: &str) -> String {
        format!("<<circular reference: {type_name}>>")
    }

    /// What stands for the values not converted once a conversion's work bound is reached.
    pub const TOO_MANY_VALUES: &str = "<<truncated: too many values to convert>>";

    /// Appended to a field that was cut: `"<<truncated: 20971520 of 73400320 bytes cut>>"`.
    pub fn truncated(cut: usize, total: usize) -> String {
        format!("<<truncated: {cut} of {total} bytes cut>>")
    }
}

/// A payload: 24 bytes, plus one allocation unless it is short text. The `Value` is boxed
/// because it is 72 bytes inline (an event holds several).
#[derive(Debug, Clone)]
pub struct Json(Repr);

#[derive(Debug, Clone)]
enum Repr {
    Value(Box<Value>),
    /// JSON text, valid by construction: written by serde_json, or checked by `from_text`.
    Text(Box<str>),
    /// The same, held inline when short (`"ok"`, `{"a":1,"b":"hello"}`).
    Short(ShortText),
    /// Text a caller gave as JSON, checked only where it is written (on the uploader's
    /// thread, see [`Json::unchecked`]).
    Unchecked(Box<str>),
}

/// Valid JSON text of at most [`ShortText::MAX`] bytes, inline: most action payloads are
/// this short, and each one stored inline spares an allocation on the caller's thread and
/// a free from the uploader's (a cross-thread free, which costs mimalloc more than the
/// allocation did).
#[derive(Clone, Copy)]
struct ShortText {
    len: u8,
    bytes: [u8; ShortText::MAX],
}

impl ShortText {
    /// Keeps `Repr` at 24 bytes (its tag and `len` take the other two).
    const MAX: usize = 22;

    fn new(text: &str) -> Option<ShortText> {
        let mut bytes = [0; ShortText::MAX];
        bytes
            .get_mut(..text.len())?
            .copy_from_slice(text.as_bytes());
        Some(ShortText {
            len: text.len() as u8,
            bytes,
        })
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    fn as_str(&self) -> &str {
        // Built from a `&str` only, so the check always passes.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl std::fmt::Debug for ShortText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl Repr {
    /// Valid JSON text, held inline when short (a long `String` keeps its allocation).
    fn text(text: impl AsRef<str> + Into<Box<str>>) -> Repr {
        match ShortText::new(text.as_ref()) {
            Some(short) => Repr::Short(short),
            None => Repr::Text(text.into()),
        }
    }

    /// The text of a payload known to be one valid JSON value.
    fn valid_text(&self) -> Option<&str> {
        match self {
            Repr::Text(text) => Some(text),
            Repr::Short(short) => Some(short.as_str()),
            Repr::Value(_) | Repr::Unchecked(_) => None,
        }
    }
}

impl Json {
    /// Encodes any `Serialize` value now. A value serde cannot encode (a map with
    /// non-string keys, a failing `Serialize` impl) becomes a placeholder string rather
    /// than a lost event.
    pub fn encode<T: Serialize + ?Sized>(value: &T) -> Json {
        Self::encode_bounded(value, usize::MAX).0
    }

    /// As [`Json::encode`], keeping at most `max_bytes` of the text in memory: a longer value
    /// becomes a string of its first bytes and the truncation marker (the serializer still
    /// runs to the end, to count what was cut). Returns the bytes cut, if any.
    pub fn encode_bounded<T: Serialize + ?Sized>(
        value: &T,
        max_bytes: usize,
    ) -> (Json, Option<usize>) {
        Self::write_bounded(max_bytes, |out| serde_json::to_writer(out, value))
    }

    /// As [`Json::encode_bounded`], for a binding that writes its values' JSON itself:
    /// `write` writes exactly one JSON value. If it fails, the payload is a placeholder
    /// string saying why.
    pub fn write_bounded<E: std::fmt::Display>(
        max_bytes: usize,
        write: impl FnOnce(&mut PayloadWriter<'_>) -> Result<(), E>,
    ) -> (Json, Option<usize>) {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        // Write into a reused buffer, then copy into one exact-size allocation: a new
        // buffer would start small and grow, which costs reallocations and fragments the
        // heap under a burst.
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut buf) => {
                let encoded = write_into(&mut buf, max_bytes, write);
                if buf.capacity() > 64 * 1024 {
                    *buf = Vec::new(); // do not keep a large payload's buffer alive
                }
                encoded
            }
            // Re-entered from inside `write`: write into a fresh buffer.
            Err(_) => write_into(&mut Vec::new(), max_bytes, write),
        })
    }

    /// Cuts the payload to about `max_bytes` of JSON: it becomes a string of its first bytes
    /// (a string payload: of its first characters) and the truncation marker. Returns the
    /// bytes cut, or `None` if it already fit.
    pub fn truncate(&mut self, max_bytes: usize) -> Option<usize> {
        let text: Box<str> = match &self.0 {
            Repr::Text(text) | Repr::Unchecked(text) if text.len() <= max_bytes => return None,
            Repr::Text(text) | Repr::Unchecked(text) => text.clone(),
            Repr::Short(short) if short.as_bytes().len() <= max_bytes => return None,
            Repr::Short(short) => short.as_str().into(),
            Repr::Value(v) => serde_json::to_string(&**v).ok()?.into_boxed_str(),
        };
        if text.len() <= max_bytes {
            return None;
        }
        let (cut_text, cut) = truncated_text(text.as_bytes(), text.len(), max_bytes);
        self.0 = Repr::Text(cut_text);
        Some(cut)
    }

    /// Wraps JSON text produced elsewhere (a C caller's, a JS `JSON.stringify`), checking
    /// that it is one valid JSON value.
    pub fn from_text(text: String) -> Result<Json, serde_json::Error> {
        serde_json::from_str::<&RawValue>(&text)?;
        Ok(Json(Repr::text(text)))
    }

    /// Wraps text a caller gave as JSON without checking it on the caller's thread (checking
    /// a small payload costs more than the rest of a C `record` call). Where the payload is
    /// written, text that is one valid JSON value goes out verbatim; any other text goes out
    /// as a JSON string holding it, so nothing the caller gave is lost.
    pub fn unchecked(text: String) -> Json {
        Json(Repr::Unchecked(text.into_boxed_str()))
    }

    /// Wraps text that is already known to be one valid JSON value (a decoder just read it).
    pub(crate) fn from_valid_text(text: &str) -> Json {
        Json(Repr::text(text))
    }

    /// Appends the payload's JSON to `out` (verbatim for encoded text).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match &self.0 {
            Repr::Text(text) => out.extend_from_slice(text.as_bytes()),
            Repr::Short(short) => out.extend_from_slice(short.as_bytes()),
            Repr::Unchecked(text) if is_one_value(text) => out.extend_from_slice(text.as_bytes()),
            // Writing into a Vec cannot fail.
            Repr::Unchecked(text) => {
                let _ = serde_json::to_writer(out, &**text);
            }
            Repr::Value(v) => {
                let _ = serde_json::to_writer(out, &**v);
            }
        }
    }

    /// The payload as a `Value` (parses encoded text; for inspection, not the hot path).
    pub fn to_value(&self) -> Value {
        match &self.0 {
            Repr::Value(v) => (**v).clone(),
            Repr::Unchecked(text) => {
                serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
            }
            valid => valid
                .valid_text()
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or(Value::Null),
        }
    }

    /// A cheap estimate of the encoded size, for the buffer's byte bound.
    pub fn estimated_size(&self) -> usize {
        match &self.0 {
            Repr::Value(v) => value_size(v),
            Repr::Text(text) | Repr::Unchecked(text) => text.len(),
            Repr::Short(short) => usize::from(short.len),
        }
    }
}

/// [`Json::write_bounded`] with `buf` as the scratch buffer.
fn write_into<E: std::fmt::Display>(
    buf: &mut Vec<u8>,
    max_bytes: usize,
    write: impl FnOnce(&mut PayloadWriter<'_>) -> Result<(), E>,
) -> (Json, Option<usize>) {
    buf.clear();
    let mut writer = PayloadWriter::new(buf, max_bytes);
    if let Err(err) = write(&mut writer) {
        let text = placeholder::serialization_error(err);
        return (Json::from(Value::String(text)), None);
    }
    let total = writer.total();
    if total <= max_bytes {
        return (Json(text_of(buf)), None);
    }
    let (text, cut) = truncated_text(buf, total, max_bytes);
    (Json(Repr::Text(text)), Some(cut))
}

/// The longest prefix of `bytes`, at most `max` long, that is whole UTF-8 characters.
fn prefix_str(bytes: &[u8], max: usize) -> &str {
    let bytes = &bytes[..max.min(bytes.len())];
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        // Cut inside a character: keep what is valid before it.
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
    }
}

/// A JSON string standing for a cut value of `total` bytes of JSON, whose first bytes are
/// `text`: the start of its text (for a string value, of its characters) followed by the
/// marker, about `max_bytes` long in all. Returns it with the bytes of the text cut.
fn truncated_text(text: &[u8], total: usize, max_bytes: usize) -> (Box<str>, usize) {
    let longest_marker = placeholder::truncated(total, total).len();
    let mut room = max_bytes.saturating_sub(longest_marker + 2);
    loop {
        let prefix = prefix_str(text, room);
        let cut = total - prefix.len();
        let start = match prefix.strip_prefix('"') {
            Some(rest) => decoded_string_start(rest),
            None => prefix.to_owned(),
        };
        let marked = format!("{start}{}", placeholder::truncated(cut, total));
        let json = serde_json::to_string(&marked).unwrap_or_default();
        // Escaping lengthens the text; keep less until it fits.
        if json.len() <= max_bytes || room == 0 {
            return (json.into_boxed_str(), cut);
        }
        room = room.saturating_sub(json.len() - max_bytes);
    }
}

/// The characters of a JSON string whose text was cut (`rest` follows its opening quote):
/// the longest start that still decodes (a cut may fall inside an escape sequence).
fn decoded_string_start(rest: &str) -> String {
    let mut end = rest.len();
    for _ in 0..8 {
        let candidate = format!("\"{}\"", &rest[..end]);
        if let Ok(decoded) = serde_json::from_str::<String>(&candidate) {
            return decoded;
        }
        end = rest[..end].char_indices().next_back().map_or(0, |(i, _)| i);
    }
    String::new()
}

/// serde_json writes UTF-8 only, so the check always passes; it is cheap and keeps this
/// free of `unsafe`.
fn text_of(buf: &[u8]) -> Repr {
    match std::str::from_utf8(buf) {
        Ok(text) => Repr::text(text),
        Err(_) => Repr::text(String::from_utf8_lossy(buf).into_owned()),
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
            Repr::Unchecked(text) => match serde_json::from_str::<&RawValue>(text) {
                Ok(raw) => raw.serialize(s),
                Err(_) => s.serialize_str(text),
            },
            valid => match valid.valid_text().map(serde_json::from_str::<&RawValue>) {
                Some(Ok(raw)) => raw.serialize(s),
                _ => s.serialize_unit(),
            },
        }
    }
}

/// Whether `text` is exactly one JSON value (surrounding whitespace allowed).
fn is_one_value(text: &str) -> bool {
    serde_json::from_str::<&RawValue>(text).is_ok()
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

    fn written(payload: &Json) -> String {
        let mut out = Vec::new();
        payload.write_to(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn unchecked_text_goes_out_verbatim_when_valid_and_as_a_string_when_not() {
        let valid = Json::unchecked(r#" {"a": [1, "x"]} "#.to_owned());
        assert_eq!(written(&valid), r#" {"a": [1, "x"]} "#);
        assert_eq!(valid.to_value(), json!({"a": [1, "x"]}));
        for bad in ["{not json", "1 2", "", "\"open"] {
            let payload = Json::unchecked(bad.to_owned());
            assert_eq!(
                written(&payload),
                serde_json::to_string(bad).unwrap(),
                "{bad:?}"
            );
            assert_eq!(payload.to_value(), json!(bad));
            assert_eq!(serde_json::to_value(&payload).unwrap(), json!(bad));
        }
    }

    #[test]
    fn unchecked_text_that_is_cut_stays_valid_json() {
        let mut payload = Json::unchecked(format!("{{bad {}", "x".repeat(500)));
        assert!(payload.truncate(100).is_some());
        let text = written(&payload);
        assert!(serde_json::from_str::<Value>(&text).is_ok(), "{text}");
    }

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
    fn short_and_long_text_payloads_behave_alike() {
        assert_eq!(std::mem::size_of::<Option<Json>>(), 24);
        let short = r#"{"a":1,"b":"hello"}"#;
        let long = format!(r#"{{"a":1,"b":"{}"}}"#, "é".repeat(40));
        for text in [short, &long, "\"\"", "\"ok\""] {
            for payload in [
                Json::encode(&serde_json::from_str::<Value>(text).unwrap()),
                Json::from_text(text.to_owned()).unwrap(),
                Json::from_valid_text(text),
            ] {
                assert_eq!(written(&payload), text);
                assert_eq!(payload.estimated_size(), text.len());
                assert_eq!(serde_json::to_string(&payload).unwrap(), text);
                assert_eq!(
                    payload.to_value(),
                    serde_json::from_str::<Value>(text).unwrap()
                );
                let mut cut = payload.clone();
                assert_eq!(cut.truncate(text.len()), None, "{text} fits");
                assert_eq!(cut.truncate(60).is_some(), text.len() > 60, "{text}");
                assert!(written(&cut).len() <= 60, "{}", written(&cut));
            }
        }
        assert!(matches!(Json::encode(&"ok").0, Repr::Short(_)));
        assert!(matches!(Json::encode(&long).0, Repr::Text(_)));
    }

    #[test]
    fn long_payloads_are_cut_to_a_marked_string_that_says_how_much_was_cut() {
        let long = "é".repeat(1000); // 2000 bytes of text, 2002 of JSON
        let (json, cut) = Json::encode_bounded(&long, 500);
        let Value::String(s) = json.to_value() else {
            panic!("a cut value becomes a string")
        };
        assert!(
            s.starts_with("éé") && !s.starts_with('"'),
            "a string keeps its characters"
        );
        assert!(s.ends_with(&format!(
            "<<truncated: {} of 2002 bytes cut>>",
            cut.unwrap()
        )));
        assert!(json.estimated_size() <= 500);

        let mut object = Json::from(json!({"text": "a\\b\"c".repeat(300), "n": 1}));
        let total = serde_json::to_string(&object).unwrap().len();
        let cut = object.truncate(200).unwrap();
        let Value::String(s) = object.to_value() else {
            panic!("a cut object becomes a string")
        };
        assert!(s.starts_with("{\"text\":") && s.ends_with(&format!("of {total} bytes cut>>")));
        assert!(cut >= total - 200 && cut < total);
        assert!(
            object.estimated_size() <= 200,
            "escaping never takes it past the bound"
        );
        let mut small = Json::encode(&"ok");
        assert_eq!(small.truncate(200), None);
        assert_eq!(small.to_value(), json!("ok"));
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
