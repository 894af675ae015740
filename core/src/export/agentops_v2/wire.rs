//! The AgentOps REST v2 JSON shapes: events with null fields omitted, and the curated
//! session object (never the JWT, never internals). The file exporter writes the same
//! shapes, one per line.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use uuid::Uuid;

use crate::event::{EndState, Event, EventCategory, EventKind};
use crate::export::SessionRecord;
use crate::export::json_writer::{ObjectWriter, WriterCache};

/// Appends the v2 JSON of one event, stamped with its session id, to `out`.
pub fn write_event(e: &Event, session_id: &Uuid, cache: &WriterCache, out: &mut Vec<u8>) {
    let mut w = ObjectWriter::new(out, cache);
    w.id("id", Some(&e.id))
        .str("event_type", Some(e.event_type()))
        .json("params", e.params.as_ref())
        .json("returns", e.returns.as_ref())
        .time("init_timestamp", Some(e.init_timestamp))
        .time("end_timestamp", e.end_timestamp)
        .id("agent_id", e.agent_id.as_ref())
        .session_id("session_id", session_id);
    match &e.kind {
        EventKind::Action(a) => {
            w.str("action_type", a.action_type.as_deref())
                .json("logs", a.logs.as_ref())
                .str("screenshot", a.screenshot.as_deref());
            if !a.tags.is_empty() {
                w.strs("tags", &a.tags);
            }
        }
        EventKind::Llm(l) => {
            w.id("thread_id", l.thread_id.as_ref())
                .json("prompt", l.prompt.as_ref())
                .u64("prompt_tokens", l.prompt_tokens)
                .json("completion", l.completion.as_ref())
                .u64("completion_tokens", l.completion_tokens)
                .str("model", l.model.as_deref())
                .f64("cost", l.cost);
        }
        EventKind::Tool(t) => {
            w.str("name", t.name.as_deref())
                .json("logs", t.logs.as_ref());
        }
        EventKind::Error(r) => {
            w.id("trigger_event_id", r.trigger_event_id.as_ref())
                .str("trigger_event_type", r.trigger_event_type.as_deref())
                .str("error_type", r.error_type.as_deref())
                .str("code", r.code.as_deref())
                .str("details", r.details.as_deref())
                .str("logs", r.logs.as_deref())
                .time("timestamp", r.timestamp);
        }
        EventKind::Generic(g) => {
            w.str("result", g.result.map(EndState::as_str))
                .str("action_type", Some(g.effective_action_type()))
                .str("model", g.model.as_deref())
                .json("prompt", g.prompt.as_ref());
            if !g.tags.is_empty() {
                w.strs("tags", &g.tags);
            }
        }
    }
    w.end();
}

struct Id<'a>(&'a Uuid);

impl Serialize for Id<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = Uuid::encode_buffer();
        s.serialize_str(self.0.hyphenated().encode_lower(&mut buf))
    }
}

/// `map.serialize_entry` only for present values: agentops 0.3 omits nulls.
fn opt<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &str,
    value: Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => map.serialize_entry(key, &v),
        None => Ok(()),
    }
}

/// The curated session object of `create_session` / `update_session`.
pub struct WireSession<'a> {
    pub record: &'a SessionRecord,
    /// The host environment sent with the session (`None` when the user opted out).
    pub host_env: Option<&'a Value>,
}

impl Serialize for WireSession<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.record;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("session_id", &Id(&r.session_id))?;
        map.serialize_entry("init_timestamp", &r.init_timestamp)?;
        opt(&mut map, "end_timestamp", r.end_timestamp)?;
        map.serialize_entry("end_state", r.end_state.as_str())?;
        opt(&mut map, "end_state_reason", r.end_state_reason.as_ref())?;
        map.serialize_entry("tags", &r.tags)?;
        opt(&mut map, "video", r.video.as_ref())?;
        map.serialize_entry("event_counts", &EventCounts(&r.event_counts))?;
        opt(&mut map, "host_env", self.host_env)?;
        map.end()
    }
}

struct EventCounts<'a>(&'a [u64; 5]);

impl Serialize for EventCounts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(5))?;
        for category in EventCategory::ALL {
            map.serialize_entry(category.as_str(), &self.0[category as usize])?;
        }
        map.end()
    }
}

/// A minimal host environment (no package lists, no hostname): enough to tell SDKs and
/// platforms apart without shipping the user's machine inventory.
pub fn host_env(sdk_language: &str) -> Value {
    serde_json::json!({
        "SDK": {"AgentOps SDK Version": env!("CARGO_PKG_VERSION"), "Language": sdk_language, "Core": "agentops-rs"},
        "OS": {"OS": std::env::consts::OS, "Arch": std::env::consts::ARCH},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::time::Timestamp;
    use crate::event::{ErrorFields, GenericFields, LlmFields};
    use serde_json::json;

    fn to_json(event: &Event, session: &Uuid) -> Value {
        let mut out = Vec::new();
        write_event(event, session, &WriterCache::default(), &mut out);
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn each_event_carries_its_own_session_id_when_sessions_alternate_in_one_writer() {
        let cache = WriterCache::default();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let event = Event::action("x");
        for session in [a, a, b, a, b, b] {
            let mut out = Vec::new();
            write_event(&event, &session, &cache, &mut out);
            let written: Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(written["session_id"], json!(session.to_string()));
        }
    }

    #[test]
    fn action_event_matches_the_v2_shape_with_nulls_omitted() {
        let session = Uuid::new_v4();
        let mut e = Event::action("my_action")
            .with_params(json!({"x": 1}))
            .with_returns(json!([6, "tuple"]));
        e.stamp_end();
        let v = to_json(&e, &session);
        assert_eq!(v["event_type"], "actions");
        assert_eq!(v["action_type"], "my_action");
        assert_eq!(v["params"], json!({"x": 1}));
        assert_eq!(v["returns"], json!([6, "tuple"]));
        assert_eq!(v["id"], e.id.to_string());
        assert_eq!(v["session_id"], session.to_string());
        assert!(v["init_timestamp"].as_str().unwrap().ends_with("+00:00"));
        for absent in ["agent_id", "logs", "screenshot"] {
            assert!(v.get(absent).is_none(), "{absent} should be omitted");
        }
    }

    #[test]
    fn every_kind_uses_its_wire_event_type_and_fields() {
        let s = Uuid::new_v4();
        let llm = Event::llm(LlmFields {
            model: Some("m".into()),
            prompt_tokens: Some(1),
            cost: Some(0.5),
            ..Default::default()
        });
        let v = to_json(&llm, &s);
        assert_eq!(
            (
                v["event_type"].as_str(),
                v["model"].as_str(),
                v["prompt_tokens"].as_u64()
            ),
            (Some("llms"), Some("m"), Some(1))
        );
        assert_eq!(v["cost"], 0.5);
        let v = to_json(&Event::tool("t"), &s);
        assert_eq!(
            (v["event_type"].as_str(), v["name"].as_str()),
            (Some("tools"), Some("t"))
        );
        let trigger = Event::action("a");
        let err = Event::error(ErrorFields {
            error_type: Some("E".into()),
            details: Some("d".into()),
            ..Default::default()
        })
        .triggered_by(&trigger);
        let v = to_json(&err, &s);
        assert_eq!(v["event_type"], "errors");
        assert_eq!(v["trigger_event_id"], trigger.id.to_string());
        assert_eq!(v["trigger_event_type"], "actions");
        assert!(v["timestamp"].is_string());
        let generic = Event::generic(
            "agent_step",
            GenericFields {
                model: Some("m".into()),
                result: Some(EndState::Success),
                tags: vec!["a".into()],
                ..Default::default()
            },
        );
        let v = to_json(&generic, &s);
        assert_eq!(v["event_type"], "agent_step");
        assert_eq!(v["action_type"], "llm");
        assert_eq!(v["result"], "Success");
        assert_eq!(v["tags"], json!(["a"]));
    }

    #[test]
    fn session_record_is_curated() {
        let r = SessionRecord {
            session_id: Uuid::new_v4(),
            init_timestamp: Timestamp::now(),
            end_timestamp: None,
            end_state: EndState::Indeterminate,
            end_state_reason: None,
            tags: vec!["a".into()],
            video: None,
            event_counts: [1, 2, 3, 4, 0],
        };
        let v = serde_json::to_value(WireSession {
            record: &r,
            host_env: None,
        })
        .unwrap();
        assert_eq!(v["end_state"], "Indeterminate");
        assert_eq!(
            v["event_counts"],
            json!({"llms": 1, "tools": 2, "actions": 3, "errors": 4, "apis": 0})
        );
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "session_id",
                "init_timestamp",
                "end_state",
                "tags",
                "event_counts"
            ]
        );
    }
}
