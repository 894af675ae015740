//! An event still as JSON text in the decoder's shape ([`Event::from_json`]), to be decoded on
//! the uploader's thread. A binding that writes its events as text on its own side (Node)
//! then pays on the caller's thread for a copy of the text, not for its parse (~400 ns).

use super::time::Timestamp;
use super::{Event, EventCategory};
use crate::error::Result;

/// What an event's text lacks that its wire form has (the session id, batch punctuation),
/// for the buffer's byte bound.
const WIRE_EXTRA: usize = 64;

/// The text of an event that names its kind first (`{"kind":"action",...`), with the time it
/// was recorded at.
#[derive(Debug)]
pub struct EncodedEvent {
    text: Box<str>,
    category: EventCategory,
    recorded_at: Timestamp,
}

impl EncodedEvent {
    /// `text`, recorded now, to decode later. `Err(text)` when it must be decoded at once:
    /// it does not start with its kind (action, llm, tool or error; a generic event's
    /// category depends on its fields), or it is longer than `max_len` (its fields may need
    /// cutting, which needs them decoded).
    pub fn new(text: String, max_len: usize) -> std::result::Result<EncodedEvent, String> {
        match leading_category(&text) {
            Some(category) if text.len() <= max_len => Ok(EncodedEvent {
                text: text.into_boxed_str(),
                category,
                recorded_at: Timestamp::now(),
            }),
            _ => Err(text),
        }
    }

    pub fn category(&self) -> EventCategory {
        self.category
    }

    /// A cheap estimate of the encoded size, for the buffer's byte bound.
    pub fn estimated_size(&self) -> usize {
        self.text.len() + WIRE_EXTRA
    }

    /// The event, its end stamped as recording it would have stamped it then.
    pub fn decode(self) -> Result<Event> {
        let mut event = Event::from_json(&self.text)?;
        event.stamp_end_at(self.recorded_at);
        Ok(event)
    }
}

/// The category named by a leading `"kind"` member, exactly as the bindings write it.
fn leading_category(text: &str) -> Option<EventCategory> {
    let rest = text.strip_prefix(r#"{"kind":""#)?;
    match &rest[..rest.find('"')?] {
        "action" => Some(EventCategory::Actions),
        "llm" => Some(EventCategory::Llms),
        "tool" => Some(EventCategory::Tools),
        "error" => Some(EventCategory::Errors),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;

    #[test]
    fn text_naming_its_kind_first_is_kept_and_decodes_later() {
        let text = r#"{"kind":"tool","name":"search","init_timestamp":1000}"#;
        let encoded = EncodedEvent::new(text.to_owned(), 1024).unwrap();
        assert_eq!(encoded.category(), EventCategory::Tools);
        let recorded_at = encoded.recorded_at;
        let event = encoded.decode().unwrap();
        assert!(matches!(event.kind, EventKind::Tool(_)));
        assert_eq!(event.init_timestamp, Timestamp::from_micros(1_000_000));
        assert_eq!(event.end_timestamp, Some(recorded_at));
    }

    #[test]
    fn other_text_is_handed_back_to_decode_at_once() {
        for text in [
            r#"{"kind":"generic","model":"m"}"#,
            r#"{"name":"no kind first","kind":"tool"}"#,
            r#"{"kind":"tool"#,
            "[1]",
        ] {
            assert_eq!(EncodedEvent::new(text.to_owned(), 1024).unwrap_err(), text);
        }
        let long = format!(r#"{{"kind":"action","params":"{}"}}"#, "x".repeat(100));
        assert!(EncodedEvent::new(long, 50).is_err());
    }

    #[test]
    fn a_given_end_time_is_kept() {
        let text = r#"{"kind":"action","init_timestamp":1000,"end_timestamp":2000}"#;
        let event = EncodedEvent::new(text.to_owned(), 1024)
            .unwrap()
            .decode()
            .unwrap();
        assert_eq!(event.end_timestamp, Some(Timestamp::from_micros(2_000_000)));
    }
}
