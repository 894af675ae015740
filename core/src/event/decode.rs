//! Reading an event from JSON: the shape the exporters write (AgentOps v2 keys), so a
//! binding that serialises its events on its own side (Node's `JSON.stringify`, a C
//! caller's text) and a reader of exported files share one decoder.
//!
//! Lenient like the SDK it replaces: a field of the wrong type is dropped, never the
//! event. Timestamps are ISO-8601 text or epoch milliseconds (fractions allowed, so a JS
//! `performance` clock keeps its microseconds). An optional `"kind"` (`action`, `llm`,
//! `tool`, `error`, `generic`) picks the event class; without it the class follows
//! `event_type`. An LLM event may name the API of its call in `"api"` (`openai.chat`,
//! `anthropic.messages`): its `prompt`, `model`, `completion` and token counts not given are
//! then read from its `params` (the request) and `returns` (the answer) by the core's rule
//! for that API ([`LlmApi::read`]), which every binding shares.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use uuid::Uuid;

use super::time::Timestamp;
use super::{
    ActionFields, Cut, EndState, ErrorFields, Event, EventKind, GenericFields, Json, LlmApi,
    LlmExchange, LlmFields, ToolFields, id, names,
};
use crate::error::{Error, ErrorKind, Result};

impl Event {
    /// The event written as one JSON object. An `InvalidArgument` error only when the
    /// text is not a JSON object; wrong field types are ignored.
    pub fn from_json(text: &str) -> Result<Event> {
        let invalid = |why: String| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("an event must be a JSON object: {why}"),
            )
        };
        // serde would also read a struct from an array.
        if !text.trim_start().starts_with('{') {
            return Err(invalid("it is not one".to_owned()));
        }
        let wire: WireEvent<'_> = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        Ok(wire.into_event())
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireEvent<'a> {
    #[serde(borrow)]
    kind: Text<'a>,
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    event_type: Text<'a>,
    #[serde(borrow)]
    params: Option<&'a RawValue>,
    #[serde(borrow)]
    returns: Option<&'a RawValue>,
    init_timestamp: Time,
    end_timestamp: Time,
    #[serde(borrow)]
    agent_id: Text<'a>,
    #[serde(borrow)]
    action_type: Text<'a>,
    #[serde(borrow)]
    logs: Option<&'a RawValue>,
    #[serde(borrow)]
    screenshot: Text<'a>,
    #[serde(borrow)]
    thread_id: Text<'a>,
    #[serde(borrow)]
    prompt: Option<&'a RawValue>,
    prompt_tokens: Count,
    #[serde(borrow)]
    completion: Option<&'a RawValue>,
    completion_tokens: Count,
    #[serde(borrow)]
    model: Text<'a>,
    cost: Number,
    #[serde(borrow)]
    api: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    trigger_event_id: Text<'a>,
    #[serde(borrow)]
    trigger_event_type: Text<'a>,
    #[serde(borrow)]
    error_type: Text<'a>,
    #[serde(borrow)]
    code: Text<'a>,
    #[serde(borrow)]
    details: Option<&'a RawValue>,
    timestamp: Time,
    #[serde(borrow)]
    result: Text<'a>,
    tags: Tags,
}

impl WireEvent<'_> {
    fn into_event(self) -> Event {
        let kind = self.kind_fields();
        let exchanged = matches!(&kind, EventKind::Llm(l) if l.exchange.is_some());
        let default_type = kind.default_event_type();
        // Built whole: `Event::new` would draw an id and read the clock for nothing.
        let init_timestamp = self.init_timestamp.get().unwrap_or_else(Timestamp::now);
        let mut event = Event {
            id: uuid(&self.id).unwrap_or_else(id::new_id),
            event_type: match self.event_type.0 {
                Some(t) if t != default_type => Some(Cow::Owned(t.into_owned())),
                _ => None,
            },
            // An LLM call naming its API hands them to its exchange, which reads them.
            params: json(self.params).filter(|_| !exchanged),
            returns: json(self.returns).filter(|_| !exchanged),
            init_timestamp,
            end_timestamp: self.end_timestamp.get(),
            agent_id: uuid(&self.agent_id),
            kind,
            truncated: Cut::default(),
        };
        if let EventKind::Error(fields) = &mut event.kind {
            fields.timestamp.get_or_insert(init_timestamp);
        }
        event
    }

    fn class(&self) -> &str {
        match (self.kind.0.as_deref(), self.event_type.0.as_deref()) {
            (Some(kind), _) => kind,
            (None, Some("actions") | None) => "action",
            (None, Some("llms")) => "llm",
            (None, Some("tools")) => "tool",
            (None, Some("errors")) => "error",
            (None, Some(_)) => "generic",
        }
    }

    fn kind_fields(&self) -> EventKind {
        match self.class() {
            "llm" => EventKind::Llm(Box::new(self.llm_fields())),
            "tool" => EventKind::Tool(ToolFields {
                name: self.name.0.as_deref().map(names::name),
                logs: json(self.logs),
            }),
            "error" => EventKind::Error(Box::new(ErrorFields {
                trigger_event_id: uuid(&self.trigger_event_id),
                trigger_event_type: owned(&self.trigger_event_type),
                error_type: owned(&self.error_type),
                code: owned(&self.code),
                details: text_of(self.details),
                logs: text_of(self.logs),
                timestamp: self.timestamp.get(),
            })),
            "generic" => EventKind::Generic(Box::new(GenericFields {
                result: self.result.0.as_deref().and_then(EndState::parse),
                action_type: owned(&self.action_type),
                model: owned(&self.model),
                prompt: json(self.prompt),
                tags: self.tags.0.clone(),
            })),
            _ => EventKind::Action(ActionFields {
                action_type: self.action_type.0.as_deref().map(names::name),
                logs: json(self.logs),
                screenshot: owned(&self.screenshot),
                tags: self.tags.0.clone(),
            }),
        }
    }
}

impl WireEvent<'_> {
    fn llm_fields(&self) -> LlmFields {
        let mut fields = LlmFields {
            thread_id: uuid(&self.thread_id),
            prompt: json(self.prompt),
            prompt_tokens: self.prompt_tokens.0,
            completion: json(self.completion),
            completion_tokens: self.completion_tokens.0,
            model: owned(&self.model),
            cost: self.cost.0,
            exchange: None,
        };
        // Read where exchanges are read: on the uploader's thread.
        if let Some(api) = self.api.0.as_deref().and_then(LlmApi::parse) {
            let text = |raw: Option<&RawValue>| raw.map(|r| r.get().as_bytes().to_vec());
            let exchange = LlmExchange::of_call(api, text(self.params), text(self.returns));
            fields.exchange = Some(Box::new(exchange));
        }
        fields
    }
}

fn owned(text: &Text<'_>) -> Option<String> {
    text.0.as_deref().map(str::to_owned)
}

fn uuid(text: &Text<'_>) -> Option<Uuid> {
    text.0
        .as_deref()
        .and_then(|t| Uuid::try_parse(t.trim()).ok())
}

/// A payload: its text is already valid JSON (serde checked it while reading the event).
fn json(raw: Option<&RawValue>) -> Option<Json> {
    raw.filter(|r| r.get() != "null")
        .map(|r| Json::from_valid_text(r.get()))
}

/// A text field that may hold any JSON: a string as itself, anything else as its JSON.
fn text_of(raw: Option<&RawValue>) -> Option<String> {
    let raw = raw.filter(|r| r.get() != "null")?;
    match serde_json::from_str::<String>(raw.get()) {
        Ok(s) => Some(s),
        Err(_) => Some(raw.get().to_owned()),
    }
}

/// A JSON scalar, borrowed where it can be; arrays and objects are skipped as absent.
#[derive(Default)]
enum Scalar<'a> {
    #[default]
    Absent,
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E> {
        Ok(Scalar::Num(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E> {
        Ok(Scalar::Num(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Self::Value, E> {
        Ok(Scalar::Num(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(Scalar::Absent)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> std::result::Result<Self::Value, A::Error> {
        while a.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Absent)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> std::result::Result<Self::Value, A::Error> {
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Absent)
    }
}

/// A string; a number or a boolean as its text; anything else as absent.
#[derive(Default)]
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(Text(match Scalar::deserialize(d)? {
            Scalar::Str(s) => Some(s),
            Scalar::Num(n) => Some(Cow::Owned(n.to_string())),
            Scalar::Bool(b) => Some(Cow::Owned(b.to_string())),
            Scalar::Absent => None,
        }))
    }
}

/// A finite number; a numeric string counts; anything else is absent.
#[derive(Default)]
struct Number(Option<f64>);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let n = match Scalar::deserialize(d)? {
            Scalar::Num(n) => Some(n),
            Scalar::Str(s) => s.trim().parse::<f64>().ok(),
            Scalar::Bool(_) | Scalar::Absent => None,
        };
        Ok(Number(n.filter(|f| f.is_finite())))
    }
}

/// A non-negative count (a fraction is cut off).
#[derive(Default)]
struct Count(Option<u64>);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let n = Number::deserialize(d)?;
        Ok(Count(n.0.filter(|f| *f >= 0.0).map(|f| f as u64)))
    }
}

/// ISO-8601 text or epoch milliseconds.
#[derive(Default)]
struct Time(Option<Timestamp>);

impl Time {
    fn get(&self) -> Option<Timestamp> {
        self.0
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let micros = |ms: f64| Timestamp::from_micros((ms * 1000.0).round() as i64);
        Ok(Time(match Scalar::deserialize(d)? {
            Scalar::Num(ms) if ms.is_finite() => Some(micros(ms)),
            Scalar::Str(s) => match s.trim().parse::<f64>() {
                Ok(ms) if ms.is_finite() => Some(micros(ms)),
                _ => Timestamp::parse_iso(&s),
            },
            _ => None,
        }))
    }
}

/// Tags: a list of strings, or one comma-separated string.
#[derive(Default)]
struct Tags(Vec<String>);

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let items = match serde_json::Value::deserialize(d)? {
            serde_json::Value::Array(items) => items
                .into_iter()
                .filter_map(|v| match v {
                    serde_json::Value::String(s) => Some(s),
                    serde_json::Value::Null => None,
                    other => Some(other.to_string()),
                })
                .collect(),
            serde_json::Value::String(s) => s.split(',').map(|t| t.trim().to_owned()).collect(),
            _ => Vec::new(),
        };
        Ok(Tags(
            items
                .into_iter()
                .filter(|t: &String| !t.is_empty())
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decode(v: serde_json::Value) -> Event {
        let mut event = Event::from_json(&v.to_string()).unwrap();
        event.settle_exchange(); // as the uploader's thread does
        event
    }

    #[test]
    fn an_action_keeps_its_id_times_payloads_and_agent() {
        let id = Uuid::new_v4();
        let agent = Uuid::new_v4();
        let e = decode(json!({
            "kind": "action", "id": id.to_string(), "action_type": "search",
            "params": {"q": [1, "two"]}, "returns": "ok", "logs": ["l"],
            "init_timestamp": 1_700_000_000_123.456, "end_timestamp": "2023-11-14T22:13:21Z",
            "agent_id": agent.to_string(), "screenshot": "s.png"
        }));
        assert_eq!(e.id, id);
        assert_eq!(e.agent_id, Some(agent));
        assert_eq!(e.init_timestamp.as_micros(), 1_700_000_000_123_456);
        assert_eq!(e.end_timestamp.unwrap().as_micros(), 1_700_000_001_000_000);
        assert_eq!(e.params.unwrap().to_value(), json!({"q": [1, "two"]}));
        assert_eq!(e.returns.unwrap().to_value(), json!("ok"));
        let EventKind::Action(a) = e.kind else {
            panic!()
        };
        assert_eq!(a.action_type.as_deref(), Some("search"));
        assert_eq!(a.logs.unwrap().to_value(), json!(["l"]));
        assert_eq!(a.screenshot.as_deref(), Some("s.png"));
        assert_eq!(e.event_type, None);
    }

    #[test]
    fn an_llm_event_naming_its_api_reads_its_fields_from_params_and_returns() {
        let request = json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]});
        let answer = json!({"model": "gpt-4o-2024", "choices": [{"index": 0,
            "message": {"role": "assistant", "content": "hello"}}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2}});
        let e = decode(
            json!({"kind": "llm", "api": "openai.chat", "params": request,
            "returns": answer, "completion_tokens": 9}),
        );
        assert_eq!(e.params.unwrap().to_value(), request);
        assert_eq!(e.returns.unwrap().to_value(), answer);
        let EventKind::Llm(l) = e.kind else { panic!() };
        assert_eq!(l.prompt.unwrap().to_value(), request["messages"]);
        assert_eq!(
            l.completion.unwrap().to_value(),
            answer["choices"][0]["message"]
        );
        assert_eq!(
            l.model.as_deref(),
            Some("gpt-4o-2024"),
            "the answer's model wins"
        );
        assert_eq!(
            (l.prompt_tokens, l.completion_tokens),
            (Some(5), Some(9)),
            "given fields are kept"
        );

        // A failed call (no answer) still gets its prompt and model from the request; an
        // unknown API reads nothing.
        let failed = decode(json!({"kind": "llm", "api": "anthropic.messages",
            "params": {"model": "claude", "system": "terse", "messages": []}}));
        let EventKind::Llm(l) = failed.kind else {
            panic!()
        };
        assert_eq!(l.model.as_deref(), Some("claude"));
        assert_eq!(
            l.prompt.unwrap().to_value(),
            json!([{"role": "system", "content": "terse"}])
        );
        let unknown = decode(json!({"kind": "llm", "api": "nope", "params": request}));
        let EventKind::Llm(l) = unknown.kind else {
            panic!()
        };
        assert!(l.prompt.is_none() && l.model.is_none());
    }

    #[test]
    fn the_class_follows_kind_else_event_type() {
        let e = decode(json!({"event_type": "llms", "model": "m", "prompt_tokens": 3.9}));
        let EventKind::Llm(l) = e.kind else { panic!() };
        assert_eq!((l.model.as_deref(), l.prompt_tokens), (Some("m"), Some(3)));
        assert!(matches!(
            decode(json!({"event_type": "tools"})).kind,
            EventKind::Tool(_)
        ));
        let g = decode(
            json!({"kind": "generic", "event_type": "actions", "model": "m", "tags": "a, b"}),
        );
        assert_eq!(g.event_type(), "actions");
        let EventKind::Generic(f) = g.kind else {
            panic!()
        };
        assert_eq!(
            (f.effective_action_type(), &f.tags[..]),
            ("llm", &["a".to_owned(), "b".to_owned()][..])
        );
        assert_eq!(
            decode(json!({"event_type": "custom"})).event_type(),
            "custom"
        );
    }

    #[test]
    fn an_error_takes_any_details_as_text_and_defaults_its_timestamp() {
        let trigger = Uuid::new_v4();
        let e = decode(json!({
            "kind": "error", "error_type": "TypeError", "code": 42,
            "details": {"why": "x"}, "logs": "stack", "trigger_event_id": trigger.to_string(),
            "trigger_event_type": "actions", "init_timestamp": 5.0
        }));
        let EventKind::Error(f) = e.kind else {
            panic!()
        };
        assert_eq!(f.trigger_event_id, Some(trigger));
        assert_eq!(f.code.as_deref(), Some("42"));
        assert_eq!(f.details.as_deref(), Some(r#"{"why":"x"}"#));
        assert_eq!(f.logs.as_deref(), Some("stack"));
        assert_eq!(f.timestamp.map(Timestamp::as_micros), Some(5_000));
    }

    #[test]
    fn wrong_types_lose_the_field_not_the_event() {
        let e = decode(json!({
            "kind": "llm", "id": "not-a-uuid", "model": {"x": 1}, "prompt_tokens": -1,
            "completion_tokens": "7", "cost": "NaN", "init_timestamp": [1], "agent_id": 3,
            "params": null, "thread_id": true
        }));
        let EventKind::Llm(l) = &e.kind else { panic!() };
        assert_eq!(l.model, None);
        assert_eq!(
            (l.prompt_tokens, l.completion_tokens, l.cost),
            (None, Some(7), None)
        );
        assert_eq!(
            (e.agent_id, e.params.is_none(), l.thread_id),
            (None, true, None)
        );
        assert!(Event::from_json("[1]").is_err());
        assert!(Event::from_json("{\"kind\": ").is_err());
    }

    #[test]
    fn escaped_strings_are_read() {
        let e = decode(json!({"kind": "tool", "name": "a\"b\u{e9}"}));
        let EventKind::Tool(t) = e.kind else { panic!() };
        assert_eq!(t.name.as_deref(), Some("a\"b\u{e9}"));
    }
}
