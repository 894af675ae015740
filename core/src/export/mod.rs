//! Exporters: where the uploader sends sessions and batches of events.
//!
//! The uploader owns batching, ordering, retries and accounting; an exporter only speaks
//! one protocol and classifies each answer into an [`Outcome`]. That split is what lets the
//! AgentOps REST v2, local JSONL files and (later) OTLP share one worker.

mod agentops_v2;
mod batch;
mod file;
mod http;

use std::time::Duration;

use uuid::Uuid;

pub use agentops_v2::AgentOpsV2Exporter;
pub use batch::EncodedBatch;
pub use file::FileExporter;

use crate::event::Event;
use crate::wire::SessionRecord;

/// How one export call ended, as the retry policy needs to know it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    Done(T),
    /// Transient: connect error, timeout, 408, 429, 5xx. `status` is `None` for transport
    /// errors; `after` is the server's `Retry-After`, if any.
    Retry {
        status: Option<u16>,
        after: Option<Duration>,
        why: String,
    },
    /// 401/403: the credentials (JWT) must be refreshed before resending.
    Unauthorized {
        why: String,
    },
    /// 413: the batch must be split.
    TooLarge,
    /// A definite refusal that resending cannot fix (other 4xx, a malformed answer).
    Rejected {
        why: String,
    },
}

/// The answer to starting (or re-adopting) a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    /// Bearer token for the session's later calls (`None` for exporters without auth).
    pub token: Option<String>,
}

/// The answer to `update_session`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Updated {
    pub token_cost: Option<f64>,
}

/// The session a call is about, with its current token.
#[derive(Debug, Clone, Copy)]
pub struct SessionRef<'a> {
    pub id: &'a Uuid,
    pub token: Option<&'a str>,
}

pub trait Exporter: Send + 'static {
    /// Encodes one event as an item of this exporter's batches (called on the worker thread
    /// as soon as the event is received, so buffered events are compact bytes).
    fn encode_event(&self, event: &Event, session_id: &Uuid, out: &mut Vec<u8>);

    fn start_session(&mut self, record: &SessionRecord, timeout: Duration) -> Outcome<Started>;

    /// Gets a fresh token for an existing session (after a 401, or in a forked child).
    fn reauthorize(&mut self, session_id: &Uuid, timeout: Duration) -> Outcome<Started>;

    fn send_events(
        &mut self,
        session: SessionRef<'_>,
        batch: &EncodedBatch,
        timeout: Duration,
    ) -> Outcome<()>;

    /// Tag changes (`ending == false`) and the final update (`ending == true`).
    fn update_session(
        &mut self,
        session: SessionRef<'_>,
        record: &SessionRecord,
        ending: bool,
        timeout: Duration,
    ) -> Outcome<Updated>;

    fn create_agent(
        &mut self,
        session: SessionRef<'_>,
        agent_id: &Uuid,
        name: &str,
        timeout: Duration,
    ) -> Outcome<()>;

    /// Makes everything exported so far durable (files are flushed); network exporters
    /// have nothing to do.
    fn flush(&mut self) {}
}
