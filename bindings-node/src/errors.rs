//! Core errors as JS `Error`s whose `code` is `ERR_AGENTOPS_<KIND>` (the core's stable
//! kind code), so callers can branch on `err.code`.

use agentops_core::ErrorKind;
use napi::Error;

/// The `code` of a JS error: a static string per core error kind.
pub struct Code(&'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

pub type JsResult<T> = std::result::Result<T, Error<Code>>;

fn code_of(kind: ErrorKind) -> Code {
    Code(match kind {
        ErrorKind::InvalidConfig => "ERR_AGENTOPS_INVALID_CONFIG",
        ErrorKind::MissingApiKey => "ERR_AGENTOPS_MISSING_API_KEY",
        ErrorKind::InvalidArgument => "ERR_AGENTOPS_INVALID_ARGUMENT",
        ErrorKind::SessionRefused => "ERR_AGENTOPS_SESSION_REFUSED",
        ErrorKind::SessionEnded => "ERR_AGENTOPS_SESSION_ENDED",
        ErrorKind::ShutDown => "ERR_AGENTOPS_SHUT_DOWN",
        ErrorKind::QueueFull => "ERR_AGENTOPS_QUEUE_FULL",
        ErrorKind::UploaderFailed => "ERR_AGENTOPS_UPLOADER_FAILED",
        ErrorKind::Io => "ERR_AGENTOPS_IO",
        _ => "ERR_AGENTOPS",
    })
}

pub fn to_js(err: agentops_core::Error) -> Error<Code> {
    Error::new(code_of(err.kind()), err.message())
}

pub fn invalid_argument(message: impl Into<String>) -> Error<Code> {
    Error::new(code_of(ErrorKind::InvalidArgument), message.into())
}

/// Any napi failure (a value napi could not create) under the generic code.
pub fn from_napi(err: napi::Error) -> Error<Code> {
    Error::new(Code("ERR_AGENTOPS"), err.reason.clone())
}
