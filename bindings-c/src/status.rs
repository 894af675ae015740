//! The result codes: one stable enum for every fallible call, and a static message for each.

use std::ffi::c_char;

use agentops_core::ErrorKind;

/// What a call did. `AGENTOPS_OK` is 0; the values never change meaning.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum agentops_status {
    AGENTOPS_OK = 0,
    /// A required pointer argument was NULL.
    AGENTOPS_ERR_NULL_ARGUMENT = 1,
    /// A string was not valid UTF-8.
    AGENTOPS_ERR_INVALID_UTF8 = 2,
    /// The event JSON of `agentops_record_json` was not a JSON object; nothing was recorded.
    /// (JSON payloads of the other calls are never refused: see `agentops_record_action`.)
    AGENTOPS_ERR_INVALID_JSON = 3,
    /// An option key is unknown or its value invalid.
    AGENTOPS_ERR_INVALID_CONFIG = 4,
    /// No API key and no keyless exporter ("file", "otlp"): nothing was started.
    AGENTOPS_ERR_MISSING_API_KEY = 5,
    /// An argument is invalid (end state, UUID, ...).
    AGENTOPS_ERR_INVALID_ARGUMENT = 6,
    /// The backend refused to create the session.
    AGENTOPS_ERR_SESSION_REFUSED = 7,
    /// The session has ended.
    AGENTOPS_ERR_SESSION_ENDED = 8,
    /// The client was shut down.
    AGENTOPS_ERR_SHUT_DOWN = 9,
    /// The in-memory buffer is full; the event was dropped and counted.
    AGENTOPS_ERR_QUEUE_FULL = 10,
    /// The uploader thread failed; the event was dropped and counted.
    AGENTOPS_ERR_UPLOADER_FAILED = 11,
    /// A local I/O failure (file exporter, thread start).
    AGENTOPS_ERR_IO = 12,
    /// A flush or shutdown did not deliver everything within its timeout.
    AGENTOPS_ERR_TIMEOUT = 13,
    /// An output buffer was too small (see the function's documentation for the size).
    AGENTOPS_ERR_BUFFER_TOO_SMALL = 14,
    /// A bug in agentops: a panic was caught; the call did nothing.
    AGENTOPS_ERR_PANIC = 15,
}

impl From<&agentops_core::Error> for agentops_status {
    fn from(err: &agentops_core::Error) -> Self {
        use agentops_status::*;
        match err.kind() {
            ErrorKind::InvalidConfig => AGENTOPS_ERR_INVALID_CONFIG,
            ErrorKind::MissingApiKey => AGENTOPS_ERR_MISSING_API_KEY,
            ErrorKind::InvalidArgument => AGENTOPS_ERR_INVALID_ARGUMENT,
            ErrorKind::SessionRefused => AGENTOPS_ERR_SESSION_REFUSED,
            ErrorKind::SessionEnded => AGENTOPS_ERR_SESSION_ENDED,
            ErrorKind::ShutDown => AGENTOPS_ERR_SHUT_DOWN,
            ErrorKind::QueueFull => AGENTOPS_ERR_QUEUE_FULL,
            ErrorKind::UploaderFailed => AGENTOPS_ERR_UPLOADER_FAILED,
            ErrorKind::Io => AGENTOPS_ERR_IO,
            _ => AGENTOPS_ERR_INVALID_ARGUMENT,
        }
    }
}

const ALL: [agentops_status; 16] = {
    use agentops_status::*;
    [
        AGENTOPS_OK,
        AGENTOPS_ERR_NULL_ARGUMENT,
        AGENTOPS_ERR_INVALID_UTF8,
        AGENTOPS_ERR_INVALID_JSON,
        AGENTOPS_ERR_INVALID_CONFIG,
        AGENTOPS_ERR_MISSING_API_KEY,
        AGENTOPS_ERR_INVALID_ARGUMENT,
        AGENTOPS_ERR_SESSION_REFUSED,
        AGENTOPS_ERR_SESSION_ENDED,
        AGENTOPS_ERR_SHUT_DOWN,
        AGENTOPS_ERR_QUEUE_FULL,
        AGENTOPS_ERR_UPLOADER_FAILED,
        AGENTOPS_ERR_IO,
        AGENTOPS_ERR_TIMEOUT,
        AGENTOPS_ERR_BUFFER_TOO_SMALL,
        AGENTOPS_ERR_PANIC,
    ]
};

fn message(status: agentops_status) -> &'static [u8] {
    use agentops_status::*;
    match status {
        AGENTOPS_OK => b"ok\0",
        AGENTOPS_ERR_NULL_ARGUMENT => b"a required pointer argument was NULL\0",
        AGENTOPS_ERR_INVALID_UTF8 => b"a string was not valid UTF-8\0",
        AGENTOPS_ERR_INVALID_JSON => {
            b"the event JSON was not a JSON object; nothing was recorded\0"
        }
        AGENTOPS_ERR_INVALID_CONFIG => b"an option key is unknown or its value is invalid\0",
        AGENTOPS_ERR_MISSING_API_KEY => {
            b"no API key (AGENTOPS_API_KEY or api_key) and no file exporter: nothing was started\0"
        }
        AGENTOPS_ERR_INVALID_ARGUMENT => b"an argument is invalid\0",
        AGENTOPS_ERR_SESSION_REFUSED => b"the backend refused to create the session\0",
        AGENTOPS_ERR_SESSION_ENDED => b"the session has ended\0",
        AGENTOPS_ERR_SHUT_DOWN => b"the client was shut down\0",
        AGENTOPS_ERR_QUEUE_FULL => b"the event buffer is full; the event was dropped and counted\0",
        AGENTOPS_ERR_UPLOADER_FAILED => {
            b"the uploader thread failed; the event was dropped and counted\0"
        }
        AGENTOPS_ERR_IO => b"a local I/O operation failed\0",
        AGENTOPS_ERR_TIMEOUT => b"not everything was delivered within the timeout\0",
        AGENTOPS_ERR_BUFFER_TOO_SMALL => b"the output buffer is too small\0",
        AGENTOPS_ERR_PANIC => b"a bug in agentops (a caught panic); the call did nothing\0",
    }
}

/// A static, NUL-terminated description of `status` (never NULL; never to be freed). Takes
/// an `int` so that any value a C caller holds is safe to pass.
#[unsafe(no_mangle)]
pub extern "C" fn agentops_status_str(status: i32) -> *const c_char {
    let known = ALL.iter().find(|s| **s as i32 == status);
    match known {
        Some(s) => message(*s).as_ptr().cast(),
        None => c"unknown status".as_ptr(),
    }
}

/// The library's version, e.g. "0.1.0" (static; never to be freed).
#[unsafe(no_mangle)]
pub extern "C" fn agentops_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
