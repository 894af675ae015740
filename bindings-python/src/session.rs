//! `Session`: one recording session (agentops 0.3 `Session`). Created by
//! `Client.start_session`; many can be open at once.

use std::path::PathBuf;

use agentops_core::{EndState, Session, SessionStatus};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};
use uuid::Uuid;

use crate::events::{record_into, tags_from};
use crate::util::{display, iso, str_of, uuid_from, uuid_obj};

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PARTIAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

#[pyclass(module = "agentops._native", name = "Session")]
pub struct PySession {
    pub(crate) inner: Session,
    id_obj: Py<PyAny>,
    export_path: Option<PathBuf>,
}

impl PySession {
    pub fn new(py: Python<'_>, inner: Session, export_dir: Option<PathBuf>) -> PyResult<Self> {
        let id_obj = uuid_obj(py, &inner.id())?.unbind();
        let export_path = export_dir.map(|d| d.join(format!("{}.jsonl", inner.id())));
        Ok(PySession {
            inner,
            id_obj,
            export_path,
        })
    }
}

/// A `decimal.Decimal` for a token cost (agentops 0.3 returns `Decimal`).
fn decimal(py: Python<'_>, cost: f64) -> PyResult<Bound<'_, PyAny>> {
    DECIMAL
        .import(py, "decimal", "Decimal")?
        .call1((format!("{cost}"),))
}

/// agentops 0.3's duration format: `"1h 2m 3.4s"`.
pub fn format_duration(micros: u64) -> String {
    let secs = micros as f64 / 1e6;
    let hours = (secs / 3600.0).floor();
    let minutes = ((secs - hours * 3600.0) / 60.0).floor();
    let seconds = secs - hours * 3600.0 - minutes * 60.0;
    let mut parts = Vec::new();
    if hours > 0.0 {
        parts.push(format!("{hours}h"));
    }
    if minutes > 0.0 {
        parts.push(format!("{minutes}m"));
    }
    parts.push(format!("{seconds:.1}s"));
    parts.join(" ")
}

/// The end state as the core's enum, or `None` (with a warning) if it is not one of
/// "Success", "Fail", "Indeterminate".
pub fn parse_end_state(value: Option<&Bound<'_, PyAny>>) -> Option<EndState> {
    let Some(value) = value else {
        return Some(EndState::Indeterminate);
    };
    let text = match value.cast::<pyo3::types::PyString>() {
        Ok(s) => str_of(s).into_owned(),
        Err(_) => match value.getattr("value") {
            Ok(v) => display(&v),
            Err(_) => display(value),
        },
    };
    let state = EndState::parse(&text);
    if state.is_none() {
        log::warn!(
            "Invalid end_state {text:?}. Please use one of the EndState enums (\"Success\", \"Fail\", \"Indeterminate\")"
        );
    }
    state
}

impl PySession {
    fn analytics_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let a = self.inner.analytics();
        let d = PyDict::new(py);
        d.set_item("LLM calls", a.llm_calls)?;
        d.set_item("Tool calls", a.tool_calls)?;
        d.set_item("Actions", a.actions)?;
        d.set_item("Errors", a.errors)?;
        d.set_item("Duration", format_duration(a.duration.as_micros() as u64))?;
        d.set_item("Cost", format!("{:.6}", a.token_cost.unwrap_or(0.0)))?;
        Ok(d)
    }
}

#[pymethods]
impl PySession {
    /// Records an event (never blocks, never raises). `flush_now` is accepted for
    /// compatibility; delivery is driven by the uploader.
    #[pyo3(signature = (event, flush_now=false))]
    fn record(&self, py: Python<'_>, event: &Bound<'_, PyAny>, flush_now: bool) {
        let _ = flush_now;
        record_into(py, &self.inner, event);
    }

    /// Ends the session: its pending events, then the final update, are delivered (waiting
    /// at most `session_end_timeout`). Returns the token cost reported by the backend as a
    /// `Decimal`, or `None` (unknown, invalid end state, or already ended).
    #[pyo3(signature = (end_state=None, end_state_reason=None, video=None))]
    fn end_session<'py>(
        &self,
        py: Python<'py>,
        end_state: Option<&Bound<'py, PyAny>>,
        end_state_reason: Option<&Bound<'py, PyAny>>,
        video: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(state) = parse_end_state(end_state) else {
            return Ok(None);
        };
        if self.inner.status() == SessionStatus::Ended {
            log::debug!("session {} has already ended", self.inner.id());
            return Ok(None);
        }
        let reason = end_state_reason.filter(|r| !r.is_none()).map(display);
        if let Some(v) = video.filter(|v| !v.is_none()) {
            self.inner.set_video(Some(display(v)));
        }
        let inner = self.inner.clone();
        let outcome = match py.detach(move || inner.end(state, reason)) {
            Ok(outcome) => outcome,
            Err(_) => return Ok(None),
        };
        let a = self.inner.analytics();
        log::info!(
            "Session Stats - Duration: {} | Cost: ${:.6} | LLMs: {} | Tools: {} | Actions: {} | Errors: {}",
            format_duration(a.duration.as_micros() as u64),
            a.token_cost.unwrap_or(0.0),
            a.llm_calls,
            a.tool_calls,
            a.actions,
            a.errors
        );
        if !outcome.delivered {
            log::warn!(
                "session {}: not everything was delivered within session_end_timeout; delivery continues in the background",
                self.inner.id()
            );
        }
        match &self.export_path {
            Some(path) => log::info!("Session recorded to {}", path.display()),
            None => log::info!("Session Replay: {}", self.inner.session_url()),
        }
        outcome
            .token_cost
            .or_else(|| self.inner.token_cost())
            .map(|c| decimal(py, c))
            .transpose()
    }

    /// Ends the session and waits at most `timeout` seconds (without the GIL) for its
    /// events and final update to be delivered; `timeout=None` queues the end and
    /// returns at once. `True` if it was delivered in time. Used by exit hooks.
    #[pyo3(signature = (end_state, end_state_reason=None, timeout=None))]
    fn end_within(
        &self,
        py: Python<'_>,
        end_state: &Bound<'_, PyAny>,
        end_state_reason: Option<String>,
        timeout: Option<f64>,
    ) -> bool {
        let Some(state) = parse_end_state(Some(end_state)) else {
            return false;
        };
        let wait = timeout.map(|t| std::time::Duration::from_secs_f64(t.max(0.0)));
        let inner = self.inner.clone();
        py.detach(move || inner.end_within(state, end_state_reason, wait))
            .is_ok_and(|o| wait.is_none() || o.delivered)
    }

    /// Adds tags (ordered, de-duplicated) and sends the update. A `str` is one tag.
    fn add_tags(&self, tags: &Bound<'_, PyAny>) {
        self.inner.add_tags(tags_from(Some(tags)));
    }

    /// Replaces the tags and sends the update. A `str` is one tag.
    fn set_tags(&self, tags: &Bound<'_, PyAny>) {
        self.inner.set_tags(tags_from(Some(tags)));
    }

    /// Sets the video URL sent with the session's next update.
    fn set_video(&self, video: Option<&Bound<'_, PyAny>>) {
        self.inner
            .set_video(video.filter(|v| !v.is_none()).map(display));
    }

    /// Registers an agent (`POST /v2/create_agent`, sent before any later event). Returns
    /// its id as a string (generated unless given).
    #[pyo3(signature = (name, agent_id=None))]
    fn create_agent(&self, name: &Bound<'_, PyAny>, agent_id: Option<&Bound<'_, PyAny>>) -> String {
        let id = agent_id.and_then(uuid_from);
        self.inner.create_agent(&display(name), id).to_string()
    }

    /// `{"LLM calls", "Tool calls", "Actions", "Errors", "Duration", "Cost"}`; Cost is the
    /// last token cost the backend reported (`"0.000000"` until it reports one).
    fn get_analytics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.analytics_dict(py)
    }

    /// `functools.partial(func, session=self)` (agentops 0.3 `Session.patch`).
    fn patch<'py>(slf: &Bound<'py, Self>, func: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let partial = PARTIAL.import(py, "functools", "partial")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("session", slf)?;
        partial.call((func,), Some(&kwargs))
    }

    #[getter]
    fn session_id(&self, py: Python<'_>) -> Py<PyAny> {
        self.id_obj.clone_ref(py)
    }

    #[getter]
    fn session_url(&self) -> String {
        self.inner.session_url()
    }

    /// The JSONL file this session is written to (file exporter only).
    #[getter]
    fn export_path(&self) -> Option<String> {
        self.export_path.as_ref().map(|p| p.display().to_string())
    }

    /// Open and not refused by the backend.
    #[getter]
    fn is_running(&self) -> bool {
        self.inner.is_running()
    }

    /// `"starting"`, `"running"`, `"refused"` or `"ended"`.
    #[getter]
    fn status(&self) -> &'static str {
        match self.inner.status() {
            SessionStatus::Starting => "starting",
            SessionStatus::Running => "running",
            SessionStatus::Refused => "refused",
            SessionStatus::Ended => "ended",
        }
    }

    #[getter]
    fn has_ended(&self) -> bool {
        self.inner.status() == SessionStatus::Ended
    }

    #[getter]
    fn init_timestamp(&self) -> String {
        iso(self.inner.init_timestamp())
    }

    #[getter]
    fn end_timestamp(&self) -> Option<String> {
        self.inner.to_record().end_timestamp.map(iso)
    }

    #[getter]
    fn end_state(&self) -> &'static str {
        self.inner.to_record().end_state.as_str()
    }

    #[getter]
    fn end_state_reason(&self) -> Option<String> {
        self.inner.to_record().end_state_reason
    }

    #[getter]
    fn video(&self) -> Option<String> {
        self.inner.to_record().video
    }

    #[getter]
    fn tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.inner.tags())
    }

    #[getter]
    fn event_counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let counts = self.inner.event_counts();
        let d = PyDict::new(py);
        for (name, n) in ["llms", "tools", "actions", "errors", "apis"]
            .iter()
            .zip(counts)
        {
            d.set_item(name, n)?;
        }
        Ok(d)
    }

    /// Last token cost reported by the backend (`Decimal`), or `None`.
    #[getter]
    fn token_cost<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.token_cost().map(|c| decimal(py, c)).transpose()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Ends the session as Success, or as Fail with the exception's message.
    #[pyo3(signature = (exc_type=None, exc_value=None, traceback=None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        exc_value: Option<&Bound<'_, PyAny>>,
        traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let _ = traceback;
        if self.inner.status() != SessionStatus::Ended {
            let failed = exc_type.is_some_and(|t| !t.is_none());
            let (state, reason) = if failed {
                (
                    EndState::Fail,
                    exc_value.filter(|v| !v.is_none()).map(display),
                )
            } else {
                (EndState::Success, None)
            };
            let inner = self.inner.clone();
            let _ = py.detach(move || inner.end(state, reason));
        }
        Ok(false)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PySession>()
            .is_ok_and(|o| o.borrow().inner.id() == self.inner.id())
    }

    fn __hash__(&self) -> u64 {
        let id: Uuid = self.inner.id();
        let (hi, lo) = id.as_u64_pair();
        hi ^ lo
    }

    fn __repr__(&self) -> String {
        format!(
            "Session(session_id={}, status={})",
            self.inner.id(),
            self.status()
        )
    }
}
