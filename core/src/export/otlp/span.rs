//! Events and sessions as OTLP spans, named and attributed by the OpenTelemetry GenAI
//! semantic conventions. A session is one trace: its trace id is the session UUID's 128
//! bits and its root span (`invoke_agent`) spans it from start to end; every event is a
//! child span whose id is derived from the event id. The fields the conventions do not
//! name travel under `agentops.*`.

use uuid::Uuid;

use super::encoder::{
    Attributes, Head, KIND_CLIENT, KIND_INTERNAL, STATUS_ERROR, STATUS_OK, STATUS_UNSET,
    SpanEncoder,
};
use crate::event::{EndState, Event, EventCategory, EventKind};
use crate::export::SessionRecord;

/// The trace id of a session: its UUID's 128 bits, as 32 lowercase hex digits.
pub fn trace_id(session_id: &Uuid) -> String {
    session_id.simple().to_string()
}

/// [`super::encoder::span_bits`] as 16 lowercase hex digits.
pub fn span_id(id: &Uuid) -> String {
    format!("{:016x}", super::encoder::span_bits(id))
}

/// What the spans of one session share.
pub struct SessionContext<'a> {
    pub session_id: &'a Uuid,
    /// The agents created in the session: `(id, name)`.
    pub agents: &'a [(Uuid, String)],
}

impl SessionContext<'_> {
    fn agent_name(&self, id: &Uuid) -> Option<&str> {
        self.agents
            .iter()
            .find(|(agent, _)| agent == id)
            .map(|(_, name)| name.as_str())
    }
}

/// The span name and `gen_ai.operation.name` of an event, per the GenAI conventions.
fn name_and_operation(e: &Event) -> (String, Option<&'static str>) {
    let with = |op: &str, what: Option<&str>| match what {
        Some(what) if !what.is_empty() => format!("{op} {what}"),
        _ => op.to_owned(),
    };
    match &e.kind {
        EventKind::Llm(l) => (with("chat", l.model.as_deref()), Some("chat")),
        EventKind::Tool(t) => (
            with("execute_tool", t.name.as_deref()),
            Some("execute_tool"),
        ),
        EventKind::Generic(g) if e.kind.category() == EventCategory::Llms => {
            (with("chat", g.model.as_deref()), Some("chat"))
        }
        EventKind::Generic(g) => (g.effective_action_type().to_owned(), None),
        EventKind::Action(a) => (
            a.action_type.as_deref().unwrap_or("action").to_owned(),
            None,
        ),
        EventKind::Error(r) => (r.error_type.as_deref().unwrap_or("error").to_owned(), None),
    }
}

/// Writes the span of one event.
pub fn write_event_span(e: &Event, cx: &SessionContext<'_>, span: &mut dyn SpanEncoder) {
    let (name, operation) = name_and_operation(e);
    let error = match &e.kind {
        EventKind::Error(r) => Some(r),
        _ => None,
    };
    // An error nests under the event that failed; the link says so explicitly too.
    let trigger = error.and_then(|r| r.trigger_event_id.as_ref());
    let start = error.and_then(|r| r.timestamp).unwrap_or(e.init_timestamp);
    span.begin(&Head {
        trace: cx.session_id,
        span: &e.id,
        parent: Some(trigger.unwrap_or(cx.session_id)),
        name: &name,
        kind: if operation == Some("chat") {
            KIND_CLIENT
        } else {
            KIND_INTERNAL
        },
        start,
        end: e.end_timestamp.unwrap_or(start),
    });
    write_event_attributes(e, operation, cx, &mut Attributes(&mut *span));
    if let Some(r) = error {
        span.exception(
            start,
            &[
                ("exception.type", r.error_type.as_deref()),
                ("exception.message", r.details.as_deref()),
                ("exception.stacktrace", r.logs.as_deref()),
            ],
        );
        if let Some(trigger) = trigger {
            span.link(cx.session_id, trigger);
        }
        let message = r.details.as_deref().or(r.error_type.as_deref());
        span.status(STATUS_ERROR, message);
    }
    span.end();
}

fn write_event_attributes(
    e: &Event,
    operation: Option<&str>,
    cx: &SessionContext<'_>,
    a: &mut Attributes<'_>,
) {
    a.str("gen_ai.operation.name", operation)
        .id("gen_ai.conversation.id", Some(cx.session_id))
        .id("gen_ai.agent.id", e.agent_id.as_ref())
        .str(
            "gen_ai.agent.name",
            e.agent_id.as_ref().and_then(|id| cx.agent_name(id)),
        )
        .id("agentops.event.id", Some(&e.id))
        .str("agentops.event.type", Some(e.event_type()))
        .json("agentops.params", e.params.as_ref())
        .json("agentops.returns", e.returns.as_ref());
    match &e.kind {
        EventKind::Action(f) => {
            a.str("agentops.action_type", f.action_type.as_deref())
                .json("agentops.logs", f.logs.as_ref())
                .str("agentops.screenshot", f.screenshot.as_deref())
                .strs("agentops.tags", &f.tags);
        }
        EventKind::Llm(l) => {
            a.str("gen_ai.request.model", l.model.as_deref())
                .int("gen_ai.usage.input_tokens", l.prompt_tokens)
                .int("gen_ai.usage.output_tokens", l.completion_tokens)
                .json("agentops.prompt", l.prompt.as_ref())
                .json("agentops.completion", l.completion.as_ref())
                .double("agentops.cost", l.cost)
                .id("agentops.thread_id", l.thread_id.as_ref());
        }
        EventKind::Tool(t) => {
            a.str("gen_ai.tool.name", t.name.as_deref())
                .json("agentops.logs", t.logs.as_ref());
        }
        EventKind::Error(r) => {
            a.str(
                "error.type",
                Some(r.error_type.as_deref().unwrap_or("_OTHER")),
            )
            .id("agentops.trigger_event.id", r.trigger_event_id.as_ref())
            .str(
                "agentops.trigger_event.type",
                r.trigger_event_type.as_deref(),
            )
            .str("agentops.error.code", r.code.as_deref())
            .str("agentops.error.details", r.details.as_deref())
            .str("agentops.error.logs", r.logs.as_deref());
        }
        EventKind::Generic(g) => {
            a.str("gen_ai.request.model", g.model.as_deref())
                .str("agentops.action_type", Some(g.effective_action_type()))
                .str("agentops.result", g.result.map(EndState::as_str))
                .json("agentops.prompt", g.prompt.as_ref())
                .strs("agentops.tags", &g.tags);
        }
    }
}

/// Writes the root span of an ended session: `invoke_agent`, named after the agent when
/// the session had exactly one, with the session's state as its status.
pub fn write_session_span(
    record: &SessionRecord,
    cx: &SessionContext<'_>,
    span: &mut dyn SpanEncoder,
) {
    let agent = match cx.agents {
        [(id, name)] => Some((id, name.as_str())),
        _ => None,
    };
    let name = match agent {
        Some((_, name)) => format!("invoke_agent {name}"),
        None => "invoke_agent".to_owned(),
    };
    let start = record.init_timestamp;
    span.begin(&Head {
        trace: cx.session_id,
        span: cx.session_id,
        parent: None,
        name: &name,
        kind: KIND_INTERNAL,
        start,
        end: record.end_timestamp.unwrap_or(start),
    });
    let mut a = Attributes(&mut *span);
    a.str("gen_ai.operation.name", Some("invoke_agent"))
        .id("gen_ai.conversation.id", Some(cx.session_id))
        .id("gen_ai.agent.id", agent.map(|(id, _)| id))
        .str("gen_ai.agent.name", agent.map(|(_, name)| name))
        .id("agentops.session.id", Some(cx.session_id))
        .strs("agentops.session.tags", &record.tags)
        .str(
            "agentops.session.end_state",
            Some(record.end_state.as_str()),
        )
        .str(
            "agentops.session.end_state_reason",
            record.end_state_reason.as_deref(),
        )
        .str("agentops.session.video", record.video.as_deref());
    for (category, count) in EventCategory::ALL.iter().zip(record.event_counts) {
        let key = format!("agentops.session.event_counts.{}", category.as_str());
        a.int(&key, Some(count));
    }
    let (code, message) = match record.end_state {
        EndState::Success => (STATUS_OK, None),
        EndState::Fail => (STATUS_ERROR, record.end_state_reason.as_deref()),
        EndState::Indeterminate => (STATUS_UNSET, None),
    };
    span.status(code, message);
    span.end();
}
