//! Reading a session file of the file exporter (`<session id>.jsonl`) into a [`Timeline`],
//! leniently: what can be read is shown, and what cannot is said in `warnings` — a last
//! line cut off mid-write (a killed process), a line that is not JSON, an unknown event
//! kind. A file with neither a session nor an event line is not ours.

use serde_json::Value;

use super::{Item, Kind, SessionInfo, Timeline};
use crate::event::time::Timestamp;

/// Why a file cannot be shown at all.
#[derive(Debug, Clone, PartialEq)]
pub struct NotASession(pub String);

fn time_of(value: &Value) -> Option<i64> {
    match value {
        Value::String(s) => Timestamp::parse_iso(s).map(Timestamp::as_micros),
        Value::Number(n) => n.as_f64().map(|ms| (ms * 1000.0) as i64),
        _ => None,
    }
}

fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The session fields a session line carries (later lines update earlier ones).
fn read_session(info: &mut SessionInfo, session: &Value) {
    info.id = text(session, "session_id").or(info.id.take());
    if let Some(tags) = session.get("tags").and_then(Value::as_array) {
        info.tags = tags
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect();
    }
    info.start = session
        .get("init_timestamp")
        .and_then(time_of)
        .or(info.start);
    info.end = session.get("end_timestamp").and_then(time_of).or(info.end);
    info.end_state = text(session, "end_state").or(info.end_state.take());
    info.end_state_reason = text(session, "end_state_reason").or(info.end_state_reason.take());
}

fn kind_of(event: &Value) -> Kind {
    match event.get("event_type").and_then(Value::as_str) {
        Some("llms") => Kind::Llm,
        Some("tools") => Kind::Tool,
        Some("actions") => Kind::Action,
        Some("errors") => Kind::Error,
        _ if event.get("model").is_some() => Kind::Llm,
        _ => Kind::Other,
    }
}

fn name_of(kind: Kind, event: &Value) -> String {
    let key = match kind {
        Kind::Llm => "model",
        Kind::Tool => "name",
        Kind::Error => "error_type",
        Kind::Action | Kind::Other => "action_type",
    };
    text(event, key)
        .or_else(|| text(event, "event_type"))
        .unwrap_or_else(|| kind.as_str().to_owned())
}

fn read_event(event: Value) -> Option<Item> {
    let kind = kind_of(&event);
    let start = event
        .get("init_timestamp")
        .or_else(|| event.get("timestamp"))
        .and_then(time_of)?;
    let end = event
        .get("end_timestamp")
        .and_then(time_of)
        .unwrap_or(start)
        .max(start);
    let tokens =
        ["prompt_tokens", "completion_tokens"].map(|key| event.get(key).and_then(Value::as_u64));
    Some(Item {
        kind,
        name: name_of(kind, &event),
        id: text(&event, "id"),
        agent: text(&event, "agent_id"),
        trigger: text(&event, "trigger_event_id"),
        trigger_name: None,
        start,
        end,
        tokens: (tokens[0].is_some() || tokens[1].is_some())
            .then(|| tokens[0].unwrap_or(0) + tokens[1].unwrap_or(0)),
        cost: event.get("cost").and_then(Value::as_f64),
        depth: 0,
        detail: event,
    })
}

/// Reads one session file's text; `name` names it in warnings.
pub fn read(name: &str, text: &str) -> Result<Timeline, NotASession> {
    let mut timeline = Timeline::default();
    let mut ours = false;
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let number = index + 1;
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            let last = index + 1 == lines.len() && !text.ends_with('\n');
            timeline.warnings.push(if last {
                format!("{name}: line {number} is cut off (the process was probably killed while writing it); it is skipped")
            } else {
                format!("{name}: line {number} is not JSON; it is skipped")
            });
            continue;
        };
        ours |= read_line(&mut timeline, value, name, number);
    }
    if !ours {
        return Err(NotASession(format!(
            "{name} is not an agentops session file (it has no session or event lines)"
        )));
    }
    timeline.finish();
    Ok(timeline)
}

/// Adds one line; whether it was one of ours.
fn read_line(timeline: &mut Timeline, mut value: Value, name: &str, number: usize) -> bool {
    match value.get("type").and_then(Value::as_str) {
        Some("session_start" | "session_update" | "session_end") => {
            read_session(&mut timeline.session, &value["session"]);
            true
        }
        Some("agent") => {
            let agent = &value["agent"];
            if let (Some(id), Some(agent_name)) = (text(agent, "id"), text(agent, "name")) {
                timeline.agents.push((id, agent_name));
            }
            true
        }
        Some("event") => {
            let event = value["event"].take();
            match read_event(event) {
                Some(item) => {
                    if item.kind == Kind::Other {
                        let kind = text(&item.detail, "event_type").unwrap_or_default();
                        timeline.warnings.push(format!(
                            "{name}: line {number}: unknown event kind {kind:?}, shown as \"other\""
                        ));
                    }
                    timeline.items.push(item);
                }
                None => timeline.warnings.push(format!(
                    "{name}: line {number}: an event without a start time; it is skipped"
                )),
            }
            true
        }
        _ => false,
    }
}
