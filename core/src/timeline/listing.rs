//! Several session files (or a directory of them): one line per session, newest first,
//! with its start, end state, duration and counts per kind.

use std::fmt::Write;

use super::terminal::seconds;
use super::{Kind, Timeline};
use crate::event::time::Timestamp;

pub struct Listed {
    pub path: String,
    pub timeline: Timeline,
}

pub fn render(mut sessions: Vec<Listed>) -> String {
    sessions.sort_by_key(|s| std::cmp::Reverse(s.timeline.span().0));
    let mut out = format!(
        "{:<20} {:<13} {:>8} {:>4} {:>5} {:>7} {:>6}  file\n",
        "started (UTC)", "end state", "duration", "llm", "tool", "action", "error"
    );
    for s in &sessions {
        let (start, end) = s.timeline.span();
        let started: String = Timestamp::from_micros(start)
            .to_iso()
            .chars()
            .take(19)
            .collect();
        let t = &s.timeline;
        let _ = writeln!(
            out,
            "{:<20} {:<13} {:>8} {:>4} {:>5} {:>7} {:>6}  {}",
            started.replace('T', " "),
            t.session.end_state.as_deref().unwrap_or("not ended"),
            seconds(end - start),
            t.count(Kind::Llm),
            t.count(Kind::Tool),
            t.count(Kind::Action),
            t.count(Kind::Error),
            s.path
        );
    }
    out
}
