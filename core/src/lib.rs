//! agentops-core: the engine behind the AgentOps Python, Node and C packages.
//!
//! - [`event`]: Action / LLM / Tool / Error / generic events, ids and UTC timestamps.
//! - [`session`] and [`client`]: sessions and their lifecycle.
//! - [`uploader`]: the lock-free batching uploader (one worker thread, bounded channel).
//! - [`export`]: where batches go — AgentOps REST v2, or local JSONL files.
//! - [`config`]: defaults, `AGENTOPS_*` environment variables, validation.
//!
//! Nothing here knows about Python, Node or C; the bindings convert and call in.

pub mod client;
pub mod config;
pub mod error;
pub mod event;
pub mod export;
pub mod id;
pub mod json;
pub mod session;
pub mod time;
pub mod uploader;
pub mod wire;

pub use client::{Client, EXIT_REASON, StartOptions};
pub use config::{Config, ExporterKind};
pub use error::{Error, ErrorKind, Result};
pub use event::{
    ActionFields, EndState, ErrorFields, Event, EventCategory, EventKind, GenericFields, LlmFields,
    ToolFields,
};
pub use json::Json;
pub use session::{Analytics, Session, SessionStatus};
pub use time::Timestamp;
pub use uploader::{DropReason, EndOutcome, ShutdownReport, Stats};
