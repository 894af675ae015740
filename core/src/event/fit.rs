//! Fitting an event into the buffer. No event is lost for its size: a field over
//! `max_field_bytes` is cut (with a marker saying how much), and an event still larger
//! than the whole buffer has its largest fields cut until it fits.

use super::json::{Json, placeholder};
use super::{Event, EventKind};

/// What was cut from an event's fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cut {
    pub fields: u64,
    pub bytes: u64,
}

impl Cut {
    pub fn add(&mut self, other: Cut) {
        self.fields += other.fields;
        self.bytes += other.bytes;
    }
}

/// A field is never cut below this, so what is kept still says what it was.
const MIN_KEEP: usize = 1024;

enum Field<'a> {
    Json(&'a mut Json),
    Text(&'a mut String),
}

impl Field<'_> {
    fn len(&self) -> usize {
        match self {
            Field::Json(j) => j.estimated_size(),
            Field::Text(t) => t.len(),
        }
    }

    /// Cuts to about `max` bytes; the bytes cut, if it was longer.
    fn cut_to(&mut self, max: usize) -> Option<usize> {
        match self {
            Field::Json(j) => j.truncate(max),
            Field::Text(t) => cut_text(t, max),
        }
    }
}

fn cut_text(text: &mut String, max: usize) -> Option<usize> {
    if text.len() <= max {
        return None;
    }
    let total = text.len();
    let longest_marker = placeholder::truncated(total, total).len();
    let mut keep = max.saturating_sub(longest_marker);
    while !text.is_char_boundary(keep) {
        keep -= 1;
    }
    text.truncate(keep);
    text.push_str(&placeholder::truncated(total - keep, total));
    Some(total - keep)
}

/// The length every field longer than it is cut to so that the event fits `max_event`:
/// short fields stay whole and the long ones share what is left equally. `fixed` is the
/// size of the rest of the event.
fn fair_cap(mut lens: Vec<usize>, fixed: usize, max_event: usize) -> usize {
    lens.sort_unstable();
    // Each cut field gains a marker of about this many bytes.
    const MARKER: usize = 64;
    let mut budget = max_event.saturating_sub(fixed);
    for (i, len) in lens.iter().enumerate() {
        let sharing = lens.len() - i;
        if len * sharing <= budget {
            budget -= len;
        } else {
            return (budget / sharing).saturating_sub(MARKER).max(MIN_KEEP);
        }
    }
    usize::MAX
}

impl Event {
    /// The fields that can be large: payloads and free text.
    fn large_fields(&mut self) -> Vec<Field<'_>> {
        fn json(j: &mut Option<Json>) -> Option<Field<'_>> {
            j.as_mut().map(Field::Json)
        }
        fn text(t: &mut Option<String>) -> Option<Field<'_>> {
            t.as_mut().map(Field::Text)
        }
        let mut fields: Vec<Field<'_>> = Vec::new();
        fields.extend(json(&mut self.params));
        fields.extend(json(&mut self.returns));
        match &mut self.kind {
            EventKind::Action(a) => {
                fields.extend(json(&mut a.logs));
                fields.extend(text(&mut a.screenshot));
            }
            EventKind::Tool(t) => fields.extend(json(&mut t.logs)),
            EventKind::Llm(l) => {
                fields.extend(json(&mut l.prompt));
                fields.extend(json(&mut l.completion));
            }
            EventKind::Error(e) => {
                fields.extend(text(&mut e.details));
                fields.extend(text(&mut e.logs));
            }
            EventKind::Generic(g) => fields.extend(json(&mut g.prompt)),
        }
        fields
    }

    /// Cuts every field to `max_field` bytes and, if the whole event would still be more
    /// than `max_event` bytes (estimated), the longest fields to a shared length, so that
    /// each field is cut at most once (its marker keeps the original size).
    pub fn fit(&mut self, max_field: usize, max_event: usize) -> Cut {
        let size = self.estimated_size();
        let mut fields = self.large_fields();
        let lens: Vec<usize> = fields.iter().map(Field::len).collect();
        let fixed = size - lens.iter().sum::<usize>();
        let capped: Vec<usize> = lens.iter().map(|&len| len.min(max_field)).collect();
        let cap = match fixed + capped.iter().sum::<usize>() > max_event {
            true => fair_cap(capped, fixed, max_event).min(max_field),
            false => max_field,
        };
        let mut cut = Cut::default();
        for field in fields.iter_mut().filter(|f| f.len() > cap) {
            if let Some(bytes) = field.cut_to(cap) {
                cut.add(Cut {
                    fields: 1,
                    bytes: bytes as u64,
                });
            }
        }
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::LlmFields;

    #[test]
    fn fields_over_the_bound_are_cut_and_an_event_is_cut_to_fit_the_buffer() {
        let mut one = Event::llm(LlmFields {
            prompt: Some(Json::encode(&"p".repeat(70_000))),
            ..Default::default()
        });
        let cut = one.fit(50_000, 1 << 20);
        assert_eq!(cut.fields, 1);
        assert!(one.estimated_size() < 51_000, "{}", one.estimated_size());

        let mut two = Event::action("a")
            .with_params_of(&"x".repeat(50_000))
            .with_returns_of(&"y".repeat(50_000));
        let cut = two.fit(1 << 20, 60_000);
        assert!(
            cut.fields == 2 && cut.bytes >= 40_000,
            "both long fields share the cut: {cut:?}"
        );
        assert!(two.estimated_size() <= 60_000, "{}", two.estimated_size());
        let returns = two.returns.as_ref().unwrap().to_value();
        assert!(returns.as_str().unwrap().ends_with("bytes cut>>"));

        let mut intact = Event::action("a").with_params_of(&"z".repeat(40_000));
        assert_eq!(intact.fit(50_000, 1 << 20), Cut::default());
        assert_eq!(
            intact.params.unwrap().to_value(),
            serde_json::json!("z".repeat(40_000))
        );
    }
}
