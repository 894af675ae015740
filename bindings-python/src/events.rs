//! The agentops 0.3 event classes as native types: `Event` (also the generic event of the
//! original docs), `ActionEvent`, `LLMEvent`, `ToolEvent`, `ErrorEvent`.
//!
//! Construction is cheap (an id from the core's RNG, a clock read, stored object
//! references, and no keyword dict: `class_call.rs`); attributes hold the caller's original
//! Python objects and are settable.
//! Conversion to the core's `Event` (and to JSON values) happens at record time.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use agentops_core::{GenericFields, LlmApi, Timestamp};
use pyo3::exceptions::{PyBaseException, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyTuple};
use uuid::Uuid;

use crate::class_call::{self, Args, Direct, DirectCall};
use crate::util::{display, iso, str_of, timestamp_from, type_name, uuid_from, uuid_obj};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Generic,
    Action,
    Llm,
    Tool,
    Error,
}

// ---- agent id from contextvars -------------------------------------------------------

static AGENT_VAR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static AGENT_ON: AtomicBool = AtomicBool::new(false);

/// Registers the `contextvars.ContextVar` (default `None`) that `track_agent` sets; until
/// this is called events do not look for an agent at all.
#[pyfunction]
pub fn set_agent_context(py: Python<'_>, var: Py<PyAny>) -> PyResult<()> {
    let _ = AGENT_VAR.set(py, var);
    AGENT_ON.store(true, Relaxed);
    Ok(())
}

#[inline]
pub(crate) fn current_agent(py: Python<'_>) -> Option<Uuid> {
    if !AGENT_ON.load(Relaxed) {
        return None;
    }
    let value = AGENT_VAR
        .get(py)?
        .bind(py)
        .call_method0(intern!(py, "get"))
        .ok()?;
    uuid_from(&value)
}

// ---- the base class --------------------------------------------------------------------

/// Base event (agentops 0.3 `Event`). Used directly it is the generic event of the
/// original docs: `Event("type", params=..., returns=..., result=..., action_type=...,
/// model=..., prompt=..., tags=...)`, whose `action_type` defaults to `"action"`, or to
/// `"llm"` when a model is given.
#[pyclass(subclass, module = "agentops._native", name = "Event")]
pub struct PyEvent {
    pub(crate) kind: Kind,
    pub(crate) id: Uuid,
    pub(crate) init: Timestamp,
    pub(crate) end: Option<Timestamp>,
    pub(crate) agent: Option<Uuid>,
    pub(crate) session: Option<Uuid>,
    /// Set once the event has been handed to a session.
    pub(crate) recorded: bool,
    pub(crate) event_type: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) params: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) returns: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) result: Option<Py<PyAny>>,
    pub(crate) generic_action_type: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) model: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) prompt: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) tags: Option<Py<PyAny>>,
}

#[allow(clippy::too_many_arguments)]
fn base(
    py: Python<'_>,
    kind: Kind,
    event_type: Option<Py<PyAny>>,
    params: Option<Py<PyAny>>,
    returns: Option<Py<PyAny>>,
    init_timestamp: Option<&Bound<'_, PyAny>>,
    end_timestamp: Option<&Bound<'_, PyAny>>,
    agent_id: Option<&Bound<'_, PyAny>>,
    id: Option<&Bound<'_, PyAny>>,
    session_id: Option<&Bound<'_, PyAny>>,
) -> PyEvent {
    let init = init_timestamp
        .and_then(timestamp_from)
        .unwrap_or_else(Timestamp::now);
    PyEvent {
        kind,
        id: id
            .and_then(uuid_from)
            .unwrap_or_else(agentops_core::event::id::new_id),
        init,
        end: end_timestamp.and_then(timestamp_from),
        agent: match agent_id {
            Some(a) => uuid_from(a),
            None => current_agent(py),
        },
        session: session_id.and_then(uuid_from),
        recorded: false,
        event_type,
        params,
        returns,
        result: None,
        generic_action_type: None,
        model: None,
        prompt: None,
        tags: None,
    }
}

impl PyEvent {
    fn default_type<'py>(&self, py: Python<'py>) -> &Bound<'py, PyString> {
        match self.kind {
            Kind::Generic | Kind::Action => intern!(py, "actions"),
            Kind::Llm => intern!(py, "llms"),
            Kind::Tool => intern!(py, "tools"),
            Kind::Error => intern!(py, "errors"),
        }
    }

    /// The wire event_type if it differs from the kind's default.
    pub(crate) fn type_override(
        &self,
        py: Python<'_>,
        default: &'static str,
    ) -> Option<Cow<'static, str>> {
        let t = self.event_type.as_ref()?.bind(py);
        if t.is_none() {
            return None;
        }
        let text = match t.cast::<PyString>() {
            Ok(s) => str_of(s).into_owned(),
            Err(_) => display(t),
        };
        if text == default {
            None
        } else {
            Some(Cow::Owned(text))
        }
    }
}

#[pymethods]
impl PyEvent {
    #[new]
    #[pyo3(signature = (event_type, params=None, returns=None, init_timestamp=None, end_timestamp=None, agent_id=None, id=None, session_id=None, *, result=None, action_type=None, model=None, prompt=None, tags=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        event_type: Py<PyAny>,
        params: Option<Py<PyAny>>,
        returns: Option<Py<PyAny>>,
        init_timestamp: Option<Bound<'_, PyAny>>,
        end_timestamp: Option<Bound<'_, PyAny>>,
        agent_id: Option<Bound<'_, PyAny>>,
        id: Option<Bound<'_, PyAny>>,
        session_id: Option<Bound<'_, PyAny>>,
        result: Option<Py<PyAny>>,
        action_type: Option<Py<PyAny>>,
        model: Option<Py<PyAny>>,
        prompt: Option<Py<PyAny>>,
        tags: Option<Py<PyAny>>,
    ) -> Self {
        let mut e = base(
            py,
            Kind::Generic,
            Some(event_type),
            params,
            returns,
            init_timestamp.as_ref(),
            end_timestamp.as_ref(),
            agent_id.as_ref(),
            id.as_ref(),
            session_id.as_ref(),
        );
        e.result = result;
        e.generic_action_type = action_type;
        e.model = model;
        e.prompt = prompt;
        e.tags = tags;
        e
    }

    #[getter]
    fn get_event_type(&self, py: Python<'_>) -> Py<PyAny> {
        match &self.event_type {
            Some(t) => t.clone_ref(py),
            None => self.default_type(py).clone().into_any().unbind(),
        }
    }

    #[setter]
    fn set_event_type(&mut self, value: Option<Py<PyAny>>) {
        self.event_type = value;
    }

    /// The generic event's action type (`"llm"` when a model is set, else `"action"`).
    #[getter]
    fn get_action_type(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        if let Some(a) = &self.generic_action_type {
            return Some(a.clone_ref(py));
        }
        if self.kind != Kind::Generic {
            return None;
        }
        let model_set = self.model.as_ref().is_some_and(|m| !m.is_none(py));
        let default = GenericFields::default_action_type(model_set);
        Some(PyString::intern(py, default).into_any().unbind())
    }

    #[setter]
    fn set_action_type(&mut self, value: Option<Py<PyAny>>) {
        self.generic_action_type = value;
    }

    #[getter]
    fn get_id<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        uuid_obj(py, &self.id)
    }

    /// A `uuid.UUID` or its string; anything else is ignored with a warning.
    #[setter]
    fn set_id(&mut self, value: Bound<'_, PyAny>) {
        match uuid_from(&value) {
            Some(id) => self.id = id,
            None => log::warn!(
                "event id must be a UUID; got {}: ignored",
                type_name(&value)
            ),
        }
    }

    #[getter]
    fn get_init_timestamp(&self) -> String {
        iso(self.init)
    }

    /// An ISO-8601 string or a `datetime`; anything else is ignored with a warning.
    #[setter]
    fn set_init_timestamp(&mut self, value: Bound<'_, PyAny>) {
        match timestamp_from(&value) {
            Some(ts) => self.init = ts,
            None => log::warn!("init_timestamp must be an ISO-8601 string or a datetime: ignored"),
        }
    }

    #[getter]
    fn get_end_timestamp(&self) -> Option<String> {
        self.end.map(iso)
    }

    /// An ISO-8601 string, a `datetime` or `None`; anything else is ignored with a warning.
    #[setter]
    fn set_end_timestamp(&mut self, value: Option<Bound<'_, PyAny>>) {
        match value {
            None => self.end = None,
            Some(v) => match timestamp_from(&v) {
                Some(ts) => self.end = Some(ts),
                None => log::warn!(
                    "end_timestamp must be an ISO-8601 string, a datetime or None: ignored"
                ),
            },
        }
    }

    #[getter]
    fn get_agent_id<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.agent.as_ref().map(|a| uuid_obj(py, a)).transpose()
    }

    #[setter]
    fn set_agent_id(&mut self, value: Option<Bound<'_, PyAny>>) {
        self.agent = value.as_ref().and_then(uuid_from);
    }

    #[getter]
    fn get_session_id<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.session.as_ref().map(|a| uuid_obj(py, a)).transpose()
    }

    #[setter]
    fn set_session_id(&mut self, value: Option<Bound<'_, PyAny>>) {
        self.session = value.as_ref().and_then(uuid_from);
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let this = slf.borrow();
        let py = slf.py();
        let event_type = display(this.get_event_type(py).bind(py));
        format!(
            "{}(event_type={:?}, id={}, init_timestamp={:?})",
            type_name(slf.as_any()),
            event_type,
            this.id,
            iso(this.init)
        )
    }
}

// ---- subclasses ------------------------------------------------------------------------

macro_rules! base_args {
    ($py:expr, $kind:expr, $et:expr, $p:expr, $r:expr, $it:expr, $ets:expr, $a:expr, $id:expr, $s:expr) => {
        base(
            $py,
            $kind,
            $et,
            $p,
            $r,
            $it.as_ref(),
            $ets.as_ref(),
            $a.as_ref(),
            $id.as_ref(),
            $s.as_ref(),
        )
    };
}

/// An action of the agent (agentops 0.3 `ActionEvent`, `event_type="actions"`).
#[pyclass(extends = PyEvent, subclass, module = "agentops._native", name = "ActionEvent")]
pub struct PyActionEvent {
    #[pyo3(get, set)]
    pub(crate) action_type: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) logs: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) screenshot: Option<Py<PyAny>>,
}

#[pymethods]
impl PyActionEvent {
    #[new]
    #[pyo3(signature = (event_type=None, params=None, returns=None, init_timestamp=None, end_timestamp=None, agent_id=None, id=None, session_id=None, action_type=None, logs=None, screenshot=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        event_type: Option<Py<PyAny>>,
        params: Option<Py<PyAny>>,
        returns: Option<Py<PyAny>>,
        init_timestamp: Option<Bound<'_, PyAny>>,
        end_timestamp: Option<Bound<'_, PyAny>>,
        agent_id: Option<Bound<'_, PyAny>>,
        id: Option<Bound<'_, PyAny>>,
        session_id: Option<Bound<'_, PyAny>>,
        action_type: Option<Py<PyAny>>,
        logs: Option<Py<PyAny>>,
        screenshot: Option<Py<PyAny>>,
    ) -> PyClassInitializer<Self> {
        let b = base_args!(
            py,
            Kind::Action,
            event_type,
            params,
            returns,
            init_timestamp,
            end_timestamp,
            agent_id,
            id,
            session_id
        );
        PyClassInitializer::from(b).add_subclass(PyActionEvent {
            action_type,
            logs,
            screenshot,
        })
    }
}

/// A call to a language model (agentops 0.3 `LLMEvent`, `event_type="llms"`).
#[pyclass(extends = PyEvent, subclass, module = "agentops._native", name = "LLMEvent")]
pub struct PyLlmEvent {
    #[pyo3(get, set)]
    pub(crate) thread_id: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) prompt: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) prompt_tokens: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) completion: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) completion_tokens: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) cost: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) model: Option<Py<PyAny>>,
    /// Set by the instrumentation: the fields not given are read from `params` and
    /// `returns` by the core's rule for this API (see `agentops_core::LlmApi::read`).
    pub(crate) read_as: Option<LlmApi>,
}

#[pymethods]
impl PyLlmEvent {
    /// For the LLM instrumentation: once recorded, the fields not set are read from
    /// `params` (the request) and `returns` (the answer), whole, before any field is cut, by
    /// the core's rule for `api` (`"openai.chat"`, `"anthropic.messages"`). Raises
    /// `ValueError` for another API.
    fn _read_fields_as(&mut self, api: &str) -> PyResult<()> {
        let api = LlmApi::parse(api)
            .ok_or_else(|| PyValueError::new_err(format!("unknown LLM API {api:?}")))?;
        self.read_as = Some(api);
        Ok(())
    }

    #[new]
    #[pyo3(signature = (event_type=None, params=None, returns=None, init_timestamp=None, end_timestamp=None, agent_id=None, id=None, session_id=None, thread_id=None, prompt=None, prompt_tokens=None, completion=None, completion_tokens=None, cost=None, model=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        event_type: Option<Py<PyAny>>,
        params: Option<Py<PyAny>>,
        returns: Option<Py<PyAny>>,
        init_timestamp: Option<Bound<'_, PyAny>>,
        end_timestamp: Option<Bound<'_, PyAny>>,
        agent_id: Option<Bound<'_, PyAny>>,
        id: Option<Bound<'_, PyAny>>,
        session_id: Option<Bound<'_, PyAny>>,
        thread_id: Option<Py<PyAny>>,
        prompt: Option<Py<PyAny>>,
        prompt_tokens: Option<Py<PyAny>>,
        completion: Option<Py<PyAny>>,
        completion_tokens: Option<Py<PyAny>>,
        cost: Option<Py<PyAny>>,
        model: Option<Py<PyAny>>,
    ) -> PyClassInitializer<Self> {
        let b = base_args!(
            py,
            Kind::Llm,
            event_type,
            params,
            returns,
            init_timestamp,
            end_timestamp,
            agent_id,
            id,
            session_id
        );
        PyClassInitializer::from(b).add_subclass(PyLlmEvent {
            thread_id,
            prompt,
            prompt_tokens,
            completion,
            completion_tokens,
            cost,
            model,
            read_as: None,
        })
    }
}

/// A tool call (agentops 0.3 `ToolEvent`, `event_type="tools"`).
#[pyclass(extends = PyEvent, subclass, module = "agentops._native", name = "ToolEvent")]
pub struct PyToolEvent {
    #[pyo3(get, set)]
    pub(crate) name: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) logs: Option<Py<PyAny>>,
}

#[pymethods]
impl PyToolEvent {
    #[new]
    #[pyo3(signature = (event_type=None, params=None, returns=None, init_timestamp=None, end_timestamp=None, agent_id=None, id=None, session_id=None, name=None, logs=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        event_type: Option<Py<PyAny>>,
        params: Option<Py<PyAny>>,
        returns: Option<Py<PyAny>>,
        init_timestamp: Option<Bound<'_, PyAny>>,
        end_timestamp: Option<Bound<'_, PyAny>>,
        agent_id: Option<Bound<'_, PyAny>>,
        id: Option<Bound<'_, PyAny>>,
        session_id: Option<Bound<'_, PyAny>>,
        name: Option<Py<PyAny>>,
        logs: Option<Py<PyAny>>,
    ) -> PyClassInitializer<Self> {
        let b = base_args!(
            py,
            Kind::Tool,
            event_type,
            params,
            returns,
            init_timestamp,
            end_timestamp,
            agent_id,
            id,
            session_id
        );
        PyClassInitializer::from(b).add_subclass(PyToolEvent { name, logs })
    }
}

static TRACEBACK_FORMAT_EXCEPTION: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static TRACEBACK_FORMAT_EXC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static SYS_EXC_INFO: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn format_exception(exc: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = exc.py();
    let f = TRACEBACK_FORMAT_EXCEPTION.import(py, "traceback", "format_exception")?;
    let tb = exc.getattr("__traceback__")?;
    let lines = f.call1((exc.get_type(), exc, tb))?;
    Ok(display(&intern!(py, "").call_method1("join", (lines,))?))
}

/// `traceback.format_exc()` if an exception is being handled, else `None`.
fn current_traceback(py: Python<'_>) -> Option<String> {
    let info = SYS_EXC_INFO
        .import(py, "sys", "exc_info")
        .ok()?
        .call0()
        .ok()?;
    let first = info.cast::<PyTuple>().ok()?.get_item(0).ok()?;
    if first.is_none() {
        return None;
    }
    let text = TRACEBACK_FORMAT_EXC
        .import(py, "traceback", "format_exc")
        .ok()?
        .call0()
        .ok()?;
    Some(display(&text))
}

/// An error, optionally linked to the event that failed (agentops 0.3 `ErrorEvent`,
/// `event_type="errors"`). With `exception=`, `error_type`, `details` and `logs` (the
/// formatted traceback) are filled from it. Recording an error whose `trigger_event` is
/// set records that event first (as agentops 0.3 does) and links the two by
/// `trigger_event_id`.
#[pyclass(extends = PyEvent, subclass, module = "agentops._native", name = "ErrorEvent")]
pub struct PyErrorEvent {
    #[pyo3(get, set)]
    pub(crate) trigger_event: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) exception: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) error_type: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) code: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) details: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    pub(crate) logs: Option<Py<PyAny>>,
    pub(crate) trigger_id: Option<Uuid>,
    #[pyo3(get, set)]
    pub(crate) trigger_event_type: Option<Py<PyAny>>,
}

impl PyErrorEvent {
    /// Fills `trigger_event_id` / `trigger_event_type` from `trigger_event`.
    pub(crate) fn link_trigger(&mut self, py: Python<'_>) {
        let Some(trigger) = &self.trigger_event else {
            return;
        };
        let trigger = trigger.bind(py);
        if let Ok(t) = trigger.cast::<PyEvent>() {
            if let Ok(t) = t.try_borrow() {
                self.trigger_id = Some(t.id);
                self.trigger_event_type = Some(t.get_event_type(py));
            }
        }
    }
}

#[pymethods]
impl PyErrorEvent {
    #[new]
    #[pyo3(signature = (event_type=None, params=None, returns=None, init_timestamp=None, end_timestamp=None, agent_id=None, id=None, session_id=None, trigger_event=None, exception=None, error_type=None, code=None, details=None, logs=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        mut event_type: Option<Py<PyAny>>,
        mut params: Option<Py<PyAny>>,
        returns: Option<Py<PyAny>>,
        init_timestamp: Option<Bound<'_, PyAny>>,
        end_timestamp: Option<Bound<'_, PyAny>>,
        agent_id: Option<Bound<'_, PyAny>>,
        id: Option<Bound<'_, PyAny>>,
        session_id: Option<Bound<'_, PyAny>>,
        mut trigger_event: Option<Py<PyAny>>,
        mut exception: Option<Py<PyAny>>,
        mut error_type: Option<Py<PyAny>>,
        code: Option<Py<PyAny>>,
        mut details: Option<Py<PyAny>>,
        mut logs: Option<Py<PyAny>>,
    ) -> PyClassInitializer<Self> {
        // The pre-0.3.24 positional form `ErrorEvent(trigger_event, exception)`.
        if event_type
            .as_ref()
            .is_some_and(|t| t.bind(py).is_instance_of::<PyEvent>())
            && trigger_event.is_none()
        {
            trigger_event = event_type.take();
            if params
                .as_ref()
                .is_some_and(|p| p.bind(py).is_instance_of::<PyBaseException>())
                && exception.is_none()
            {
                exception = params.take();
            }
        }
        if let Some(exc) = exception.take() {
            let e = exc.bind(py);
            if e.is_instance_of::<PyBaseException>() {
                if error_type.as_ref().is_none_or(|t| t.is_none(py)) {
                    error_type = e.get_type().name().ok().map(|n| n.into_any().unbind());
                }
                if details.as_ref().is_none_or(|d| d.is_none(py)) {
                    details = Some(PyString::new(py, &display(e)).into_any().unbind());
                }
                if logs.as_ref().is_none_or(|l| l.is_none(py)) {
                    logs = format_exception(e)
                        .ok()
                        .map(|t| PyString::new(py, &t).into_any().unbind());
                }
            } else {
                // Not an exception: keep it as given.
                exception = Some(exc);
            }
        } else if logs.is_none() {
            logs = current_traceback(py).map(|t| PyString::new(py, &t).into_any().unbind());
        }
        let b = base_args!(
            py,
            Kind::Error,
            event_type,
            params,
            returns,
            init_timestamp,
            end_timestamp,
            agent_id,
            id,
            session_id
        );
        let mut e = PyErrorEvent {
            trigger_event,
            exception,
            error_type,
            code,
            details,
            logs,
            trigger_id: None,
            trigger_event_type: None,
        };
        e.link_trigger(py);
        PyClassInitializer::from(b).add_subclass(e)
    }

    #[getter]
    fn get_trigger_event_id<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.trigger_id
            .as_ref()
            .map(|a| uuid_obj(py, a))
            .transpose()
    }

    #[setter]
    fn set_trigger_event_id(&mut self, value: Option<Bound<'_, PyAny>>) {
        self.trigger_id = value.as_ref().and_then(uuid_from);
    }

    /// Read-only alias of `init_timestamp` (agentops 0.3.24+).
    #[getter]
    fn timestamp(slf: PyRef<'_, Self>) -> String {
        iso(slf.as_super().init)
    }
}

// ---- calling the classes without a keyword dict (`class_call.rs`) -----------------------

macro_rules! direct_call {
    ($class:ty, $($i:literal),*) => {
        impl DirectCall for $class {
            fn direct() -> &'static PyOnceLock<Direct> {
                static DIRECT: PyOnceLock<Direct> = PyOnceLock::new();
                &DIRECT
            }

            fn construct(args: &Args<'_, '_>) -> PyResult<PyClassInitializer<Self>> {
                Ok(<$class>::new(args.py(), $(args.get($i)),*).into())
            }
        }
    };
}

direct_call!(PyEvent, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
direct_call!(PyActionEvent, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
direct_call!(PyLlmEvent, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
direct_call!(PyToolEvent, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
direct_call!(PyErrorEvent, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEvent>()?;
    m.add_class::<PyActionEvent>()?;
    m.add_class::<PyLlmEvent>()?;
    m.add_class::<PyToolEvent>()?;
    m.add_class::<PyErrorEvent>()?;
    let py = m.py();
    let direct = [
        class_call::install::<PyEvent>(py),
        class_call::install::<PyActionEvent>(py),
        class_call::install::<PyLlmEvent>(py),
        class_call::install::<PyToolEvent>(py),
        class_call::install::<PyErrorEvent>(py),
    ];
    // For the tests: whether each class is called directly on this interpreter.
    m.setattr("_DIRECT_CALL", direct.iter().all(|d| *d))?;
    m.add_function(wrap_pyfunction!(set_agent_context, m)?)?;
    Ok(())
}
