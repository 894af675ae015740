//! The `agentops` exception hierarchy: one base class, one subclass per core `ErrorKind`,
//! each carrying the kind's stable `code` as a class attribute; a refusal by the backend
//! also carries its `http_status` on the instance.

use agentops_core::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::PyType;
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
    "A configuration key is unknown or a value is invalid."
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
    UploaderFailedError,
    AgentOpsError,
    "The uploader thread failed; the event was dropped and counted."
);
create_exception!(
    agentops._native,
    ExportIOError,
    AgentOpsError,
    "A local I/O failure (file exporter, thread spawn)."
);

/// The exception class of each core error kind: the one table of the mapping.
fn class_of(py: Python<'_>, kind: ErrorKind) -> Bound<'_, PyType> {
    match kind {
        ErrorKind::InvalidConfig => py.get_type::<ConfigError>(),
        ErrorKind::MissingApiKey => py.get_type::<MissingApiKeyError>(),
        ErrorKind::InvalidArgument => py.get_type::<InvalidArgumentError>(),
        ErrorKind::SessionRefused => py.get_type::<SessionRefusedError>(),
        ErrorKind::SessionEnded => py.get_type::<SessionEndedError>(),
        ErrorKind::ShutDown => py.get_type::<ShutDownError>(),
        ErrorKind::QueueFull => py.get_type::<QueueFullError>(),
        ErrorKind::UploaderFailed => py.get_type::<UploaderFailedError>(),
        ErrorKind::Io => py.get_type::<ExportIOError>(),
        _ => py.get_type::<AgentOpsError>(),
    }
}

/// Converts a core error into the matching Python exception.
pub fn to_py(err: Error) -> PyErr {
    Python::attach(|py| {
        let class = class_of(py, err.kind());
        let exc = match class.call1((err.message(),)) {
            Ok(exc) => exc,
            Err(e) => return e,
        };
        let _ = exc.setattr("http_status", err.http_status());
        PyErr::from_value(exc)
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<AgentOpsError>();
    base.setattr("code", "AGENTOPS_ERROR")?;
    base.setattr("http_status", py.None())?;
    m.add("AgentOpsError", base)?;
    for kind in ErrorKind::ALL {
        let class = class_of(py, kind);
        class.setattr("code", kind.code())?;
        m.add(class.name()?, class)?;
    }
    Ok(())
}
