//! The client behind the module-level `agentops.record(event)`: the singleton's, set when
//! it initialises. A native function here saves the Python frame of a wrapper (about 8 %
//! of a recorded event's CPU).

use std::sync::Mutex;

use pyo3::prelude::*;

use crate::client::PyClient;

static CURRENT: Mutex<Option<Py<PyClient>>> = Mutex::new(None);

/// Makes `client` (or none) the one `record` records into.
#[pyfunction]
#[pyo3(signature = (client=None))]
pub fn set_current_client(client: Option<Py<PyClient>>) {
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = client;
}

/// The current client, if agentops is initialised.
pub(crate) fn client(py: Python<'_>) -> Option<Py<PyClient>> {
    CURRENT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .map(|c| c.clone_ref(py))
}

/// Records an event into the only open session of the current client (agentops 0.3's
/// `agentops.record`). Warns, records nothing and never raises when agentops is not
/// initialised or when none or several sessions are open.
#[pyfunction]
pub fn record(py: Python<'_>, event: &Bound<'_, PyAny>) {
    // Released before recording: a log handler may record in turn.
    match client(py) {
        Some(client) => client.bind(py).borrow().record(py, event),
        None => log::warn!(
            "Could not record event - AgentOps is not initialized. Call agentops.init() first"
        ),
    }
}
