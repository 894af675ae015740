//! agentops-core: the engine behind the AgentOps Python, Node and C packages.
//!
//! Dependencies go one way: [`client`] → [`session`] → [`uploader`] → [`export`] →
//! [`event`]; [`config`] and [`error`] are used by all.
//!
//! - [`event`]: Action / LLM / Tool / Error / generic events, payloads, ids, UTC timestamps.
//! - [`config`]: the option table, defaults, `AGENTOPS_*` environment variables, validation.
//! - [`client`] and [`session`]: sessions and their lifecycle, the one registry of them.
//! - [`uploader`]: the lock-free batching uploader (one worker thread, bounded channel).
//! - [`logging`]: a stderr logger for bindings whose host has none to forward to.
//! - [`export`]: where batches go — AgentOps REST v2, OTLP/HTTP, or local JSONL files — each
//!   exporter owning its wire format.
//! - [`timeline`]: session replay offline — a file exporter's session file as a terminal
//!   timeline or an HTML waterfall (`agentops replay`).
//!
//! Nothing here knows about Python, Node or C; the bindings convert and call in. Nothing
//! here may panic outside tests: a binding calls in from a foreign stack frame.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod client;
pub mod config;
pub mod error;
pub mod event;
pub mod export;
pub mod logging;
pub mod session;
pub mod timeline;
pub mod uploader;

pub use client::Client;
pub use config::{Config, ExporterKind, OptionValue, Options};
pub use error::{Error, ErrorKind, Result};
pub use event::json::Json;
pub use event::time::Timestamp;
pub use event::{
    ActionFields, EndState, ErrorFields, Event, EventCategory, EventKind, GenericFields, LlmApi,
    LlmExchange, LlmFields, ToolFields,
};
pub use session::{
    EXIT_REASON, EndReport, EventCounts, Replay, Session, SessionStats, StartOptions,
};
pub use uploader::{DropReason, SessionStatus, ShutdownReport, Stats, Wait};
