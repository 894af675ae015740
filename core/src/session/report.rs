//! What a session amounts to: its counts, duration and cost, and what ending it achieved,
//! with the agentops 0.3 texts every binding logs ("Session Stats - ...",
//! "Session Replay: ...").

use std::path::PathBuf;
use std::time::Duration;

use uuid::Uuid;

use crate::event::{EndState, EventCategory};

/// Events recorded into a session, by category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventCounts {
    pub llms: u64,
    pub tools: u64,
    pub actions: u64,
    pub errors: u64,
    pub apis: u64,
}

impl EventCounts {
    /// From counters indexed like [`EventCategory::ALL`].
    pub fn from_array(counts: [u64; 5]) -> Self {
        let at = |c: EventCategory| counts[c as usize];
        EventCounts {
            llms: at(EventCategory::Llms),
            tools: at(EventCategory::Tools),
            actions: at(EventCategory::Actions),
            errors: at(EventCategory::Errors),
            apis: at(EventCategory::Apis),
        }
    }

    /// `(wire name, count)` in wire order (`llms`, `tools`, `actions`, `errors`, `apis`).
    pub fn by_name(&self) -> [(&'static str, u64); 5] {
        [
            (EventCategory::Llms.as_str(), self.llms),
            (EventCategory::Tools.as_str(), self.tools),
            (EventCategory::Actions.as_str(), self.actions),
            (EventCategory::Errors.as_str(), self.errors),
            (EventCategory::Apis.as_str(), self.apis),
        ]
    }
}

/// agentops 0.3's `get_analytics`: counts, duration so far (or in all) and cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionStats {
    pub counts: EventCounts,
    pub duration: Duration,
    /// The last token cost the backend reported.
    pub token_cost: Option<f64>,
}

impl SessionStats {
    /// agentops 0.3's duration text: `"1h 2m 3.4s"`.
    pub fn duration_text(&self) -> String {
        let secs = self.duration.as_secs_f64();
        let hours = (secs / 3600.0).floor();
        let minutes = ((secs - hours * 3600.0) / 60.0).floor();
        let seconds = secs - hours * 3600.0 - minutes * 60.0;
        let mut parts = Vec::new();
        if hours > 0.0 {
            parts.push(format!("{hours}h"));
        }
        if minutes > 0.0 {
            parts.push(format!("{minutes}m"));
        }
        parts.push(format!("{seconds:.1}s"));
        parts.join(" ")
    }

    /// The cost with six decimals (`"0.000000"` until the backend reports one).
    pub fn cost_text(&self) -> String {
        format!("{:.6}", self.token_cost.unwrap_or(0.0))
    }

    /// `Session Stats - Duration: 1.2s | Cost: $0.000000 | LLMs: 1 | Tools: 0 | Actions: 2 | Errors: 0`
    pub fn stats_line(&self) -> String {
        let c = &self.counts;
        format!(
            "Session Stats - Duration: {} | Cost: ${} | LLMs: {} | Tools: {} | Actions: {} | Errors: {}",
            self.duration_text(),
            self.cost_text(),
            c.llms,
            c.tools,
            c.actions,
            c.errors
        )
    }
}

/// Where a user looks at a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// The AgentOps dashboard.
    Url(String),
    /// The file exporter's JSONL file.
    File(PathBuf),
    /// The OTLP exporter's trace (its id is the session id's 128 bits) and where it went.
    Trace { trace_id: String, url: String },
}

impl Replay {
    /// `Session Replay: <url>`, `Session recorded to <path>`, or the OTLP trace id.
    pub fn line(&self) -> String {
        match self {
            Replay::Url(url) => format!("Session Replay: {url}"),
            Replay::File(path) => format!("Session recorded to {}", path.display()),
            Replay::Trace { trace_id, url } => {
                format!("Session exported as OTLP trace {trace_id} to {url}")
            }
        }
    }
}

/// What ending a session achieved.
#[derive(Debug, Clone, PartialEq)]
pub struct EndReport {
    pub session_id: Uuid,
    pub end_state: EndState,
    pub end_state_reason: Option<String>,
    pub stats: SessionStats,
    /// The session's events and its final update reached the backend within the wait.
    pub delivered: bool,
    pub replay: Replay,
}

impl EndReport {
    /// The lines a binding logs when a session ends: stats, a warning when not
    /// everything was delivered in time, and where to see the session.
    pub fn log_lines(&self) -> Vec<(log::Level, String)> {
        let mut lines = vec![(log::Level::Info, self.stats.stats_line())];
        if !self.delivered {
            lines.push((
                log::Level::Warn,
                format!(
                    "session {}: not everything was delivered within session_end_timeout; delivery continues in the background",
                    self.session_id
                ),
            ));
        }
        lines.push((log::Level::Info, self.replay.line()));
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(secs: f64) -> SessionStats {
        SessionStats {
            counts: EventCounts::from_array([1, 2, 3, 4, 5]),
            duration: Duration::from_secs_f64(secs),
            token_cost: None,
        }
    }

    #[test]
    fn texts_match_agentops_03() {
        assert_eq!(stats(3.44).duration_text(), "3.4s");
        assert_eq!(stats(3723.4).duration_text(), "1h 2m 3.4s");
        assert_eq!(
            stats(1.25).stats_line(),
            "Session Stats - Duration: 1.2s | Cost: $0.000000 | LLMs: 1 | Tools: 2 | Actions: 3 | Errors: 4"
        );
        let url = Replay::Url("https://app.agentops.ai/drilldown?session_id=x".into());
        assert_eq!(
            url.line(),
            "Session Replay: https://app.agentops.ai/drilldown?session_id=x"
        );
        assert_eq!(
            Replay::File("d/x.jsonl".into()).line(),
            "Session recorded to d/x.jsonl"
        );
        assert_eq!(
            EventCounts::from_array([1, 2, 3, 4, 5]).by_name()[4],
            ("apis", 5)
        );
    }
}
