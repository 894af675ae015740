//! `Session`: one recording session (agentops 0.3 `Session`). Created by
//! `Client.start_session`; many can be open at once.

use agentops_core::{EndReport, EndState, ErrorKind, Session, SessionStats, SessionStatus};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};
use uuid::Uuid;

use crate::errors::to_py;
use crate::llm_exchange::record_exchange;
use crate::record::record_into;
use crate::util::{display, iso, str_of, tags_from, uuid_from, uuid_obj};
use crate::wait::interruptibly;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PARTIAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

#[pyclass(module = "agentops._native", name = "Session", weakref)]
pub struct PySession {
    pub(crate) inner: Session,
    id_obj: Py<PyAny>,
}

impl PySession {
    pub fn new(py: Python<'_>, inner: Session) -> PyResult<Self> {
        let id_obj = uuid_obj(py, &inner.id())?.unbind();
        Ok(PySession { inner, id_obj })
    }
}

/// A `decimal.Decimal` for a token cost (agentops 0.3 returns `Decimal`).
fn decimal(py: Python<'_>, cost: f64) -> PyResult<Bound<'_, PyAny>> {
    DECIMAL
        .import(py, "decimal", "Decimal")?
        .call1((format!("{cost}"),))
}

/// The text of an end state given as a `str` or an enum (its `.value`).
fn end_state_text(value: &Bound<'_, PyAny>) -> String {
    match value.cast::<pyo3::types::PyString>() {
        Ok(s) => str_of(s).into_owned(),
        Err(_) => match value.getattr("value") {
            Ok(v) => display(&v),
            Err(_) => display(value),
        },
    }
}

/// The end state as the core's enum (default Indeterminate), or `None` with the core's
/// warning if it is not one of "Success", "Fail", "Indeterminate".
pub fn parse_end_state(value: Option<&Bound<'_, PyAny>>) -> Option<EndState> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Some(EndState::Indeterminate);
    };
    EndState::from_user_or_warn(&end_state_text(value))
}

impl PySession {
    /// Ends the session, waiting at most `wait` for delivery, interruptibly (a signal's
    /// handler runs within a slice; its exception ends the wait). `None` if the session had
    /// already ended.
    fn end_interruptibly(
        &self,
        py: Python<'_>,
        state: EndState,
        reason: Option<String>,
        wait: Option<std::time::Duration>,
    ) -> PyResult<Option<EndReport>> {
        match self.inner.end_waiter(state, reason, wait) {
            Ok(waiter) => interruptibly(py, &waiter).map(Some),
            Err(err) if err.kind() == ErrorKind::SessionEnded => {
                log::debug!("session {} has already ended", self.inner.id());
                Ok(None)
            }
            Err(err) => Err(to_py(err)),
        }
    }
}

/// agentops 0.3's `get_analytics()` dict.
fn analytics_dict<'py>(py: Python<'py>, stats: &SessionStats) -> PyResult<Bound<'py, PyDict>> {
    let c = &stats.counts;
    let d = PyDict::new(py);
    d.set_item("LLM calls", c.llms)?;
    d.set_item("Tool calls", c.tools)?;
    d.set_item("Actions", c.actions)?;
    d.set_item("Errors", c.errors)?;
    d.set_item("Duration", stats.duration_text())?;
    d.set_item("Cost", stats.cost_text())?;
    Ok(d)
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

    /// As `Client.record_llm_exchange`, into this session.
    #[pyo3(signature = (api, started, request, response))]
    fn record_llm_exchange(
        &self,
        py: Python<'_>,
        api: &str,
        started: f64,
        request: Option<&[u8]>,
        response: &[u8],
    ) {
        record_exchange(py, &self.inner, api, started, request, response);
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
            return Ok(None); // the core's 0.3 warning was logged; the session stays open
        };
        let reason = end_state_reason.filter(|r| !r.is_none()).map(display);
        if let Some(v) = video.filter(|v| !v.is_none()) {
            self.inner.set_video(Some(display(v)));
        }
        let Some(report) =
            self.end_interruptibly(py, state, reason, Some(self.inner.end_timeout()))?
        else {
            return Ok(None);
        };
        for (level, line) in report.log_lines() {
            log::log!(level, "{line}");
        }
        report.stats.token_cost.map(|c| decimal(py, c)).transpose()
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
    ) -> PyResult<bool> {
        let Some(state) = parse_end_state(Some(end_state)) else {
            return Ok(false);
        };
        let wait = timeout.map(|t| std::time::Duration::from_secs_f64(t.max(0.0)));
        let report = self.end_interruptibly(py, state, end_state_reason, wait)?;
        Ok(report.is_some_and(|r| wait.is_none() || r.delivered))
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
        analytics_dict(py, &self.inner.stats())
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
        self.inner.export_path().map(|p| p.display().to_string())
    }

    /// `"Session Replay: <url>"`, or `"Session recorded to <path>"` (file exporter).
    #[getter]
    fn replay_line(&self) -> String {
        self.inner.replay().line()
    }

    /// Open and not refused by the backend.
    #[getter]
    fn is_running(&self) -> bool {
        self.inner.is_running()
    }

    /// `"starting"`, `"running"`, `"refused"` or `"ended"`.
    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status().as_str()
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
        let d = PyDict::new(py);
        for (name, n) in self.inner.event_counts().by_name() {
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
            self.end_interruptibly(py, state, reason, Some(self.inner.end_timeout()))?;
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
