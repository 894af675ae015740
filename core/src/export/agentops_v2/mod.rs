//! The AgentOps REST v2 protocol: `create_session` → JWT, then `create_events`,
//! `update_session`, `create_agent` with `Authorization: Bearer <jwt>`. The long-lived API
//! key travels only on `create_session` and `reauthorize_jwt`.

pub mod wire;

use std::time::Duration;

use serde_json::Value;
use uuid::Uuid;

use super::http::{HttpTransport, snippet};
use super::{
    Accepted, EncodedBatch, ExportError, ExportResult, Exporter, Framing, SessionRecord,
    SessionRef, Started, Updated,
};
use crate::event::Event;
use crate::export::json_writer::WriterCache;
use wire::WireSession;

pub struct AgentOpsV2Exporter {
    http: HttpTransport,
    base: String,
    api_key: String,
    parent_key: Option<String>,
    host_env: Option<Value>,
    writer_cache: WriterCache,
}

impl AgentOpsV2Exporter {
    /// `host_env`: sent with every session (see [`wire::host_env`]); `None` to opt out.
    pub fn new(
        endpoint: &str,
        api_key: String,
        parent_key: Option<String>,
        host_env: Option<Value>,
    ) -> Self {
        AgentOpsV2Exporter {
            http: HttpTransport::new(),
            base: endpoint.trim_end_matches('/').to_owned(),
            api_key,
            parent_key,
            host_env,
            writer_cache: WriterCache::default(),
        }
    }

    fn url(&self, route: &str) -> String {
        format!("{}/v2/{route}", self.base)
    }

    fn session_body(&self, record: &SessionRecord) -> Vec<u8> {
        let session = WireSession {
            record,
            host_env: self.host_env.as_ref(),
        };
        serde_json::to_vec(&serde_json::json!({ "session": session })).unwrap_or_default()
    }

    fn post_bearer(
        &self,
        route: &str,
        session: SessionRef<'_>,
        body: &[u8],
        timeout: Duration,
    ) -> ExportResult<Value> {
        let Some(token) = session.token else {
            return Err(ExportError::Unauthorized {
                status: None,
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
        Ok(serde_json::from_slice(&reply.body).unwrap_or(Value::Null))
    }

    /// `create_session` and `reauthorize_jwt` both answer `{"jwt": ...}`.
    fn post_for_jwt(
        &self,
        route: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> ExportResult<Started> {
        let reply = self
            .http
            .post_json(&self.url(route), headers, body, timeout)?;
        let rejected = |why: String| ExportError::Rejected { status: None, why };
        let answer: Value = serde_json::from_slice(&reply.body).map_err(|_| {
            rejected(format!(
                "{route}: the answer is not JSON: {}",
                snippet(&reply.text())
            ))
        })?;
        match answer.get("jwt").and_then(Value::as_str) {
            Some(jwt) if !jwt.is_empty() => Ok(Started {
                token: Some(jwt.to_owned()),
            }),
            _ => Err(rejected(format!("{route}: the answer has no JWT"))),
        }
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
    fn framing(&self) -> Framing {
        Framing {
            prefix: b"{\"events\":[",
            separator: b",",
            suffix: b"]}",
        }
    }

    fn encode_event(&self, event: &Event, session_id: &Uuid, out: &mut Vec<u8>) {
        wire::write_event(event, session_id, &self.writer_cache, out);
    }

    fn start_session(
        &mut self,
        record: &SessionRecord,
        timeout: Duration,
    ) -> ExportResult<Started> {
        let body = self.session_body(record);
        let mut headers = vec![("X-Agentops-Api-Key", self.api_key.as_str())];
        if let Some(parent) = &self.parent_key {
            headers.push(("X-Agentops-Parent-Key", parent.as_str()));
        }
        self.post_for_jwt("create_session", &headers, &body, timeout)
    }

    fn reauthorize(&mut self, session_id: &Uuid, timeout: Duration) -> ExportResult<Started> {
        let body = serde_json::to_vec(&serde_json::json!({ "session_id": session_id.to_string() }))
            .unwrap_or_default();
        self.post_for_jwt(
            "reauthorize_jwt",
            &[("X-Agentops-Api-Key", self.api_key.as_str())],
            &body,
            timeout,
        )
    }

    fn send_events(
        &mut self,
        session: SessionRef<'_>,
        batch: &EncodedBatch,
        timeout: Duration,
    ) -> ExportResult<Accepted> {
        self.post_bearer("create_events", session, batch.body(), timeout)
            .map(|_| Accepted::default())
    }

    fn update_session(
        &mut self,
        session: SessionRef<'_>,
        record: &SessionRecord,
        _ending: bool,
        timeout: Duration,
    ) -> ExportResult<Updated> {
        let body = self.session_body(record);
        let answer = self.post_bearer("update_session", session, &body, timeout)?;
        Ok(Updated {
            token_cost: token_cost(&answer),
        })
    }

    fn create_agent(
        &mut self,
        session: SessionRef<'_>,
        agent_id: &Uuid,
        name: &str,
        timeout: Duration,
    ) -> ExportResult<()> {
        let body =
            serde_json::to_vec(&serde_json::json!({ "id": agent_id.to_string(), "name": name }))
                .unwrap_or_default();
        self.post_bearer("create_agent", session, &body, timeout)
            .map(drop)
    }
}
