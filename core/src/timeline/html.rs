//! The HTML view: one self-contained file (no network, opens from disk) with a waterfall
//! of every event grouped by agent, a zoomable time axis and a detail panel per event. The
//! page is `replay.html`; the timeline goes in as JSON inside a `<script type=
//! "application/json">`, with `<` written `\u003c` so no payload can close it, and the page
//! puts every text in with `textContent`, so no payload is ever markup.

use serde_json::{Value, json};

use super::Timeline;

const PAGE: &str = include_str!("replay.html");
const SLOT: &str = "/*AGENTOPS_TIMELINE*/";

fn data(timeline: &Timeline) -> Value {
    let (start, end) = timeline.span();
    let items: Vec<Value> = timeline
        .items
        .iter()
        .map(|i| {
            json!({
                "kind": i.kind.as_str(), "name": i.name, "id": i.id, "agent": i.agent,
                "trigger": i.trigger, "start": i.start - start, "end": i.end - start,
                "tokens": i.tokens, "cost": i.cost, "depth": i.depth, "detail": i.detail,
            })
        })
        .collect();
    let s = &timeline.session;
    json!({
        "session": {
            "id": s.id, "tags": s.tags, "endState": s.end_state, "reason": s.end_state_reason,
            "duration": end - start,
        },
        "agents": timeline.agents.iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
        "items": items,
        "warnings": timeline.warnings,
    })
}

/// The page for `timeline`.
pub fn render(timeline: &Timeline) -> String {
    let text = data(timeline).to_string().replace('<', "\\u003c");
    PAGE.replacen(SLOT, &text, 1)
}
