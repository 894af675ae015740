//! A JSON object written field by field straight into a buffer, for the exporters' hot
//! paths: field names are trusted literals (written as they are), string values are
//! escaped by serde_json, payloads are appended verbatim, timestamps and ids are formatted
//! without allocating. A `None` field is left out, as agentops 0.3 does.

use std::cell::Cell;

use uuid::Uuid;

use crate::event::json::Json;
use crate::event::time::{ISO_LEN, IsoFormatter, Timestamp};

/// What an exporter keeps from one event it writes to the next, so that the parts they
/// share are formatted once: the calendar part of timestamps (per second) and the session
/// id (per batch, every event of which carries it).
#[derive(Debug, Default)]
pub struct WriterCache {
    times: IsoFormatter,
    session: Cell<Option<(Uuid, [u8; QUOTED_ID_LEN])>>,
}

impl WriterCache {
    fn quoted_session_id(&self, id: &Uuid) -> [u8; QUOTED_ID_LEN] {
        match self.session.get() {
            Some((cached, quoted)) if cached == *id => quoted,
            _ => {
                let quoted = quoted_id(id);
                self.session.set(Some((*id, quoted)));
                quoted
            }
        }
    }
}

const QUOTED_ID_LEN: usize = 38;

fn quoted_id(id: &Uuid) -> [u8; QUOTED_ID_LEN] {
    let mut quoted = [b'"'; QUOTED_ID_LEN];
    id.hyphenated()
        .encode_lower(&mut quoted[1..QUOTED_ID_LEN - 1]);
    quoted
}

pub struct ObjectWriter<'a> {
    out: &'a mut Vec<u8>,
    cache: &'a WriterCache,
    empty: bool,
}

impl<'a> ObjectWriter<'a> {
    pub fn new(out: &'a mut Vec<u8>, cache: &'a WriterCache) -> Self {
        out.push(b'{');
        ObjectWriter {
            out,
            cache,
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
            self.key(name).extend_from_slice(&quoted_id(id));
        }
        self
    }

    /// The id of the session being written, formatted once per run of its events.
    pub fn session_id(&mut self, name: &str, id: &Uuid) -> &mut Self {
        let quoted = self.cache.quoted_session_id(id);
        self.key(name).extend_from_slice(&quoted);
        self
    }

    #[inline]
    pub fn time(&mut self, name: &str, value: Option<Timestamp>) -> &mut Self {
        if let Some(ts) = value {
            let mut text = [0; ISO_LEN];
            self.cache.times.write(ts, &mut text);
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
