//! The one error type every binding maps from (Python exception, JS `Error.code`, C result code).

use std::borrow::Cow;
use std::fmt;

/// What went wrong, as a flat list a binding can map one-to-one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A configuration key is unknown or a value is invalid (bad UUID key, zero size, bad URL, ...).
    InvalidConfig,
    /// No API key and no explicit local exporter: nothing is started (as in agentops 0.3).
    MissingApiKey,
    /// An argument is invalid (bad end state, bad session id, no single session, ...).
    InvalidArgument,
    /// The backend refused to create the session (4xx/5xx, no JWT, not JSON).
    SessionRefused,
    /// The session has already ended.
    SessionEnded,
    /// The client was shut down.
    ShutDown,
    /// The in-memory buffer is full; the event was dropped and counted.
    QueueFull,
    /// The uploader thread failed; the event was dropped and counted.
    UploaderFailed,
    /// A local I/O failure (file exporter, thread spawn).
    Io,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::InvalidConfig,
        ErrorKind::MissingApiKey,
        ErrorKind::InvalidArgument,
        ErrorKind::SessionRefused,
        ErrorKind::SessionEnded,
        ErrorKind::ShutDown,
        ErrorKind::QueueFull,
        ErrorKind::UploaderFailed,
        ErrorKind::Io,
    ];

    /// A stable, machine-readable code (the JS `error.code`, the C result name, ...).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidConfig => "INVALID_CONFIG",
            ErrorKind::MissingApiKey => "MISSING_API_KEY",
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::SessionRefused => "SESSION_REFUSED",
            ErrorKind::SessionEnded => "SESSION_ENDED",
            ErrorKind::ShutDown => "SHUT_DOWN",
            ErrorKind::QueueFull => "QUEUE_FULL",
            ErrorKind::UploaderFailed => "UPLOADER_FAILED",
            ErrorKind::Io => "IO",
        }
    }
}

/// An error with its kind, a human-readable message (never containing a key or a JWT) and,
/// for refusals by the backend, the HTTP status it answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    // Static text costs no allocation on the hot path's refusals (a full buffer).
    message: Cow<'static, str>,
    http_status: Option<u16>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            kind,
            message: message.into(),
            http_status: None,
        }
    }

    /// The same error, carrying the HTTP status the backend answered with.
    pub fn with_http_status(mut self, status: Option<u16>) -> Self {
        self.http_status = status;
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The backend's HTTP status, when the error is its answer (e.g. 403 for a refused key).
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.kind.code())
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
