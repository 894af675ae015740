//! Small conversions shared by the classes: strings, UUIDs, timestamps, cached Python
//! objects.

use std::borrow::Cow;

use agentops_core::Timestamp;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyType};
use uuid::Uuid;

/// The text of a Python `str`, borrowed (a copy only for lone surrogates).
#[inline]
pub fn str_of<'a>(s: &'a Bound<'_, PyString>) -> Cow<'a, str> {
    // `to_str` borrows CPython's cached UTF-8 (stable ABI since 3.10).
    match s.to_str() {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(s.to_string_lossy().into_owned()),
    }
}

/// `str(obj)` as Rust text; never fails (falls back to the type name).
pub fn display(obj: &Bound<'_, PyAny>) -> String {
    if let Ok(s) = obj.cast::<PyString>() {
        return str_of(s).into_owned();
    }
    match obj.str() {
        Ok(s) => str_of(&s).into_owned(),
        Err(_) => format!("<{}>", type_name(obj)),
    }
}

/// `type(obj).__qualname__`.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .qualname()
        .map(|q| str_of(&q).into_owned())
        .unwrap_or_else(|_| "object".to_owned())
}

/// `None` → `None`; `str` → itself; anything else → `str(obj)`.
pub fn opt_text(obj: Option<&Py<PyAny>>, py: Python<'_>) -> Option<String> {
    let obj = obj?.bind(py);
    if obj.is_none() {
        None
    } else {
        Some(display(obj))
    }
}

/// A UUID from a `uuid.UUID`, a string, or anything whose `str()` is a UUID.
pub fn uuid_from(obj: &Bound<'_, PyAny>) -> Option<Uuid> {
    if obj.is_none() {
        return None;
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Uuid::parse_str(str_of(s).trim()).ok();
    }
    Uuid::parse_str(display(obj).trim()).ok()
}

static UUID_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A `uuid.UUID` object for `id`.
pub fn uuid_obj<'py>(py: Python<'py>, id: &Uuid) -> PyResult<Bound<'py, PyAny>> {
    let ty = UUID_TYPE.import(py, "uuid", "UUID")?;
    let mut buf = Uuid::encode_buffer();
    ty.call1((&*id.hyphenated().encode_lower(&mut buf),))
}

/// A timestamp from an ISO-8601 string or a `datetime` (the core reads naive times as UTC).
pub fn timestamp_from(obj: &Bound<'_, PyAny>) -> Option<Timestamp> {
    if obj.is_none() {
        return None;
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Timestamp::parse_iso(&str_of(s));
    }
    let iso = obj.call_method0("isoformat").ok()?;
    Timestamp::parse_iso(&str_of(iso.cast::<PyString>().ok()?))
}

pub fn iso(ts: Timestamp) -> String {
    ts.to_iso()
}

/// `None` → `[]`, `"a"` → `["a"]`, an iterable → `str()` of each item.
pub fn tags_from(obj: Option<&Bound<'_, PyAny>>) -> Vec<String> {
    let Some(obj) = obj else { return Vec::new() };
    if obj.is_none() {
        return Vec::new();
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return vec![str_of(s).into_owned()];
    }
    match obj.try_iter() {
        Ok(iter) => iter
            .filter_map(Result::ok)
            .filter(|t| !t.is_none())
            .map(|t| display(&t))
            .collect(),
        Err(_) => vec![display(obj)],
    }
}
