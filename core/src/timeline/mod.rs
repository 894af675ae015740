//! Session replay offline: a session file of the file exporter read back as a timeline, and
//! shown as a terminal listing ([`terminal`]), a self-contained HTML waterfall ([`html`]),
//! or, for several files, a list of sessions ([`listing`]). [`cli::run`] is the
//! `agentops replay` command every package exposes.

pub mod cli;
pub mod html;
pub mod listing;
mod read;
pub mod terminal;

use serde_json::Value;

pub use read::{NotASession, read};

/// The kinds of events, as the replay groups and colours them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Llm,
    Tool,
    Action,
    Error,
    /// An event kind this version does not know.
    Other,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Llm,
        Kind::Tool,
        Kind::Action,
        Kind::Error,
        Kind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Llm => "llm",
            Kind::Tool => "tool",
            Kind::Action => "action",
            Kind::Error => "error",
            Kind::Other => "other",
        }
    }
}

/// One event on the timeline (times in µs since the epoch).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub kind: Kind,
    pub name: String,
    pub id: Option<String>,
    pub agent: Option<String>,
    /// The event an error is about, and its name when it is in the file.
    pub trigger: Option<String>,
    pub trigger_name: Option<String>,
    pub start: i64,
    pub end: i64,
    pub tokens: Option<u64>,
    pub cost: Option<f64>,
    /// How many events of the same agent enclose this one in time.
    pub depth: usize,
    /// The event as it was written (params, returns, prompt, completion, logs, ...).
    pub detail: Value,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionInfo {
    pub id: Option<String>,
    pub tags: Vec<String>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub end_state: Option<String>,
    pub end_state_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    pub session: SessionInfo,
    /// `(id, name)` of the session's agents.
    pub agents: Vec<(String, String)>,
    /// In time order (ties: the longer first, so it encloses the other).
    pub items: Vec<Item>,
    /// What could not be read, for the user.
    pub warnings: Vec<String>,
    /// Start and end (µs), worked out once the whole file is read.
    span: (i64, i64),
}

impl Timeline {
    /// The session's start and end: from its own lines, widened to cover its events.
    pub fn span(&self) -> (i64, i64) {
        self.span
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.items.iter().filter(|i| i.kind == kind).count()
    }

    pub fn agent_name(&self, id: &str) -> Option<&str> {
        self.agents
            .iter()
            .find(|(a, _)| a == id)
            .map(|(_, n)| n.as_str())
    }

    /// The name of the event an error is about, when it is in the file.
    pub fn trigger_name<'a>(&self, item: &'a Item) -> Option<&'a str> {
        item.trigger_name.as_deref()
    }

    /// Sorts the events, works out their nesting, the span and the triggers' names: once,
    /// so rendering stays linear in the number of events.
    fn finish(&mut self) {
        self.span = self.compute_span();
        let names: std::collections::HashMap<String, String> = self
            .items
            .iter()
            .filter_map(|i| Some((i.id.clone()?, i.name.clone())))
            .collect();
        for item in &mut self.items {
            item.trigger_name = item.trigger.as_ref().and_then(|t| names.get(t).cloned());
        }
        self.items
            .sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        // Per agent, the events still open at each start: the depth is how many enclose it.
        let mut open: Vec<(Option<String>, i64)> = Vec::new();
        for item in &mut self.items {
            open.retain(|(agent, end)| !(agent == &item.agent && *end <= item.start));
            let enclosing = open
                .iter()
                .filter(|(agent, end)| agent == &item.agent && *end >= item.end)
                .count();
            item.depth = enclosing;
            if item.end > item.start {
                open.push((item.agent.clone(), item.end));
            }
        }
    }
}

impl Timeline {
    fn compute_span(&self) -> (i64, i64) {
        let first = self.items.iter().map(|i| i.start).min();
        let last = self.items.iter().map(|i| i.end).max();
        let start = self.session.start.or(first).unwrap_or(0);
        let end = self.session.end.or(last).unwrap_or(start);
        (
            start.min(first.unwrap_or(start)),
            end.max(last.unwrap_or(end)),
        )
    }
}

#[cfg(test)]
mod tests;
