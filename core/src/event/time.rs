//! UTC timestamps: taken cheaply on the caller thread, formatted on the worker.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, Timelike, Utc};

/// Microseconds since the Unix epoch, UTC. Eight bytes, no allocation; formatting to
/// ISO-8601 (`2024-11-22T23:37:02.439341+00:00`, agentops 0.3's format) is deferred
/// to the uploader thread so `record()` stays cheap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Length of `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`.
pub const ISO_LEN: usize = 32;

impl Timestamp {
    pub fn now() -> Self {
        // SystemTime is a vDSO clock read (~20 ns); chrono's Utc::now() costs ~70 ns here.
        let micros = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_micros() as i64,
            Err(e) => -(e.duration().as_micros() as i64),
        };
        Timestamp(micros)
    }

    pub fn from_micros(micros: i64) -> Self {
        Timestamp(micros)
    }

    pub fn as_micros(self) -> i64 {
        self.0
    }

    /// Parses ISO-8601 / RFC 3339 (`Z` or an offset, `T` or a space between date and
    /// time); the result is converted to UTC. A time without an offset (what Python's
    /// `isoformat()` gives for a naive `datetime`) is read as UTC.
    pub fn parse_iso(s: &str) -> Option<Self> {
        let s = s.trim();
        let strict = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|d| Timestamp(d.timestamp_micros()))
        };
        strict(s).or_else(|| {
            let with_t = s.replacen(' ', "T", 1);
            strict(&with_t).or_else(|| strict(&format!("{with_t}+00:00")))
        })
    }

    /// Writes the ISO-8601 form into a stack buffer (no allocation).
    pub fn write_iso(self, buf: &mut [u8; ISO_LEN]) -> &str {
        IsoFormatter::default().write(self, buf);
        // Only ASCII digits and separators were written.
        std::str::from_utf8(buf).unwrap_or("1970-01-01T00:00:00.000000+00:00")
    }

    pub fn to_iso(self) -> String {
        let mut buf = [0u8; ISO_LEN];
        self.write_iso(&mut buf).to_owned()
    }
}

/// Formats timestamps, computing the calendar part once per second: an exporter formats
/// many timestamps of the same second in a row.
#[derive(Debug)]
pub struct IsoFormatter {
    last: std::cell::Cell<(i64, [u8; 19])>,
}

impl Default for IsoFormatter {
    fn default() -> Self {
        IsoFormatter {
            last: std::cell::Cell::new((i64::MIN, [0; 19])),
        }
    }
}

impl IsoFormatter {
    /// Writes `ts` as ISO-8601 (ASCII, [`ISO_LEN`] bytes) into `buf`.
    #[inline]
    pub fn write(&self, ts: Timestamp, buf: &mut [u8; ISO_LEN]) {
        let second = ts.0.div_euclid(1_000_000);
        let (cached, mut prefix) = self.last.get();
        if cached != second {
            prefix = calendar_prefix(second);
            self.last.set((second, prefix));
        }
        buf[..19].copy_from_slice(&prefix);
        buf[19..].copy_from_slice(b".000000+00:00");
        write_digits(&mut buf[20..26], ts.0.rem_euclid(1_000_000) as u32);
    }
}

/// `YYYY-MM-DDTHH:MM:SS` of a second since the Unix epoch (years clamped to 0..=9999).
fn calendar_prefix(second: i64) -> [u8; 19] {
    let dt = DateTime::<Utc>::from_timestamp(second, 0).unwrap_or_default();
    let mut out = *b"0000-00-00T00:00:00";
    let fields = [
        (0..4, dt.year().clamp(0, 9999) as u32),
        (5..7, dt.month()),
        (8..10, dt.day()),
        (11..13, dt.hour()),
        (14..16, dt.minute()),
        (17..19, dt.second()),
    ];
    for (range, value) in fields {
        write_digits(&mut out[range], value);
    }
    out
}

/// Writes `value` as decimal digits filling `out`, zero-padded.
fn write_digits(out: &mut [u8], mut value: u32) {
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; ISO_LEN];
        s.serialize_str(self.write_iso(&mut buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_python_isoformat_with_utc_offset() {
        let t = Timestamp::parse_iso("2024-11-22T23:37:02.439341Z").unwrap();
        assert_eq!(t.to_iso(), "2024-11-22T23:37:02.439341+00:00");
        let t = Timestamp::parse_iso("2024-01-02T03:04:05+02:00").unwrap();
        assert_eq!(t.to_iso(), "2024-01-02T01:04:05.000000+00:00");
    }

    #[test]
    fn naive_times_and_space_separators_are_read_as_utc() {
        let naive = Timestamp::parse_iso("2024-11-22T23:37:02.439341").unwrap();
        assert_eq!(naive.to_iso(), "2024-11-22T23:37:02.439341+00:00");
        let spaced = Timestamp::parse_iso(" 2024-11-22 23:37:02+01:00 ").unwrap();
        assert_eq!(spaced.to_iso(), "2024-11-22T22:37:02.000000+00:00");
        assert_eq!(Timestamp::parse_iso("yesterday"), None);
    }

    #[test]
    fn formatting_is_exact_across_seconds_and_before_the_epoch() {
        for iso in [
            "1969-12-31T23:59:59.999999+00:00",
            "1970-01-01T00:00:00.000000+00:00",
            "2024-02-29T23:59:59.000001+00:00",
            "2024-03-01T00:00:00.500000+00:00",
            "2024-03-01T00:00:00.500001+00:00",
        ] {
            assert_eq!(Timestamp::parse_iso(iso).unwrap().to_iso(), iso);
        }
    }

    #[test]
    fn now_round_trips_through_iso() {
        let t = Timestamp::now();
        assert_eq!(Timestamp::parse_iso(&t.to_iso()), Some(t));
    }
}
