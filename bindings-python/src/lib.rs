//! `agentops._native`: the Python binding of agentops-core. Thin: convert, call the core,
//! convert back. The pure-Python package (`bindings-python/python/agentops/`) builds the agentops 0.3 API
//! (module functions, decorators, exit hooks) on top of these classes.

mod class_call;
mod client;
mod convert;
mod current;
mod errors;
mod events;
mod llm_exchange;
mod llm_method;
mod logging;
mod options;
mod record;
mod session;
mod util;
mod wait;
mod wrappers;

use pyo3::prelude::*;

/// Converts any Python value to JSON text the way events are serialised (for tests and
/// `agentops.serialization.safe_serialize`).
#[pyfunction]
fn to_json(obj: &Bound<'_, PyAny>) -> String {
    convert::Conversion::default().to_json_text(obj)
}

/// `agentops replay ...` (the core's command): `(exit status, stdout text, stderr text)`.
#[pyfunction]
fn replay_main(py: Python<'_>, args: Vec<String>, tty: bool) -> (i32, String, String) {
    let outcome = py.detach(|| agentops_core::timeline::cli::run(&args, tty));
    (outcome.code, outcome.stdout, outcome.stderr)
}

/// The `AGENTOPS_*` variable names of the core's option table.
#[pyfunction]
fn env_vars() -> Vec<&'static str> {
    agentops_core::config::OPTIONS
        .iter()
        .map(|o| o.env)
        .collect()
}

#[pymodule(gil_used = true)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    logging::register(m)?;
    errors::register(m)?;
    events::register(m)?;
    llm_method::register(m)?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<session::PySession>()?;
    m.add_class::<options::PyOptions>()?;
    m.add_function(wrap_pyfunction!(to_json, m)?)?;
    m.add_function(wrap_pyfunction!(current::record, m)?)?;
    m.add_function(wrap_pyfunction!(current::set_current_client, m)?)?;
    m.add_function(wrap_pyfunction!(env_vars, m)?)?;
    m.add_function(wrap_pyfunction!(replay_main, m)?)?;
    m.add("EXIT_REASON", agentops_core::EXIT_REASON)?;
    m.add(
        "NON_SERIALIZABLE_FORMAT",
        agentops_core::event::json::placeholder::NON_SERIALIZABLE_FORMAT,
    )?;
    m.add("CORE_VERSION", env!("CARGO_PKG_VERSION"))?;
    // So the decorators can catch a panic too (it is a `BaseException`).
    m.add(
        "PanicException",
        m.py().get_type::<pyo3::panic::PanicException>(),
    )?;
    Ok(())
}

// Events are allocated on the caller's thread and freed on the uploader thread; glibc's
// malloc serialises that on an arena lock (measured: half of `record()`'s cost on 2
// cores). mimalloc frees cross-thread without contention. Rust allocations only: Python
// objects keep using Python's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
