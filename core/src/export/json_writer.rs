//! A JSON object written field by field straight into a buffer, for the exporters' hot
//! paths: field names are trusted literals (written as they are), string values are
//! escaped by serde_json, payloads are appended verbatim, timestamps and ids are formatted
//! without allocating. A `None` field is left out, as agentops 0.3 does.

use uuid::Uuid;

use crate::event::json::Json;
use crate::event::time::{ISO_LEN, IsoFormatter, Timestamp};

pub struct ObjectWriter<'a> {
    out: &'a mut Vec<u8>,
    times: &'a IsoFormatter,
    empty: bool,
}

impl<'a> ObjectWriter<'a> {
    pub fn new(out: &'a mut Vec<u8>, times: &'a IsoFormatter) -> Self {
        out.push(b'{');
        ObjectWriter {
            out,
            times,
            empty: true,
        }
    }

    /// Writes `"name":` (after a comma unless first). `name` must need no escaping.
    /// Inlined, so a literal name's copy is a few fixed-size moves rather than calls.
    #[inline(always)]
    fn key(&mut self, name: &str) -> &mut Vec<u8> {
        self.out
            .extend_from_slice(if self.empty { b"\"" } else { b",\"" });
        self.empty = false;
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    #[inline]
    pub fn str(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            let out = self.key(name);
            // Writing a str into a Vec cannot fail.
            let _ = serde_json::to_writer(out, value);
        }
        self
    }

    #[inline]
    pub fn json(&mut self, name: &str, value: Option<&Json>) -> &mut Self {
        if let Some(value) = value {
            value.write_to(self.key(name));
        }
        self
    }

    #[inline]
    pub fn id(&mut self, name: &str, value: Option<&Uuid>) -> &mut Self {
        if let Some(id) = value {
            let mut quoted = [b'"'; 38];
            id.hyphenated().encode_lower(&mut quoted[1..37]);
            self.key(name).extend_from_slice(&quoted);
        }
        self
    }

    #[inline]
    pub fn time(&mut self, name: &str, value: Option<Timestamp>) -> &mut Self {
        if let Some(ts) = value {
            let mut text = [0; ISO_LEN];
            self.times.write(ts, &mut text);
            let out = self.key(name);
            out.push(b'"');
            out.extend_from_slice(&text);
            out.push(b'"');
        }
        self
    }

    #[inline]
    pub fn u64(&mut self, name: &str, value: Option<u64>) -> &mut Self {
        if let Some(n) = value {
            let _ = serde_json::to_writer(self.key(name), &n);
        }
        self
    }

    /// Non-finite numbers become `null`, as serde_json writes them.
    #[inline]
    pub fn f64(&mut self, name: &str, value: Option<f64>) -> &mut Self {
        if let Some(n) = value {
            let _ = serde_json::to_writer(self.key(name), &n);
        }
        self
    }

    #[inline]
    pub fn strs(&mut self, name: &str, values: &[String]) -> &mut Self {
        let _ = serde_json::to_writer(self.key(name), values);
        self
    }

    pub fn end(&mut self) {
        self.out.push(b'}');
    }
}
