//! The one error type every binding maps from (Python exception, JS `Error.code`, C result code).

use std::fmt;

/// What went wrong, as a flat list a binding can map one-to-one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A configuration value is invalid (bad UUID key, zero size, bad URL, ...).
    InvalidConfig,
    /// No API key and no explicit local exporter: nothing is started (as in agentops 0.3).
    MissingApiKey,
    /// An argument is invalid (bad end state, bad session id, ...).
    InvalidArgument,
    /// The backend refused to create the session (4xx/5xx, no JWT, not JSON).
    SessionRefused,
    /// The session has already ended.
    SessionEnded,
    /// The client was shut down.
    ShutDown,
    /// The in-memory buffer is full; the event was dropped and counted.
    QueueFull,
    /// A local I/O failure (file exporter, thread spawn).
    Io,
}

impl ErrorKind {
    /// A stable, machine-readable code (used as the JS `error.code`, the C message prefix, ...).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidConfig => "INVALID_CONFIG",
            ErrorKind::MissingApiKey => "MISSING_API_KEY",
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::SessionRefused => "SESSION_REFUSED",
            ErrorKind::SessionEnded => "SESSION_ENDED",
            ErrorKind::ShutDown => "SHUT_DOWN",
            ErrorKind::QueueFull => "QUEUE_FULL",
            ErrorKind::Io => "IO",
        }
    }
}

/// An error with its kind and a human-readable message (never containing a key or a JWT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.kind.code())
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
