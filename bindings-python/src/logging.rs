//! Forwards the core's `log` records to Python's `logging.getLogger("agentops")`.
//!
//! Only records at or above the level Python asked for (`set_log_level`) cross into
//! Python; crossing uses `Python::try_attach`, so a record emitted while the interpreter
//! is shutting down is dropped instead of blocking or panicking. Once the exit hook ran
//! (`disable_log_forwarding`), only the thread that ran it (it holds the GIL, so it can
//! still log safely: e.g. an event recorded by a later exit handler) forwards records.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering::Relaxed};

use log::{Level, LevelFilter, Log, Metadata, Record};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static PY_LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static FORWARDING: AtomicBool = AtomicBool::new(true);

thread_local! {
    /// Set on the thread that ran the exit hook: it keeps forwarding.
    static EXIT_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
static MAX: AtomicU8 = AtomicU8::new(LevelFilter::Info as u8);

struct Bridge;

static BRIDGE: Bridge = Bridge;

fn python_level(level: Level) -> u32 {
    match level {
        Level::Error => 40,
        Level::Warn => 30,
        Level::Info => 20,
        Level::Debug => 10,
        Level::Trace => 5,
    }
}

fn filter_for(python_level: i64) -> LevelFilter {
    match python_level {
        i64::MIN..=5 => LevelFilter::Trace,
        6..=10 => LevelFilter::Debug,
        11..=20 => LevelFilter::Info,
        21..=30 => LevelFilter::Warn,
        31..=50 => LevelFilter::Error,
        _ => LevelFilter::Off,
    }
}

impl Log for Bridge {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        (FORWARDING.load(Relaxed) || EXIT_THREAD.with(|t| t.get()))
            && (metadata.level() as u8) <= MAX.load(Relaxed)
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        let level = python_level(record.level());
        let _ = Python::try_attach(|py| {
            if let Some(logger) = PY_LOGGER.get(py) {
                // A failing handler must not surface anywhere: the error is dropped.
                let _ = logger
                    .bind(py)
                    .call_method1(intern!(py, "log"), (level, message));
            }
        });
    }

    fn flush(&self) {}
}

/// Sets the level (a Python logging level number) from which core records are forwarded.
#[pyfunction]
pub fn set_log_level(level: i64) {
    let filter = filter_for(level);
    MAX.store(filter as u8, Relaxed);
    log::set_max_level(filter);
}

/// Stops forwarding from every thread but the calling one (called by the exit hook,
/// before the interpreter finalises).
#[pyfunction]
pub fn disable_log_forwarding() {
    EXIT_THREAD.with(|t| t.set(true));
    FORWARDING.store(false, Relaxed);
}

/// Re-enables forwarding (tests).
#[pyfunction]
pub fn enable_log_forwarding() {
    FORWARDING.store(true, Relaxed);
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let logger = py
        .import("logging")?
        .call_method1("getLogger", ("agentops",))?;
    let _ = PY_LOGGER.set(py, logger.unbind());
    // Only the first module instance in a process installs the bridge.
    if log::set_logger(&BRIDGE).is_ok() {
        log::set_max_level(LevelFilter::Info);
    }
    m.add_function(wrap_pyfunction!(set_log_level, m)?)?;
    m.add_function(wrap_pyfunction!(disable_log_forwarding, m)?)?;
    m.add_function(wrap_pyfunction!(enable_log_forwarding, m)?)?;
    Ok(())
}
