//! `Client`: the core client (configuration, the uploader, the one registry of open
//! sessions). The Python package keeps a process-wide singleton around it.

use std::mem::ManuallyDrop;
use std::time::Duration;

use agentops_core::{Client, Config, DropReason, EndState, ShutdownReport, StartOptions, Stats};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::{InvalidArgumentError, to_py};
use crate::llm_exchange::record_exchange;
use crate::options::PyOptions;
use crate::record::record_into;
use crate::session::{PySession, parse_end_state};
use crate::util::{display, tags_from, uuid_from};
use crate::wait::interruptibly;
use crate::wrappers::SessionWrappers;

#[pyclass(module = "agentops._native", name = "Client")]
pub struct PyClient {
    inner: ManuallyDrop<Client>,
    wrappers: SessionWrappers,
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
    d.set_item("truncated", s.truncated)?;
    d.set_item("truncated_bytes", s.truncated_bytes)?;
    Ok(d)
}

fn report_dict<'py>(py: Python<'py>, r: &ShutdownReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("completed", r.completed)?;
    d.set_item("left", r.left)?;
    d.set_item("stats", stats_dict(py, &r.stats)?)?;
    Ok(d)
}

impl PyClient {
    fn config(&self) -> std::sync::Arc<Config> {
        self.inner.config()
    }

    fn wrap<'py>(
        &self,
        py: Python<'py>,
        session: agentops_core::Session,
    ) -> PyResult<Bound<'py, PySession>> {
        self.wrappers.wrap(py, session)
    }

    fn timeout_or(&self, timeout: Option<f64>, default: Duration) -> PyResult<Duration> {
        Ok(secs(timeout, "timeout")?.unwrap_or(default))
    }
}

#[pymethods]
impl PyClient {
    /// Builds the configuration (defaults, then the `AGENTOPS_*` environment, then
    /// `options`), validates it and starts the uploader thread. Raises
    /// `MissingApiKeyError` when there is no API key and no file exporter (nothing is
    /// started then), `ConfigError` for invalid values.
    #[new]
    #[pyo3(signature = (options=None))]
    fn new(options: Option<PyRef<'_, PyOptions>>) -> PyResult<Self> {
        let config = match options {
            Some(o) => o.inner.build(),
            None => Config::from_env(),
        }
        .map_err(to_py)?;
        let client = Client::with_sdk_language(config, "python").map_err(to_py)?;
        Ok(PyClient {
            inner: ManuallyDrop::new(client),
            wrappers: SessionWrappers::default(),
        })
    }

    /// Applies new options (over the environment) to future sessions; raises
    /// `InvalidArgumentError` while a session is open, `ConfigError` for bad values.
    fn reconfigure(&self, py: Python<'_>, options: PyRef<'_, PyOptions>) -> PyResult<()> {
        let config = options.inner.build().map_err(to_py)?;
        let client = &*self.inner;
        py.detach(|| client.reconfigure(config)).map_err(to_py)
    }

    /// Starts a session; waits at most `session_start_timeout` for the backend (without
    /// holding the GIL). Raises `SessionRefusedError` if the backend refuses within it,
    /// `InvalidArgumentError` for an `inherited_session_id` that is not a UUID.
    #[pyo3(signature = (tags=None, inherited_session_id=None))]
    fn start_session<'py>(
        &self,
        py: Python<'py>,
        tags: Option<&Bound<'_, PyAny>>,
        inherited_session_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PySession>> {
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
        let client = &*self.inner;
        let session = py.detach(|| client.start_session(options)).map_err(to_py)?;
        self.wrap(py, session)
    }

    /// Records into the only open session (agentops 0.3's `agentops.record`). With none or
    /// several open, logs a warning and records nothing; after the shutdown (the process
    /// is exiting) counts it as dropped. Never raises.
    pub(crate) fn record(&self, py: Python<'_>, event: &Bound<'_, PyAny>) {
        if let Some(session) = self.inner.session_for_record_or_log() {
            record_into(py, &session, event);
        }
    }

    /// Records an instrumented LLM client call from its HTTP bodies into the only open
    /// session: `api` names the bodies' API (`"openai.chat"`), `started` is when the call
    /// began (epoch seconds), `request` the body sent (None: unknown). With no session
    /// open nothing is recorded; with several, a warning says why. Never raises.
    #[pyo3(signature = (api, started, request, response))]
    pub(crate) fn record_llm_exchange(
        &self,
        py: Python<'_>,
        api: &str,
        started: f64,
        request: Option<&[u8]>,
        response: &[u8],
    ) {
        match self.inner.session_for_record() {
            Ok(session) => record_exchange(py, &session, api, started, request, response),
            Err(_) if self.inner.session_count() > 1 => log::warn!(
                "An LLM call was not recorded: several sessions are open and the call gave no `session=`."
            ),
            Err(_) => {} // no session open, or shut down (that drop is counted)
        }
    }

    /// The only open session; raises `InvalidArgumentError` naming the problem (none, or
    /// several) otherwise.
    fn only_session<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PySession>> {
        let session = self.inner.only_session().map_err(to_py)?;
        self.wrap(py, session)
    }

    /// Open sessions, oldest first.
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
        self.inner.session_count()
    }

    /// The open session with this id (a `uuid.UUID` or its string), or `None`.
    fn get_session<'py>(
        &self,
        py: Python<'py>,
        session_id: &Bound<'_, PyAny>,
    ) -> PyResult<Option<Bound<'py, PySession>>> {
        let Some(id) = uuid_from(session_id) else {
            return Ok(None);
        };
        self.inner
            .get_session(id)
            .map(|s| self.wrap(py, s))
            .transpose()
    }

    /// Registers an agent with the only open session; with none or several open, with
    /// the next session started. Returns its id as a string (generated unless given).
    #[pyo3(signature = (name, agent_id=None))]
    fn create_agent(&self, name: &Bound<'_, PyAny>, agent_id: Option<&Bound<'_, PyAny>>) -> String {
        let id = agent_id.and_then(uuid_from);
        self.inner.create_agent(&display(name), id).to_string()
    }

    /// Ends every open session (default: Indeterminate), waiting at most
    /// `session_end_timeout` in total (interruptibly, without the GIL). Returns how many
    /// ended.
    #[pyo3(signature = (end_state=None, end_state_reason=None))]
    fn end_all_sessions(
        &self,
        py: Python<'_>,
        end_state: Option<&Bound<'_, PyAny>>,
        end_state_reason: Option<String>,
    ) -> PyResult<usize> {
        let Some(state) = parse_end_state(end_state) else {
            return Ok(0);
        };
        let waiter = self.inner.end_all_sessions_waiter(state, end_state_reason);
        interruptibly(py, &waiter)?;
        Ok(waiter.count())
    }

    /// Waits until everything recorded so far is delivered, at most `timeout` seconds
    /// (default: `shutdown_timeout`), interruptibly and without the GIL. `True` if all of
    /// it was.
    #[pyo3(signature = (timeout=None))]
    fn flush(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let timeout = self.timeout_or(timeout, self.config().shutdown_timeout)?;
        let waiter = self.inner.flush_waiter(timeout);
        interruptibly(py, &waiter)
    }

    /// Ends open sessions as Indeterminate ("N/A (process exited without calling
    /// agentops.end_session(...))"), delivers what it can within `timeout` seconds
    /// (default: `shutdown_timeout`) and stops the uploader. Idempotent; waits
    /// interruptibly, never holding the GIL.
    #[pyo3(signature = (timeout=None))]
    fn shutdown<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyDict>> {
        let timeout = self.timeout_or(timeout, self.config().shutdown_timeout)?;
        let waiter = self.inner.shutdown_waiter(
            timeout,
            EndState::Indeterminate,
            agentops_core::EXIT_REASON,
        );
        let report = interruptibly(py, &waiter)?;
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
        let timeout = self.timeout_or(timeout, self.config().shutdown_timeout)?;
        let state = parse_end_state(Some(end_state)).unwrap_or(EndState::Fail);
        let waiter = self
            .inner
            .shutdown_waiter(timeout, state, &end_state_reason);
        let report = interruptibly(py, &waiter)?;
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
        let timeout = self.timeout_or(timeout, self.config().session_end_timeout)?;
        let state = parse_end_state(Some(end_state)).unwrap_or(EndState::Fail);
        let (ended, delivery) =
            self.inner
                .auto_end_sessions_waiter(state, &end_state_reason, timeout);
        interruptibly(py, &delivery)?;
        Ok(ended)
    }

    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stats_dict(py, &self.inner.stats())
    }

    #[getter]
    fn is_shut_down(&self) -> bool {
        self.inner.is_shut_down()
    }

    /// `"agentops"` or `"file"`.
    #[getter]
    fn exporter(&self) -> &'static str {
        self.inner.exporter().map_or("custom", |e| e.as_str())
    }

    #[getter]
    fn api_key(&self) -> Option<String> {
        self.config().api_key.clone()
    }

    #[getter]
    fn parent_key(&self) -> Option<String> {
        self.config().parent_key.clone()
    }

    #[getter]
    fn default_tags(&self) -> Vec<String> {
        self.config().default_tags.clone()
    }

    #[getter]
    fn shutdown_timeout(&self) -> f64 {
        self.config().shutdown_timeout.as_secs_f64()
    }

    #[getter]
    fn auto_start_session(&self) -> bool {
        self.config().auto_start_session
    }

    #[getter]
    fn skip_auto_end_session(&self) -> bool {
        self.config().skip_auto_end_session
    }

    #[getter]
    fn instrument_llm_calls(&self) -> bool {
        self.config().instrument_llm_calls
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
