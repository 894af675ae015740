//! Record time: a Python event object becomes a core event (its payloads converted to JSON
//! within the session's field bound) and is recorded into a session. Nothing here raises
//! into user code: problems are logged, and a panic is caught and logged too.

use std::borrow::Cow;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use agentops_core::event::Cut;
use agentops_core::{
    ActionFields, EndState, ErrorFields, Event, EventKind, GenericFields, Json, LlmApi,
    LlmExchange, LlmFields, Session, ToolFields,
};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::convert::Conversion;
use crate::events::{Kind, PyActionEvent, PyErrorEvent, PyEvent, PyLlmEvent, PyToolEvent};
use crate::util::{display, opt_text, str_of, tags_from, type_name, uuid_from};

/// Converts one event's payloads within the session's field bound, counting what it cut.
struct Payloads<'py> {
    py: Python<'py>,
    max_bytes: usize,
    /// One conversion for all of them: its work bound is per event.
    conversion: Conversion,
    cut: Cell<Cut>,
}

impl<'py> Payloads<'py> {
    fn new(py: Python<'py>, session: &Session) -> Self {
        Payloads {
            py,
            max_bytes: session.max_field_bytes(),
            conversion: Conversion::default(),
            cut: Cell::new(Cut::default()),
        }
    }

    fn json(&self, obj: Option<&Py<PyAny>>) -> Option<Json> {
        let obj = obj?.bind(self.py);
        if obj.is_none() {
            return None;
        }
        let (json, cut) = self.conversion.to_json(obj, self.max_bytes);
        if let Some(bytes) = cut {
            let mut total = self.cut.get();
            total.add(Cut {
                fields: 1,
                bytes: bytes as u64,
            });
            self.cut.set(total);
        }
        Some(json)
    }

    /// agentops 0.3 allows a dict as an error's details; the wire field is a string.
    fn text(&self, obj: Option<&Py<PyAny>>) -> Option<String> {
        let obj = obj?.bind(self.py);
        if obj.is_none() {
            return None;
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return Some(str_of(s).into_owned());
        }
        Some(self.conversion.to_json_text(obj))
    }
}

impl PyEvent {
    /// The core event with this base's fields and the given kind (whose exchange, if it has
    /// one, holds the payloads already). Boxed at once: it then moves as a pointer.
    fn core(&self, payloads: &Payloads<'_>, kind: EventKind) -> Box<Event> {
        let default = kind.default_event_type();
        let exchanged = matches!(&kind, EventKind::Llm(l) if l.exchange.is_some());
        let mut event = Box::new(Event::identified(kind, self.id, self.init));
        event.event_type = self.type_override(payloads.py, default);
        if !exchanged {
            event.params = payloads.json(self.params.as_ref());
            event.returns = payloads.json(self.returns.as_ref());
        }
        event.end_timestamp = self.end;
        event.agent_id = self.agent;
        event
    }
}

/// An action or tool name, interned by the core (`str` read without a copy).
fn opt_name(obj: Option<&Py<PyAny>>, py: Python<'_>) -> Option<Cow<'static, str>> {
    let obj = obj?.bind(py);
    match obj.cast::<PyString>() {
        Ok(s) => Some(agentops_core::event::names::name(&str_of(s))),
        Err(_) if obj.is_none() => None,
        Err(_) => Some(agentops_core::event::names::name(&display(obj))),
    }
}

fn opt_u64(obj: Option<&Py<PyAny>>, py: Python<'_>) -> Option<u64> {
    let obj = obj?.bind(py);
    if obj.is_none() {
        return None;
    }
    obj.extract::<u64>().ok().or_else(|| {
        obj.extract::<f64>()
            .ok()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as u64)
    })
}

fn opt_f64(obj: Option<&Py<PyAny>>, py: Python<'_>) -> Option<f64> {
    let obj = obj?.bind(py);
    if obj.is_none() {
        None
    } else {
        obj.extract::<f64>().ok().filter(|f| f.is_finite())
    }
}

/// An instrumented call's request (`params`) and answer (`returns`), whole, for the core to
/// read the LLM fields out of before it cuts any field to `max_field_bytes` (a long prompt
/// still gives its model).
fn exchange_of(payloads: &Payloads<'_>, base: &PyEvent, api: LlmApi) -> LlmExchange {
    let text = |obj: Option<&Py<PyAny>>| {
        let obj = obj?.bind(payloads.py);
        (!obj.is_none()).then(|| payloads.conversion.to_json_text(obj).into_bytes())
    };
    LlmExchange::of_call(api, text(base.params.as_ref()), text(base.returns.as_ref()))
}

/// Builds the core event from a Python event object. `None` if it is not an agentops event.
fn build(payloads: &Payloads<'_>, obj: &Bound<'_, PyAny>, kind: Kind) -> Option<Box<Event>> {
    let py = payloads.py;
    let mut event = match kind {
        Kind::Action => {
            let sub = obj.cast::<PyActionEvent>().ok()?.try_borrow().ok()?;
            let fields = ActionFields {
                action_type: opt_name(sub.action_type.as_ref(), py),
                logs: payloads.json(sub.logs.as_ref()),
                screenshot: opt_text(sub.screenshot.as_ref(), py),
                tags: Vec::new(),
            };
            sub.as_super().core(payloads, EventKind::Action(fields))
        }
        Kind::Tool => {
            let sub = obj.cast::<PyToolEvent>().ok()?.try_borrow().ok()?;
            let fields = ToolFields {
                name: opt_name(sub.name.as_ref(), py),
                logs: payloads.json(sub.logs.as_ref()),
            };
            sub.as_super().core(payloads, EventKind::Tool(fields))
        }
        Kind::Llm => {
            let sub = obj.cast::<PyLlmEvent>().ok()?.try_borrow().ok()?;
            let fields = LlmFields {
                thread_id: sub.thread_id.as_ref().and_then(|t| uuid_from(t.bind(py))),
                prompt: payloads.json(sub.prompt.as_ref()),
                prompt_tokens: opt_u64(sub.prompt_tokens.as_ref(), py),
                completion: payloads.json(sub.completion.as_ref()),
                completion_tokens: opt_u64(sub.completion_tokens.as_ref(), py),
                model: opt_text(sub.model.as_ref(), py),
                cost: opt_f64(sub.cost.as_ref(), py),
                exchange: sub
                    .read_as
                    .map(|api| Box::new(exchange_of(payloads, sub.as_super(), api))),
            };
            sub.as_super()
                .core(payloads, EventKind::Llm(Box::new(fields)))
        }
        Kind::Error => {
            let sub = obj.cast::<PyErrorEvent>().ok()?.try_borrow().ok()?;
            let base = sub.as_super();
            let fields = ErrorFields {
                trigger_event_id: sub.trigger_id,
                trigger_event_type: opt_text(sub.trigger_event_type.as_ref(), py),
                error_type: opt_text(sub.error_type.as_ref(), py),
                code: opt_text(sub.code.as_ref(), py),
                details: payloads.text(sub.details.as_ref()),
                logs: opt_text(sub.logs.as_ref(), py),
                timestamp: Some(base.init),
            };
            base.core(payloads, EventKind::Error(Box::new(fields)))
        }
        Kind::Generic => {
            let b = obj.cast::<PyEvent>().ok()?.try_borrow().ok()?;
            let fields = GenericFields {
                result: opt_text(b.result.as_ref(), py).and_then(|r| EndState::parse(&r)),
                action_type: opt_text(b.generic_action_type.as_ref(), py),
                model: opt_text(b.model.as_ref(), py),
                prompt: payloads.json(b.prompt.as_ref()),
                tags: tags_from(b.tags.as_ref().map(|t| t.bind(py))),
            };
            let event_type =
                opt_text(b.event_type.as_ref(), py).unwrap_or_else(|| "actions".to_owned());
            let mut e = b.core(payloads, EventKind::Generic(Box::new(fields)));
            e.event_type = Some(Cow::Owned(event_type));
            e
        }
    };
    event.truncated = payloads.cut.get();
    Some(event)
}

/// Records a Python event into `session`. Never raises, never panics: problems are
/// logged. An `ErrorEvent` whose `trigger_event` was not recorded yet records it first
/// (the core orders and links the two).
pub fn record_into(py: Python<'_>, session: &Session, obj: &Bound<'_, PyAny>) {
    guarded(|| record_unguarded(py, session, obj));
}

/// Runs a recording step; a panic (a bug) is caught and logged, and the event dropped.
pub fn guarded(record: impl FnOnce()) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(record)) {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        log::error!("an event could not be recorded (a bug in agentops: {what}); it was dropped");
    }
}

fn record_unguarded(py: Python<'_>, session: &Session, obj: &Bound<'_, PyAny>) {
    let Ok(event) = obj.cast::<PyEvent>() else {
        log::warn!(
            "record() expects an agentops event (Event, ActionEvent, ...); got {}",
            type_name(obj)
        );
        return;
    };
    let Ok(kind) = event.try_borrow().map(|e| e.kind) else {
        return;
    };
    let trigger = match kind {
        Kind::Error => unrecorded_trigger(py, obj),
        _ => None,
    };
    let Some(core) = prepare(py, session, obj, kind) else {
        return;
    };
    let result = match trigger {
        Some(trigger) => match prepare(py, session, trigger.bind(py), trigger_kind(py, &trigger)) {
            Some(trigger) => session.record_error(*core, Some(*trigger)),
            None => session.record_boxed(core),
        },
        None => session.record_boxed(core),
    };
    if let Err(err) = result {
        session.log_refused_record(&err);
    }
}

/// The trigger of an error event, taken off it, if it has not been recorded yet.
fn unrecorded_trigger(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<Py<PyAny>> {
    let err = obj.cast::<PyErrorEvent>().ok()?;
    let trigger = err.try_borrow_mut().ok().and_then(|mut e| {
        e.link_trigger(py);
        e.trigger_event.take()
    })?;
    let recorded = trigger
        .bind(py)
        .cast::<PyEvent>()
        .ok()?
        .try_borrow()
        .ok()?
        .recorded;
    (!recorded).then_some(trigger)
}

fn trigger_kind(py: Python<'_>, trigger: &Py<PyAny>) -> Kind {
    trigger
        .bind(py)
        .cast::<PyEvent>()
        .ok()
        .and_then(|t| t.try_borrow().ok().map(|t| t.kind))
        .unwrap_or(Kind::Generic)
}

/// The core event of `obj`, with the end time stamped by the core and shown on `obj`.
fn prepare(
    py: Python<'_>,
    session: &Session,
    obj: &Bound<'_, PyAny>,
    kind: Kind,
) -> Option<Box<Event>> {
    let Some(mut event) = build(&Payloads::new(py, session), obj, kind) else {
        log::debug!("an event could not be read (it is being modified elsewhere); not recorded");
        return None;
    };
    let end = event.stamp_end();
    if let Ok(mut base) = obj.cast::<PyEvent>().ok()?.try_borrow_mut() {
        base.end = Some(end);
        base.session = Some(session.id());
        base.recorded = true;
    }
    Some(event)
}
