//! The event model of agentops 0.3: Action, LLM, Tool and Error events, plus the generic
//! `Event("type", result=..., action_type=..., model=..., prompt=..., tags=...)` of its docs.
//!
//! Events are plain owned data. Building one costs an id (a thread-local RNG, ~16 ns) and a
//! clock read; serialising it is the exporter's job, on the uploader thread.

mod decode;
mod encoded;
mod fit;
pub mod id;
pub mod json;
mod llm_exchange;
pub mod names;
pub mod time;

use std::borrow::Cow;

use uuid::Uuid;

pub use encoded::EncodedEvent;
pub use fit::Cut;
pub use llm_exchange::{LlmApi, LlmExchange};

use crate::error::{Error, ErrorKind, Result};
use json::Json;
use time::Timestamp;

/// How a session ended, and the `result` of a generic event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndState {
    Success,
    Fail,
    Indeterminate,
}

impl EndState {
    pub fn as_str(self) -> &'static str {
        match self {
            EndState::Success => "Success",
            EndState::Fail => "Fail",
            EndState::Indeterminate => "Indeterminate",
        }
    }

    /// Accepts agentops 0.3's values (`"Success"`, `"Fail"`, `"Indeterminate"`), any case.
    pub fn parse(s: &str) -> Option<Self> {
        [EndState::Success, EndState::Fail, EndState::Indeterminate]
            .into_iter()
            .find(|state| state.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// As [`EndState::from_user`] for bindings that, like agentops 0.3, warn and go on: the
    /// warning is logged and the answer is `None`.
    pub fn from_user_or_warn(s: &str) -> Option<Self> {
        Self::from_user(s)
            .map_err(|err| log::warn!("{}", err.message()))
            .ok()
    }

    /// As [`EndState::parse`], with agentops 0.3's warning text as the error.
    pub fn from_user(s: &str) -> Result<Self> {
        Self::parse(s).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "Invalid end_state {s:?}. Please use one of the EndState enums (\"Success\", \"Fail\", \"Indeterminate\")"
                ),
            )
        })
    }
}

/// The five counters of a session's `event_counts`, in wire order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventCategory {
    Llms = 0,
    Tools = 1,
    Actions = 2,
    Errors = 3,
    Apis = 4,
}

impl EventCategory {
    pub const ALL: [EventCategory; 5] = [
        EventCategory::Llms,
        EventCategory::Tools,
        EventCategory::Actions,
        EventCategory::Errors,
        EventCategory::Apis,
    ];

    /// The wire `event_type` of the category (`llms`, `tools`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            EventCategory::Llms => "llms",
            EventCategory::Tools => "tools",
            EventCategory::Actions => "actions",
            EventCategory::Errors => "errors",
            EventCategory::Apis => "apis",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionFields {
    /// A `Cow` so the usual literal names cost no allocation.
    pub action_type: Option<Cow<'static, str>>,
    pub logs: Option<Json>,
    pub screenshot: Option<String>,
    /// Tags of this action (the Node `ActionEvent` takes them); empty costs nothing.
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LlmFields {
    pub thread_id: Option<Uuid>,
    pub prompt: Option<Json>,
    pub prompt_tokens: Option<u64>,
    pub completion: Option<Json>,
    pub completion_tokens: Option<u64>,
    pub model: Option<String>,
    pub cost: Option<f64>,
    /// The call's request and response bodies, still to be read into these fields (on the
    /// uploader's thread, see [`LlmExchange`]).
    pub exchange: Option<Box<LlmExchange>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolFields {
    pub name: Option<Cow<'static, str>>,
    pub logs: Option<Json>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorFields {
    pub trigger_event_id: Option<Uuid>,
    pub trigger_event_type: Option<String>,
    pub error_type: Option<String>,
    pub code: Option<String>,
    pub details: Option<String>,
    pub logs: Option<String>,
    pub timestamp: Option<Timestamp>,
}

/// The generic event of the original docs. `action_type` defaults to `"action"`, and to
/// `"llm"` when a model is set and no action type was given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenericFields {
    pub result: Option<EndState>,
    pub action_type: Option<String>,
    pub model: Option<String>,
    pub prompt: Option<Json>,
    pub tags: Vec<String>,
}

impl GenericFields {
    /// The action type of a generic event that was given none.
    pub fn default_action_type(has_model: bool) -> &'static str {
        if has_model { "llm" } else { "action" }
    }

    pub fn effective_action_type(&self) -> &str {
        match &self.action_type {
            Some(action_type) => action_type,
            None => Self::default_action_type(self.model.is_some()),
        }
    }
}

/// Kind-specific fields. The large, rarer kinds are boxed so an action event stays small.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Action(ActionFields),
    Llm(Box<LlmFields>),
    Tool(ToolFields),
    Error(Box<ErrorFields>),
    Generic(Box<GenericFields>),
}

impl EventKind {
    /// The wire `event_type` unless the event overrides it.
    pub fn default_event_type(&self) -> &'static str {
        self.category().as_str()
    }

    pub fn category(&self) -> EventCategory {
        match self {
            EventKind::Action(_) => EventCategory::Actions,
            EventKind::Llm(_) => EventCategory::Llms,
            EventKind::Tool(_) => EventCategory::Tools,
            EventKind::Error(_) => EventCategory::Errors,
            EventKind::Generic(g) if g.effective_action_type() == "llm" => EventCategory::Llms,
            EventKind::Generic(_) => EventCategory::Actions,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// UUIDv4, unique per event: the backend may use it to de-duplicate.
    pub id: Uuid,
    /// Overrides the kind's wire `event_type` (agentops 0.3 lets `ActionEvent("llms")` do so).
    pub event_type: Option<Cow<'static, str>>,
    pub params: Option<Json>,
    pub returns: Option<Json>,
    pub init_timestamp: Timestamp,
    /// Set to the record time when missing or equal to `init_timestamp` (as in 0.3).
    pub end_timestamp: Option<Timestamp>,
    pub agent_id: Option<Uuid>,
    pub kind: EventKind,
    /// What a binding cut from the payloads while converting them (counted in stats).
    pub truncated: Cut,
}

impl Event {
    pub fn new(kind: EventKind) -> Self {
        Self::started_at(kind, Timestamp::now())
    }

    /// An event that began at `init_timestamp` (spares the clock read of [`Event::new`]).
    pub fn started_at(kind: EventKind, init_timestamp: Timestamp) -> Self {
        Self::identified(kind, id::new_id(), init_timestamp)
    }

    /// An event whose id and start the caller already has (a binding's event object made
    /// them when it was built): neither is made twice.
    pub fn identified(kind: EventKind, id: Uuid, init_timestamp: Timestamp) -> Self {
        Event {
            id,
            event_type: None,
            params: None,
            returns: None,
            init_timestamp,
            end_timestamp: None,
            agent_id: None,
            kind,
            truncated: Cut::default(),
        }
    }

    pub fn action(action_type: impl Into<Cow<'static, str>>) -> Self {
        Self::new(EventKind::Action(ActionFields {
            action_type: Some(action_type.into()),
            ..Default::default()
        }))
    }

    pub fn tool(name: impl Into<Cow<'static, str>>) -> Self {
        Self::new(EventKind::Tool(ToolFields {
            name: Some(name.into()),
            ..Default::default()
        }))
    }

    pub fn llm(fields: LlmFields) -> Self {
        Self::new(EventKind::Llm(Box::new(fields)))
    }

    /// An error event; link it to the event that failed with [`Event::triggered_by`].
    pub fn error(fields: ErrorFields) -> Self {
        let mut fields = fields;
        let event = Self::new(EventKind::Error(Box::default()));
        fields.timestamp.get_or_insert(event.init_timestamp);
        Event {
            kind: EventKind::Error(Box::new(fields)),
            ..event
        }
    }

    /// The generic event of the original docs: `event_type` is free text.
    pub fn generic(event_type: impl Into<String>, fields: GenericFields) -> Self {
        let mut event = Self::new(EventKind::Generic(Box::new(fields)));
        event.event_type = Some(Cow::Owned(event_type.into()));
        event
    }

    /// `params` from a `Value` (or anything convertible into one).
    pub fn with_params(mut self, params: impl Into<Json>) -> Self {
        self.params = Some(params.into());
        self
    }

    /// `params` encoded now from any `Serialize` value: cheaper than building a `Value`
    /// and far more compact while the event waits in the buffer.
    pub fn with_params_of<T: serde::Serialize + ?Sized>(mut self, params: &T) -> Self {
        self.params = Some(Json::encode(params));
        self
    }

    pub fn with_returns(mut self, returns: impl Into<Json>) -> Self {
        self.returns = Some(returns.into());
        self
    }

    /// `returns` encoded now from any `Serialize` value (see [`Event::with_params_of`]).
    pub fn with_returns_of<T: serde::Serialize + ?Sized>(mut self, returns: &T) -> Self {
        self.returns = Some(Json::encode(returns));
        self
    }

    pub fn with_agent(mut self, agent_id: Uuid) -> Self {
        self.agent_id = Some(agent_id);
        self
    }

    /// Sets `trigger_event_id` / `trigger_event_type` of an error event (no-op on other kinds).
    pub fn triggered_by(self, trigger: &Event) -> Self {
        let (id, event_type) = (trigger.id, trigger.event_type().to_owned());
        self.triggered_by_id(id, event_type)
    }

    /// As [`Event::triggered_by`], for a trigger known only by its id and wire type.
    pub fn triggered_by_id(mut self, id: Uuid, event_type: impl Into<String>) -> Self {
        if let EventKind::Error(fields) = &mut self.kind {
            fields.trigger_event_id = Some(id);
            fields.trigger_event_type = Some(event_type.into());
        }
        self
    }

    /// The wire `event_type`.
    pub fn event_type(&self) -> &str {
        self.event_type
            .as_deref()
            .unwrap_or_else(|| self.kind.default_event_type())
    }

    /// Stamps the end time, as agentops 0.3 does at record time: now, unless an end time
    /// other than the start time was given. Returns the end time. Recording stamps every
    /// event; bindings call it first only to show the end time on their own event object.
    pub fn stamp_end(&mut self) -> Timestamp {
        self.stamp_end_with(Timestamp::now)
    }

    /// As [`Event::stamp_end`], for an event recorded at `recorded_at`.
    pub fn stamp_end_at(&mut self, recorded_at: Timestamp) -> Timestamp {
        self.stamp_end_with(|| recorded_at)
    }

    fn stamp_end_with(&mut self, now: impl FnOnce() -> Timestamp) -> Timestamp {
        match self.end_timestamp {
            Some(end) if end != self.init_timestamp => end,
            _ => *self.end_timestamp.insert(now()),
        }
    }

    /// A cheap estimate of the serialised size, used for the byte bound of the buffer.
    /// Walks `params`/`returns` without formatting anything.
    pub fn estimated_size(&self) -> usize {
        const FIXED: usize = 220; // id, timestamps, session id, keys and punctuation
        let values = [self.params.as_ref(), self.returns.as_ref()];
        let mut size = FIXED
            + values
                .into_iter()
                .flatten()
                .map(Json::estimated_size)
                .sum::<usize>();
        let strings =
            |items: &[Option<&str>]| items.iter().flatten().map(|s| s.len() + 16).sum::<usize>();
        size += match &self.kind {
            EventKind::Action(a) => {
                strings(&[a.action_type.as_deref(), a.screenshot.as_deref()])
                    + a.logs.as_ref().map_or(0, Json::estimated_size)
            }
            EventKind::Tool(t) => {
                strings(&[t.name.as_deref()]) + t.logs.as_ref().map_or(0, Json::estimated_size)
            }
            EventKind::Llm(l) => {
                120 + strings(&[l.model.as_deref()])
                    + [&l.prompt, &l.completion]
                        .into_iter()
                        .flatten()
                        .map(Json::estimated_size)
                        .sum::<usize>()
                    + l.exchange.as_ref().map_or(0, |x| x.estimated_size())
            }
            EventKind::Error(e) => {
                120 + strings(&[
                    e.trigger_event_type.as_deref(),
                    e.error_type.as_deref(),
                    e.code.as_deref(),
                    e.details.as_deref(),
                    e.logs.as_deref(),
                ])
            }
            EventKind::Generic(g) => {
                40 + strings(&[g.action_type.as_deref(), g.model.as_deref()])
                    + g.prompt.as_ref().map_or(0, Json::estimated_size)
                    + g.tags.iter().map(|t| t.len() + 3).sum::<usize>()
            }
        };
        size + self.event_type.as_ref().map_or(0, |t| t.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_action_type_defaults_and_coerces_to_llm() {
        let plain = GenericFields::default();
        assert_eq!(plain.effective_action_type(), "action");
        let with_model = GenericFields {
            model: Some("gpt-4o".into()),
            ..Default::default()
        };
        assert_eq!(with_model.effective_action_type(), "llm");
        let explicit = GenericFields {
            model: Some("m".into()),
            action_type: Some("tool".into()),
            ..Default::default()
        };
        assert_eq!(explicit.effective_action_type(), "tool");
        assert_eq!(
            Event::generic("t", with_model).kind.category(),
            EventCategory::Llms
        );
    }

    #[test]
    fn error_links_to_its_trigger_and_event_type_can_be_overridden() {
        let mut action = Event::action("a");
        action.event_type = Some(Cow::Borrowed("llms"));
        let err = Event::error(ErrorFields {
            error_type: Some("ValueError".into()),
            ..Default::default()
        })
        .triggered_by(&action);
        let EventKind::Error(f) = &err.kind else {
            panic!("not an error event")
        };
        assert_eq!(f.trigger_event_id, Some(action.id));
        assert_eq!(f.trigger_event_type.as_deref(), Some("llms"));
        assert_eq!(f.timestamp, Some(err.init_timestamp));
        assert_eq!(err.event_type(), "errors");
    }

    #[test]
    fn end_state_parses_reference_values_only() {
        assert_eq!(EndState::parse("Success"), Some(EndState::Success));
        assert_eq!(EndState::parse("fail"), Some(EndState::Fail));
        assert_eq!(EndState::parse("Done"), None);
    }

    #[test]
    fn size_estimate_grows_with_payload() {
        let small = Event::action("x");
        let big = Event::action("x").with_params(serde_json::json!({"prompt": "p".repeat(10_000)}));
        assert!(big.estimated_size() > small.estimated_size() + 10_000);
    }
}
