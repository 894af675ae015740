//! The `agentops` exception hierarchy: one base class, one subclass per core `ErrorKind`,
//! each carrying the kind's stable `code` as a class attribute.

use agentops_core::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::{create_exception, exceptions::PyException};

create_exception!(
    agentops._native,
    AgentOpsError,
    PyException,
    "Base class of every agentops error."
);
create_exception!(
    agentops._native,
    ConfigError,
    AgentOpsError,
    "A configuration value is invalid."
);
create_exception!(
    agentops._native,
    MissingApiKeyError,
    ConfigError,
    "No API key and no local exporter: nothing was started."
);
create_exception!(
    agentops._native,
    InvalidArgumentError,
    AgentOpsError,
    "An argument is invalid (bad end state, bad session id, ...)."
);
create_exception!(
    agentops._native,
    SessionRefusedError,
    AgentOpsError,
    "The backend refused to create the session."
);
create_exception!(
    agentops._native,
    SessionEndedError,
    AgentOpsError,
    "The session has already ended."
);
create_exception!(
    agentops._native,
    ShutDownError,
    AgentOpsError,
    "The client was shut down."
);
create_exception!(
    agentops._native,
    QueueFullError,
    AgentOpsError,
    "The in-memory buffer is full; the event was dropped and counted."
);
create_exception!(
    agentops._native,
    ExportIOError,
    AgentOpsError,
    "A local I/O failure (file exporter, thread spawn)."
);

/// Converts a core error into the matching Python exception.
pub fn to_py(err: Error) -> PyErr {
    let msg = err.message().to_owned();
    match err.kind() {
        ErrorKind::InvalidConfig => ConfigError::new_err(msg),
        ErrorKind::MissingApiKey => MissingApiKeyError::new_err(msg),
        ErrorKind::InvalidArgument => InvalidArgumentError::new_err(msg),
        ErrorKind::SessionRefused => SessionRefusedError::new_err(msg),
        ErrorKind::SessionEnded => SessionEndedError::new_err(msg),
        ErrorKind::ShutDown => ShutDownError::new_err(msg),
        ErrorKind::QueueFull => QueueFullError::new_err(msg),
        ErrorKind::Io => ExportIOError::new_err(msg),
        _ => AgentOpsError::new_err(msg),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let codes: [(&str, Bound<'_, pyo3::types::PyType>, &str); 9] = [
        (
            "AgentOpsError",
            py.get_type::<AgentOpsError>(),
            "AGENTOPS_ERROR",
        ),
        (
            "ConfigError",
            py.get_type::<ConfigError>(),
            ErrorKind::InvalidConfig.code(),
        ),
        (
            "MissingApiKeyError",
            py.get_type::<MissingApiKeyError>(),
            ErrorKind::MissingApiKey.code(),
        ),
        (
            "InvalidArgumentError",
            py.get_type::<InvalidArgumentError>(),
            ErrorKind::InvalidArgument.code(),
        ),
        (
            "SessionRefusedError",
            py.get_type::<SessionRefusedError>(),
            ErrorKind::SessionRefused.code(),
        ),
        (
            "SessionEndedError",
            py.get_type::<SessionEndedError>(),
            ErrorKind::SessionEnded.code(),
        ),
        (
            "ShutDownError",
            py.get_type::<ShutDownError>(),
            ErrorKind::ShutDown.code(),
        ),
        (
            "QueueFullError",
            py.get_type::<QueueFullError>(),
            ErrorKind::QueueFull.code(),
        ),
        (
            "ExportIOError",
            py.get_type::<ExportIOError>(),
            ErrorKind::Io.code(),
        ),
    ];
    for (name, ty, code) in codes {
        ty.setattr("code", code)?;
        m.add(name, ty)?;
    }
    Ok(())
}
