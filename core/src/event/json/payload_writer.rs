//! Where a payload's JSON text is written: it keeps the first `limit` bytes and counts them
//! all, so a value too long for the field bound is never held whole in memory.
//!
//! It is an `io::Write` for serde_json, and it also offers the JSON pieces directly (a
//! byte, a string, a number), for a binding that writes its own language's values without
//! going through serde's per-value dispatch. Strings are escaped by serde_json's rules.

use std::io;

use serde_json::ser::{CompactFormatter, Formatter};

pub struct PayloadWriter<'a> {
    kept: &'a mut Vec<u8>,
    limit: usize,
    total: usize,
}

impl<'a> PayloadWriter<'a> {
    /// Appends to `kept`, keeping at most `limit` bytes in all.
    pub fn new(kept: &'a mut Vec<u8>, limit: usize) -> Self {
        let total = kept.len();
        PayloadWriter { kept, limit, total }
    }

    /// The bytes written so far, kept or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// JSON text as it is (`null`, `{`, `,`, ...).
    #[inline]
    pub fn raw(&mut self, json: &[u8]) {
        self.total += json.len();
        if self.kept.len() + json.len() <= self.limit {
            self.kept.extend_from_slice(json);
        } else {
            let room = self.limit.saturating_sub(self.kept.len());
            self.kept.extend_from_slice(&json[..room]);
        }
    }

    #[inline]
    pub fn byte(&mut self, byte: u8) {
        self.total += 1;
        if self.kept.len() < self.limit {
            self.kept.push(byte);
        }
    }

    /// A JSON string of `text`.
    #[inline]
    pub fn string(&mut self, text: &str) {
        let quoted = text.len() + 2;
        if self.kept.len() + quoted <= self.limit && !needs_escaping(text) {
            self.total += quoted;
            push_plain_string(self.kept, text);
        } else {
            // serde_json escapes it and the bound clips it; writing into memory cannot fail.
            let _ = serde_json::to_writer(self, text);
        }
    }

    pub fn i64(&mut self, n: i64) {
        let _ = CompactFormatter.write_i64(self, n);
    }

    pub fn u64(&mut self, n: u64) {
        let _ = CompactFormatter.write_u64(self, n);
    }

    pub fn i128(&mut self, n: i128) {
        let _ = CompactFormatter.write_i128(self, n);
    }

    pub fn u128(&mut self, n: u128) {
        let _ = CompactFormatter.write_u128(self, n);
    }

    /// A float; a non-finite one becomes `null`, as serde_json writes it.
    pub fn f64(&mut self, n: f64) {
        if n.is_finite() {
            let _ = CompactFormatter.write_f64(self, n);
        } else {
            self.raw(b"null");
        }
    }
}

/// Whether serde_json would escape any of `text` (control characters, `"` and `\`).
#[inline]
fn needs_escaping(text: &str) -> bool {
    text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\')
}

/// `text` quoted: one reservation, then plain copies.
#[inline]
fn push_plain_string(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

impl io::Write for PayloadWriter<'_> {
    #[inline]
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.raw(data);
        Ok(data.len())
    }

    #[inline]
    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.raw(data);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(limit: usize, write: impl FnOnce(&mut PayloadWriter<'_>)) -> (String, usize) {
        let mut kept = Vec::new();
        let mut out = PayloadWriter::new(&mut kept, limit);
        write(&mut out);
        let total = out.total();
        (String::from_utf8(kept).unwrap(), total)
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for text in [
            "plain",
            "",
            "quote \" and \\ back",
            "tab\tnew\nline\u{1}",
            "é ✓ 𝄞",
        ] {
            let (json, total) = written(usize::MAX, |out| out.string(text));
            assert_eq!(json, serde_json::to_string(text).unwrap());
            assert_eq!(total, json.len());
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        let (json, _) = written(usize::MAX, |out| {
            out.i64(-7);
            out.byte(b',');
            out.u64(u64::MAX);
            out.byte(b',');
            out.i128(i128::MIN);
            out.byte(b',');
            out.u128(u128::MAX);
            out.byte(b',');
            out.f64(0.1);
            out.byte(b',');
            out.f64(f64::NAN);
        });
        let expected = [
            serde_json::to_string(&-7i64).unwrap(),
            serde_json::to_string(&u64::MAX).unwrap(),
            serde_json::to_string(&i128::MIN).unwrap(),
            serde_json::to_string(&u128::MAX).unwrap(),
            serde_json::to_string(&0.1f64).unwrap(),
            serde_json::to_string(&f64::NAN).unwrap(),
        ];
        assert_eq!(json, expected.join(","));
    }

    #[test]
    fn it_keeps_the_first_bytes_up_to_its_limit_and_counts_all() {
        let (json, total) = written(5, |out| {
            out.raw(b"ab"); // under the limit
            out.raw(b"cde"); // reaches it exactly
            out.byte(b'f'); // past it
        });
        assert_eq!((json.as_str(), total), ("abcde", 6));
        let (json, total) = written(3, |out| {
            out.raw(b"ab");
            out.raw(b"cdef"); // straddles it
        });
        assert_eq!((json.as_str(), total), ("abc", 6));
        let (json, total) = written(5, |out| out.string("abcdef"));
        assert_eq!((json.as_str(), total), ("\"abcd", 8));
    }
}
