//! The fallback for values that are none of the JSON types, in the spirit of agentops
//! 0.3's `safe_serialize`: pydantic models (`model_dump()`), dataclasses (their fields),
//! `uuid.UUID` (its string), dates and times (`isoformat()`), enums (their value),
//! decimals, sets (arrays), objects with `to_dict()` / `dict()` / `to_json()` / `json()`,
//! other mappings, otherwise the placeholder `"<<non-serializable: TypeName>>"`.

use agentops_core::event::json::placeholder;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyFrozenSet, PyMapping, PySet, PyString, PyType};
use serde_json::Value;

use super::numbers::is_decimal;
use crate::util::{display, str_of, type_name};

pub enum Fallback<'py> {
    /// Serialise this object instead (e.g. the result of `model_dump()`).
    Object(Bound<'py, PyAny>),
    /// A `decimal.Decimal`: see `numbers.rs`.
    Decimal,
    Text(String),
    Value(Value),
    Items(Vec<Bound<'py, PyAny>>),
    Fields(Vec<(String, Bound<'py, PyAny>)>),
}

static UUID: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static ENUM: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn non_serializable(obj: &Bound<'_, PyAny>) -> String {
    placeholder::non_serializable(&type_name(obj))
}

/// Calls `obj.<name>()` if it is a callable attribute.
fn call_if_callable<'py>(
    obj: &Bound<'py, PyAny>,
    name: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    match obj.getattr(name) {
        Ok(attr) if attr.is_callable() => attr.call0().map(Some),
        Ok(_) => Ok(None),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyAttributeError>(obj.py()) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `obj.model_dump(warnings=False)` (pydantic v2), or `obj.model_dump()` for a look-alike
/// that takes no such keyword.
fn model_dump<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = obj.py();
    match obj.getattr("model_dump") {
        Ok(dump) if dump.is_callable() => {
            let quiet = pyo3::types::PyDict::new(py);
            quiet.set_item("warnings", false)?;
            match dump.call((), Some(&quiet)) {
                Err(e) if e.is_instance_of::<pyo3::exceptions::PyTypeError>(py) => {
                    dump.call0().map(Some)
                }
                other => other.map(Some),
            }
        }
        Ok(_) => Ok(None),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyAttributeError>(py) => Ok(None),
        Err(e) => Err(e),
    }
}

/// How to convert a value that is none of the JSON types.
pub fn fallback<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Fallback<'py>> {
    let py = obj.py();
    if obj.is_instance_of::<PyType>()
        || obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyByteArray>()
    {
        return Ok(Fallback::Text(non_serializable(obj)));
    }
    if obj.is_instance_of::<PySet>() || obj.is_instance_of::<PyFrozenSet>() {
        return Ok(Fallback::Items(
            obj.try_iter()?.collect::<PyResult<Vec<_>>>()?,
        ));
    }
    if obj.is_instance(UUID.import(py, "uuid", "UUID")?)? {
        return Ok(Fallback::Text(display(obj)));
    }
    if obj.is_instance(DATE.import(py, "datetime", "date")?)?
        || obj.is_instance(TIME.import(py, "datetime", "time")?)?
    {
        return Ok(Fallback::Text(display(&obj.call_method0("isoformat")?)));
    }
    if obj.is_instance(ENUM.import(py, "enum", "Enum")?)? {
        return Ok(Fallback::Object(obj.getattr("value")?));
    }
    if is_decimal(obj)? {
        return Ok(Fallback::Decimal);
    }
    // pydantic v2, asked not to warn: a serialiser warning would reach the user's code
    if let Some(dumped) = model_dump(obj)? {
        return Ok(Fallback::Object(dumped));
    }
    // dataclass instances: their fields, in order
    if let Ok(fields) = obj.get_type().getattr("__dataclass_fields__") {
        if let Ok(fields) = fields.cast::<PyDict>() {
            let mut out = Vec::with_capacity(fields.len());
            for name in fields.keys() {
                let value = obj.getattr(name.cast::<PyString>()?)?;
                out.push((super::key_text(&name).into_owned(), value));
            }
            return Ok(Fallback::Fields(out));
        }
    }
    for method in ["to_dict", "dict"] {
        if let Some(d) = call_if_callable(obj, method)? {
            return Ok(Fallback::Object(d));
        }
    }
    for method in ["to_json", "json"] {
        if let Some(text) = call_if_callable(obj, method)? {
            if let Ok(t) = text.cast::<PyString>() {
                let t = str_of(t);
                return Ok(match serde_json::from_str::<Value>(&t) {
                    Ok(v) => Fallback::Value(v),
                    Err(_) => Fallback::Text(t.into_owned()),
                });
            }
            return Ok(Fallback::Object(text));
        }
    }
    // Other mappings (e.g. MappingProxyType) are safe to walk.
    if let Ok(mapping) = obj.cast::<PyMapping>() {
        let mut out = Vec::new();
        for item in mapping.items()?.iter() {
            let (k, v): (Bound<'py, PyAny>, Bound<'py, PyAny>) = item.extract()?;
            out.push((super::key_text(&k).into_owned(), v));
        }
        return Ok(Fallback::Fields(out));
    }
    Ok(Fallback::Text(non_serializable(obj)))
}
