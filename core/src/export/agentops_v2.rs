//! The AgentOps REST v2 protocol (reference §3): `create_session` → JWT, then
//! `create_events`, `update_session`, `create_agent` with `Authorization: Bearer <jwt>`.
//! The long-lived API key travels only on `create_session` and `reauthorize_jwt`.

use std::time::Duration;

use serde_json::Value;
use uuid::Uuid;

use super::http::{HttpTransport, snippet};
use super::{EncodedBatch, Exporter, Outcome, SessionRef, Started, Updated};
use crate::event::Event;
use crate::wire::{self, SessionRecord};

pub struct AgentOpsV2Exporter {
    http: HttpTransport,
    base: String,
    api_key: String,
    parent_key: Option<String>,
}

impl AgentOpsV2Exporter {
    pub fn new(endpoint: &str, api_key: String, parent_key: Option<String>) -> Self {
        AgentOpsV2Exporter {
            http: HttpTransport::new(),
            base: endpoint.trim_end_matches('/').to_owned(),
            api_key,
            parent_key,
        }
    }

    fn url(&self, route: &str) -> String {
        format!("{}/v2/{route}", self.base)
    }

    fn post_bearer(
        &self,
        route: &str,
        session: SessionRef<'_>,
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<Value, Outcome<()>> {
        let Some(token) = session.token else {
            return Err(Outcome::Unauthorized {
                why: "no JWT for this session yet".into(),
            });
        };
        let bearer = format!("Bearer {token}");
        let reply = self.http.post_json(
            &self.url(route),
            &[("Authorization", &bearer)],
            body,
            timeout,
        )?;
        Ok(serde_json::from_str(&reply.body).unwrap_or(Value::Null))
    }

    /// `create_session` and `reauthorize_jwt` both answer `{"jwt": ...}`.
    fn post_for_jwt(
        &self,
        route: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
        timeout: Duration,
    ) -> Outcome<Started> {
        match self
            .http
            .post_json(&self.url(route), headers, body, timeout)
        {
            Ok(reply) => match serde_json::from_str::<Value>(&reply.body) {
                Ok(v) => match v.get("jwt").and_then(Value::as_str) {
                    Some(jwt) if !jwt.is_empty() => Outcome::Done(Started {
                        token: Some(jwt.to_owned()),
                    }),
                    _ => Outcome::Rejected {
                        why: format!("{route}: the answer has no JWT"),
                    },
                },
                Err(_) => Outcome::Rejected {
                    why: format!("{route}: the answer is not JSON: {}", snippet(&reply.body)),
                },
            },
            Err(outcome) => retype(outcome),
        }
    }
}

/// Carries a failed `Outcome<()>` over to another success type.
fn retype<T>(outcome: Outcome<()>) -> Outcome<T> {
    match outcome {
        Outcome::Done(()) => unreachable!("post_json returns successes as Ok"),
        Outcome::Retry { status, after, why } => Outcome::Retry { status, after, why },
        Outcome::Unauthorized { why } => Outcome::Unauthorized { why },
        Outcome::TooLarge => Outcome::TooLarge,
        Outcome::Rejected { why } => Outcome::Rejected { why },
    }
}

fn token_cost(answer: &Value) -> Option<f64> {
    match answer.get("token_cost")? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl Exporter for AgentOpsV2Exporter {
    fn encode_event(&self, event: &Event, session_id: &Uuid, out: &mut Vec<u8>) {
        wire::write_event(event, session_id, out);
    }

    fn start_session(&mut self, record: &SessionRecord, timeout: Duration) -> Outcome<Started> {
        let body =
            serde_json::to_vec(&serde_json::json!({ "session": record })).unwrap_or_default();
        let mut headers = vec![("X-Agentops-Api-Key", self.api_key.as_str())];
        if let Some(parent) = &self.parent_key {
            headers.push(("X-Agentops-Parent-Key", parent.as_str()));
        }
        self.post_for_jwt("create_session", &headers, body, timeout)
    }

    fn reauthorize(&mut self, session_id: &Uuid, timeout: Duration) -> Outcome<Started> {
        let body = serde_json::to_vec(&serde_json::json!({ "session_id": session_id.to_string() }))
            .unwrap_or_default();
        self.post_for_jwt(
            "reauthorize_jwt",
            &[("X-Agentops-Api-Key", self.api_key.as_str())],
            body,
            timeout,
        )
    }

    fn send_events(
        &mut self,
        session: SessionRef<'_>,
        batch: &EncodedBatch,
        timeout: Duration,
    ) -> Outcome<()> {
        let body = batch.join(b"{\"events\":[", b",", b"]}");
        match self.post_bearer("create_events", session, body, timeout) {
            Ok(_) => Outcome::Done(()),
            Err(outcome) => outcome,
        }
    }

    fn update_session(
        &mut self,
        session: SessionRef<'_>,
        record: &SessionRecord,
        _ending: bool,
        timeout: Duration,
    ) -> Outcome<Updated> {
        let body =
            serde_json::to_vec(&serde_json::json!({ "session": record })).unwrap_or_default();
        match self.post_bearer("update_session", session, body, timeout) {
            Ok(answer) => Outcome::Done(Updated {
                token_cost: token_cost(&answer),
            }),
            Err(outcome) => retype(outcome),
        }
    }

    fn create_agent(
        &mut self,
        session: SessionRef<'_>,
        agent_id: &Uuid,
        name: &str,
        timeout: Duration,
    ) -> Outcome<()> {
        let body =
            serde_json::to_vec(&serde_json::json!({ "id": agent_id.to_string(), "name": name }))
                .unwrap_or_default();
        match self.post_bearer("create_agent", session, body, timeout) {
            Ok(_) => Outcome::Done(()),
            Err(outcome) => outcome,
        }
    }
}
