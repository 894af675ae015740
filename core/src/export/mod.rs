//! Exporters: where the uploader sends sessions and batches of events.
//!
//! The uploader owns batching, ordering, retries and accounting; an exporter only speaks
//! one protocol and classifies each failure into an [`ExportError`]. That split is what
//! lets the AgentOps REST v2, local JSONL files and OTLP share one worker. Each exporter
//! owns its wire format: the rest of the core hands it plain data.

pub mod agentops_v2;
mod batch;
mod file;
mod http;
mod json_writer;
pub mod otlp;
#[cfg(test)]
pub(crate) mod scripted;

use std::time::Duration;

use uuid::Uuid;

pub use agentops_v2::AgentOpsV2Exporter;
pub use batch::{EncodedBatch, Framing};
pub use file::FileExporter;
pub use otlp::OtlpExporter;

use crate::event::{EndState, Event, time::Timestamp};

/// Why one export call failed, as the retry policy needs to know it.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportError {
    /// Transient: connect error, timeout, 408, 429, 5xx, a local I/O error. `status` is
    /// `None` for transport errors; `retry_after` is the server's `Retry-After`, if any.
    Transient {
        status: Option<u16>,
        retry_after: Option<Duration>,
        why: String,
    },
    /// 401/403: the credentials (JWT) must be refreshed before resending.
    Unauthorized { status: Option<u16>, why: String },
    /// 413: the batch must be split.
    TooLarge,
    /// A definite refusal that resending cannot fix (other 4xx, a malformed answer).
    Rejected { status: Option<u16>, why: String },
}

impl ExportError {
    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ExportError::Transient { status, .. }
            | ExportError::Unauthorized { status, .. }
            | ExportError::Rejected { status, .. } => *status,
            ExportError::TooLarge => Some(413),
        }
    }

    /// A short description for logs (never a key or a token).
    pub fn why(&self) -> &str {
        match self {
            ExportError::Transient { why, .. }
            | ExportError::Unauthorized { why, .. }
            | ExportError::Rejected { why, .. } => why,
            ExportError::TooLarge => "HTTP 413",
        }
    }
}

pub type ExportResult<T> = Result<T, ExportError>;

/// The answer to starting (or re-adopting) a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    /// Bearer token for the session's later calls (`None` for exporters without auth).
    pub token: Option<String>,
}

/// The answer to `send_events`: how many of the batch's events the backend refused while
/// taking the request (OTLP's `partialSuccess`); those are counted as dropped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Accepted {
    pub rejected: usize,
    /// The backend's reason for the rejection, if it gave one.
    pub why: Option<String>,
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

/// What an exporter is told about a session when it starts, changes and ends.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub session_id: Uuid,
    pub init_timestamp: Timestamp,
    pub end_timestamp: Option<Timestamp>,
    pub end_state: EndState,
    pub end_state_reason: Option<String>,
    pub tags: Vec<String>,
    pub video: Option<String>,
    /// Indexed like [`crate::event::EventCategory::ALL`].
    pub event_counts: [u64; 5],
}

pub trait Exporter: Send + 'static {
    /// How a batch's request body is framed around its items (default: a JSON array).
    fn framing(&self) -> Framing {
        Framing {
            prefix: b"[",
            separator: b",",
            suffix: b"]",
        }
    }

    /// Encodes one event as an item of this exporter's batches (on the worker thread, just
    /// before the batch is first sent).
    fn encode_event(&self, event: &Event, session_id: &Uuid, out: &mut Vec<u8>);

    fn start_session(&mut self, record: &SessionRecord, timeout: Duration)
    -> ExportResult<Started>;

    /// Gets a fresh token for an existing session (after a 401, or in a forked child).
    fn reauthorize(&mut self, session_id: &Uuid, timeout: Duration) -> ExportResult<Started>;

    fn send_events(
        &mut self,
        session: SessionRef<'_>,
        batch: &EncodedBatch,
        timeout: Duration,
    ) -> ExportResult<Accepted>;

    /// Tag changes (`ending == false`) and the final update (`ending == true`).
    fn update_session(
        &mut self,
        session: SessionRef<'_>,
        record: &SessionRecord,
        ending: bool,
        timeout: Duration,
    ) -> ExportResult<Updated>;

    fn create_agent(
        &mut self,
        session: SessionRef<'_>,
        agent_id: &Uuid,
        name: &str,
        timeout: Duration,
    ) -> ExportResult<()>;

    /// Makes everything exported so far durable (files are flushed); network exporters
    /// have nothing to do.
    fn flush(&mut self) {}
}
