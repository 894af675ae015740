//! `Client`: configuration, the uploader, and the open sessions (one per process is the
//! norm; the Python package keeps a singleton).

use std::mem::ManuallyDrop;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use agentops_core::{
    Client, Config, DropReason, EndState, ExporterKind, ShutdownReport, StartOptions, Stats,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::{InvalidArgumentError, to_py};
use crate::events::{record_into, tags_from};
use crate::session::{PySession, parse_end_state};
use crate::util::{display, uuid_from};

#[pyclass(module = "agentops._native", name = "Client")]
pub struct PyClient {
    inner: ManuallyDrop<Client>,
}

fn secs(value: Option<f64>, name: &str) -> PyResult<Option<Duration>> {
    value
        .map(|v| {
            Duration::try_from_secs_f64(v).map_err(|_| {
                crate::errors::ConfigError::new_err(format!(
                    "{name} must be a non-negative number of seconds"
                ))
            })
        })
        .transpose()
}

pub fn stats_dict<'py>(py: Python<'py>, s: &Stats) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("delivered", s.delivered)?;
    d.set_item("queued", s.queued)?;
    d.set_item("queued_bytes", s.queued_bytes)?;
    d.set_item("retried", s.retried)?;
    let dropped = PyDict::new(py);
    for reason in DropReason::ALL {
        dropped.set_item(reason.as_str(), s.dropped(reason))?;
    }
    d.set_item("dropped", dropped)?;
    d.set_item("dropped_total", s.dropped_total())?;
    Ok(d)
}

fn report_dict<'py>(py: Python<'py>, r: &ShutdownReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("completed", r.completed)?;
    d.set_item("left", r.left)?;
    d.set_item("stats", stats_dict(py, &r.stats)?)?;
    Ok(d)
}

fn exporter_name(kind: ExporterKind) -> &'static str {
    match kind {
        ExporterKind::AgentOps => "agentops",
        ExporterKind::File => "file",
    }
}

/// The configuration the environment gives (`AGENTOPS_*`), as a dict.
#[pyfunction]
pub fn config_from_env(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let c = Config::from_env().map_err(to_py)?;
    let d = PyDict::new(py);
    d.set_item("api_key", c.api_key)?;
    d.set_item("parent_key", c.parent_key)?;
    d.set_item("endpoint", c.endpoint)?;
    d.set_item("exporter", c.exporter.map(exporter_name))?;
    d.set_item("export_dir", c.export_dir.display().to_string())?;
    d.set_item("max_wait_time", c.max_wait_time.as_millis() as u64)?;
    d.set_item("max_queue_size", c.max_queue_size)?;
    d.set_item("env_data_opt_out", c.env_data_opt_out)?;
    Ok(d)
}

impl PyClient {
    fn client(&self) -> &Client {
        &self.inner
    }

    fn export_dir(&self) -> Option<PathBuf> {
        (self.inner.exporter() == ExporterKind::File)
            .then(|| self.inner.config().export_dir.clone())
    }

    fn wrap(&self, py: Python<'_>, session: agentops_core::Session) -> PyResult<PySession> {
        PySession::new(py, session, self.export_dir())
    }
}

#[pymethods]
impl PyClient {
    /// Builds the configuration from the `AGENTOPS_*` environment, overrides it with the
    /// given values, validates it and starts the uploader thread. Raises
    /// `MissingApiKeyError` when there is no API key and no file exporter (nothing is
    /// started then), `ConfigError` for invalid values. Durations are in seconds except
    /// `max_wait_time` (milliseconds, as in agentops 0.3).
    #[new]
    #[pyo3(signature = (*, api_key=None, parent_key=None, endpoint=None, max_wait_time=None, max_queue_size=None, default_tags=None, exporter=None, export_dir=None, env_data_opt_out=None, auto_start_session=None, skip_auto_end_session=None, instrument_llm_calls=None, max_buffered_events=None, max_buffered_bytes=None, request_timeout=None, max_retry_time=None, session_start_timeout=None, session_end_timeout=None, shutdown_timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        api_key: Option<String>,
        parent_key: Option<String>,
        endpoint: Option<String>,
        max_wait_time: Option<u64>,
        max_queue_size: Option<usize>,
        default_tags: Option<&Bound<'_, PyAny>>,
        exporter: Option<String>,
        export_dir: Option<PathBuf>,
        env_data_opt_out: Option<bool>,
        auto_start_session: Option<bool>,
        skip_auto_end_session: Option<bool>,
        instrument_llm_calls: Option<bool>,
        max_buffered_events: Option<usize>,
        max_buffered_bytes: Option<usize>,
        request_timeout: Option<f64>,
        max_retry_time: Option<f64>,
        session_start_timeout: Option<f64>,
        session_end_timeout: Option<f64>,
        shutdown_timeout: Option<f64>,
    ) -> PyResult<Self> {
        let mut c = Config::from_env().map_err(to_py)?;
        let key = |k: Option<String>| k.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty());
        if let Some(k) = key(api_key) {
            c.api_key = Some(k);
        }
        if let Some(k) = key(parent_key) {
            c.parent_key = Some(k);
        }
        if let Some(e) = endpoint {
            c.endpoint = e;
        }
        if let Some(ms) = max_wait_time {
            c.max_wait_time = Duration::from_millis(ms);
        }
        if let Some(n) = max_queue_size {
            c.max_queue_size = n;
        }
        if default_tags.is_some() {
            c.default_tags = tags_from(default_tags);
        }
        if let Some(e) = exporter {
            c.exporter = Some(ExporterKind::parse(&e).map_err(to_py)?);
        }
        if let Some(d) = export_dir {
            c.export_dir = d;
        }
        if let Some(v) = env_data_opt_out {
            c.env_data_opt_out = v;
        }
        if let Some(v) = auto_start_session {
            c.auto_start_session = v;
        }
        if let Some(v) = skip_auto_end_session {
            c.skip_auto_end_session = v;
        }
        if let Some(v) = instrument_llm_calls {
            c.instrument_llm_calls = v;
        }
        if let Some(n) = max_buffered_events {
            c.max_buffered_events = n;
        }
        if let Some(n) = max_buffered_bytes {
            c.max_buffered_bytes = n;
        }
        if let Some(d) = secs(request_timeout, "request_timeout")? {
            c.request_timeout = d;
        }
        if let Some(d) = secs(max_retry_time, "max_retry_time")? {
            c.max_retry_time = d;
        }
        if let Some(d) = secs(session_start_timeout, "session_start_timeout")? {
            c.session_start_timeout = d;
        }
        if let Some(d) = secs(session_end_timeout, "session_end_timeout")? {
            c.session_end_timeout = d;
        }
        if let Some(d) = secs(shutdown_timeout, "shutdown_timeout")? {
            c.shutdown_timeout = d;
        }
        let client = Client::with_sdk_language(c, "python").map_err(to_py)?;
        Ok(PyClient {
            inner: ManuallyDrop::new(client),
        })
    }

    /// Starts a session; waits at most `session_start_timeout` for the backend (without
    /// holding the GIL). Raises `SessionRefusedError` if the backend refuses within it,
    /// `InvalidArgumentError` for an `inherited_session_id` that is not a UUID.
    #[pyo3(signature = (tags=None, inherited_session_id=None))]
    fn start_session(
        &self,
        py: Python<'_>,
        tags: Option<&Bound<'_, PyAny>>,
        inherited_session_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySession> {
        let inherited = match inherited_session_id.filter(|i| !i.is_none()) {
            None => None,
            Some(id) => Some(uuid_from(id).ok_or_else(|| {
                InvalidArgumentError::new_err(format!(
                    "inherited_session_id {:?} is not a valid UUID",
                    display(id)
                ))
            })?),
        };
        let options = StartOptions {
            tags: tags_from(tags),
            inherited_session_id: inherited,
        };
        let client = self.client();
        let session = py.detach(|| client.start_session(options)).map_err(to_py)?;
        self.wrap(py, session)
    }

    /// Records into the only open session (agentops 0.3's `agentops.record`). With none or
    /// several open, logs a warning and records nothing. Never raises.
    fn record(&self, py: Python<'_>, event: &Bound<'_, PyAny>) {
        match self.inner.only_session() {
            Ok(session) => record_into(py, &session, event),
            // The core names the problem (no session, or several).
            Err(err) => log::warn!("Could not record event - {}", err.message()),
        }
    }

    /// Open sessions, oldest first (new wrapper objects).
    fn sessions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .inner
            .sessions()
            .into_iter()
            .map(|s| self.wrap(py, s))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    fn session_count(&self) -> usize {
        self.inner.sessions().len()
    }

    /// Ends every open session and waits at most `timeout` seconds in total (default:
    /// `session_end_timeout`) for their events and final updates, without holding the
    /// GIL. Returns how many sessions were ended.
    #[pyo3(signature = (end_state=None, end_state_reason=None, timeout=None))]
    fn end_all_sessions(
        &self,
        py: Python<'_>,
        end_state: Option<&Bound<'_, PyAny>>,
        end_state_reason: Option<String>,
        timeout: Option<f64>,
    ) -> PyResult<usize> {
        let Some(state) = parse_end_state(end_state) else {
            return Ok(0);
        };
        let timeout = secs(timeout, "timeout")?.unwrap_or(self.inner.config().session_end_timeout);
        let client = self.client();
        Ok(py.detach(|| {
            let deadline = Instant::now() + timeout;
            client
                .sessions()
                .iter()
                .filter(|s| {
                    let left = deadline.saturating_duration_since(Instant::now());
                    s.end_within(state, end_state_reason.clone(), Some(left))
                        .is_ok()
                })
                .count()
        }))
    }

    /// Waits until everything recorded so far is delivered, at most `timeout` seconds
    /// (default: `shutdown_timeout`), without holding the GIL. `True` if all of it was.
    #[pyo3(signature = (timeout=None))]
    fn flush(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let timeout = secs(timeout, "timeout")?.unwrap_or(self.inner.config().shutdown_timeout);
        let client = self.client();
        Ok(py.detach(|| client.flush(timeout)))
    }

    /// Ends open sessions as Indeterminate ("N/A (process exited without calling
    /// agentops.end_session(...))"), delivers what it can within `timeout` seconds
    /// (default: `shutdown_timeout`) and stops the uploader. Idempotent; never holds the
    /// GIL while waiting.
    #[pyo3(signature = (timeout=None))]
    fn shutdown<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyDict>> {
        let timeout = secs(timeout, "timeout")?.unwrap_or(self.inner.config().shutdown_timeout);
        let client = self.client();
        let report = py.detach(|| client.shutdown(timeout));
        report_dict(py, &report)
    }

    /// As `shutdown`, ending open sessions with the given state and reason (signal
    /// handlers: "Fail", "Signal SIGTERM detected").
    #[pyo3(signature = (timeout, end_state, end_state_reason))]
    fn shutdown_ending_sessions<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<f64>,
        end_state: &Bound<'py, PyAny>,
        end_state_reason: String,
    ) -> PyResult<Bound<'py, PyDict>> {
        let timeout = secs(timeout, "timeout")?.unwrap_or(self.inner.config().shutdown_timeout);
        let state = parse_end_state(Some(end_state)).unwrap_or(EndState::Fail);
        let client = self.client();
        let report =
            py.detach(|| client.shutdown_ending_sessions(timeout, state, &end_state_reason));
        report_dict(py, &report)
    }

    /// Call in a forked child (wired to `os.register_at_fork`): a fresh uploader; open
    /// sessions keep recording in the child.
    fn after_fork_in_child(&self) -> PyResult<()> {
        self.inner.after_fork_in_child().map_err(to_py)
    }

    /// Ends the sessions this process owns because it is ending (a signal, an uncaught
    /// exception): not when `skip_auto_end_session` is set, never the sessions a forked
    /// child inherited. Waits at most `timeout` seconds (default: `session_end_timeout`)
    /// for delivery, without holding the GIL. Returns how many sessions were ended.
    #[pyo3(signature = (end_state, end_state_reason, timeout=None))]
    fn auto_end_sessions(
        &self,
        py: Python<'_>,
        end_state: &Bound<'_, PyAny>,
        end_state_reason: String,
        timeout: Option<f64>,
    ) -> PyResult<usize> {
        let timeout = secs(timeout, "timeout")?.unwrap_or(self.inner.config().session_end_timeout);
        let state = parse_end_state(Some(end_state)).unwrap_or(EndState::Fail);
        let client = self.client();
        Ok(py.detach(|| client.auto_end_sessions(state, &end_state_reason, Some(timeout))))
    }

    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stats_dict(py, &self.inner.stats())
    }

    #[getter]
    fn is_shut_down(&self) -> bool {
        self.inner.is_shut_down()
    }

    #[getter]
    fn exporter(&self) -> &'static str {
        exporter_name(self.inner.exporter())
    }

    #[getter]
    fn export_dir_path(&self) -> Option<String> {
        self.export_dir().map(|d| d.display().to_string())
    }

    #[getter]
    fn api_key(&self) -> Option<String> {
        self.inner.config().api_key.clone()
    }

    #[getter]
    fn parent_key(&self) -> Option<String> {
        self.inner.config().parent_key.clone()
    }

    #[getter]
    fn endpoint(&self) -> String {
        self.inner.config().endpoint.clone()
    }

    #[getter]
    fn max_wait_time(&self) -> u64 {
        self.inner.config().max_wait_time.as_millis() as u64
    }

    #[getter]
    fn max_queue_size(&self) -> usize {
        self.inner.config().max_queue_size
    }

    #[getter]
    fn default_tags(&self) -> Vec<String> {
        self.inner.config().default_tags.clone()
    }

    #[getter]
    fn shutdown_timeout(&self) -> f64 {
        self.inner.config().shutdown_timeout.as_secs_f64()
    }

    #[getter]
    fn session_end_timeout(&self) -> f64 {
        self.inner.config().session_end_timeout.as_secs_f64()
    }

    #[getter]
    fn auto_start_session(&self) -> bool {
        self.inner.config().auto_start_session
    }

    #[getter]
    fn skip_auto_end_session(&self) -> bool {
        self.inner.config().skip_auto_end_session
    }

    #[getter]
    fn instrument_llm_calls(&self) -> bool {
        self.inner.config().instrument_llm_calls
    }

    #[getter]
    fn env_data_opt_out(&self) -> bool {
        self.inner.config().env_data_opt_out
    }

    fn __repr__(&self) -> String {
        format!(
            "Client(exporter={}, sessions={})",
            self.exporter(),
            self.session_count()
        )
    }
}

impl Drop for PyClient {
    fn drop(&mut self) {
        // SAFETY: taken exactly once, here.
        let client = unsafe { ManuallyDrop::take(&mut self.inner) };
        if client.is_shut_down() {
            drop(client); // the shutdown already ran: returns at once
            return;
        }
        // Dropping shuts down (bounded by shutdown_timeout); do not hold the GIL meanwhile,
        // the uploader may log through Python. Objects are deallocated with the GIL held.
        let py = unsafe { Python::assume_attached() };
        py.detach(move || drop(client));
    }
}
