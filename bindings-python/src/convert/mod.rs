//! Python values → JSON, at record time, on the caller's thread.
//!
//! `PyJson` implements `serde::Serialize` over a live Python object, so a payload is
//! encoded straight to compact JSON text (`agentops_core::json::Json::encode`) without an
//! intermediate `serde_json::Value`. Fast path for dict/list/tuple/str/int/float/bool/None;
//! a fallback for everything else in the spirit of agentops 0.3's `safe_serialize`:
//! pydantic models (`model_dump()`), dataclasses (their fields), `uuid.UUID` (its string),
//! dates and times (`isoformat()`), enums (their value), `Decimal` (a number), sets (arrays),
//! objects with `to_dict()` / `dict()` / `to_json()` / `json()`, otherwise the placeholder
//! `"<<non-serializable: TypeName>>"`. A value never makes an event fail: an exception in
//! a user's `model_dump()` becomes `"<<serialization-error: ...>>"`.
//!
//! Dict keys that are not strings become `str(key)`; non-finite floats become `null`;
//! integers beyond 64 bits become floats.

use agentops_core::Json;
use agentops_core::event::json::placeholder;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PyMapping, PySet,
    PyString, PyTuple, PyType,
};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

use crate::util::{display, str_of, type_name};

/// Nesting deeper than this becomes a placeholder (also stops self-referencing objects).
const MAX_DEPTH: usize = 64;

/// A Python object seen as JSON.
pub struct PyJson<'a, 'py> {
    obj: &'a Bound<'py, PyAny>,
    depth: usize,
}

impl<'a, 'py> PyJson<'a, 'py> {
    pub fn new(obj: &'a Bound<'py, PyAny>) -> Self {
        PyJson { obj, depth: 0 }
    }
}

/// The payload of an event field: `None` for Python `None` / absent.
pub fn opt_json(obj: Option<&Py<PyAny>>, py: Python<'_>) -> Option<Json> {
    let obj = obj?.bind(py);
    if obj.is_none() {
        None
    } else {
        Some(Json::encode(&PyJson::new(obj)))
    }
}

/// JSON text of any Python value (never fails).
pub fn to_json_text(obj: &Bound<'_, PyAny>) -> String {
    serde_json::to_string(&PyJson::new(obj))
        .unwrap_or_else(|e| Value::String(placeholder::serialization_error(e)).to_string())
}

/// A dict key as text: borrowed for `str` keys (the common case), `str(key)` otherwise.
fn key_text<'a>(k: &'a Bound<'_, PyAny>) -> std::borrow::Cow<'a, str> {
    match k.cast::<PyString>() {
        Ok(s) => str_of(s),
        Err(_) => std::borrow::Cow::Owned(display(k)),
    }
}

/// What a value is, for serialising: exact built-in types are recognised by a pointer
/// compare each (the common case); subclasses by the slower checks after them.
enum Shape<'a, 'py> {
    Null,
    Str(&'a Bound<'py, PyString>),
    Bool(bool),
    Int(&'a Bound<'py, PyInt>),
    Float(f64),
    Dict(&'a Bound<'py, PyDict>),
    List(&'a Bound<'py, PyList>),
    Tuple(&'a Bound<'py, PyTuple>),
    Other,
}

fn shape<'a, 'py>(obj: &'a Bound<'py, PyAny>) -> Shape<'a, 'py> {
    if let Ok(v) = obj.cast_exact::<PyString>() {
        return Shape::Str(v);
    }
    if let Ok(v) = obj.cast_exact::<PyDict>() {
        return Shape::Dict(v);
    }
    if let Ok(v) = obj.cast_exact::<PyInt>() {
        return Shape::Int(v);
    }
    if obj.is_none() {
        return Shape::Null;
    }
    if let Ok(v) = obj.cast::<PyString>() {
        Shape::Str(v)
    } else if let Ok(b) = obj.cast::<PyBool>() {
        Shape::Bool(b.is_true())
    } else if let Ok(v) = obj.cast::<PyInt>() {
        Shape::Int(v)
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        Shape::Float(f.value())
    } else if let Ok(v) = obj.cast::<PyDict>() {
        Shape::Dict(v)
    } else if let Ok(v) = obj.cast::<PyList>() {
        Shape::List(v)
    } else if let Ok(v) = obj.cast::<PyTuple>() {
        Shape::Tuple(v)
    } else {
        Shape::Other
    }
}

fn serialize_int<S: Serializer>(i: &Bound<'_, PyInt>, s: S) -> Result<S::Ok, S::Error> {
    if let Ok(v) = i.extract::<i64>() {
        return s.serialize_i64(v);
    }
    if let Ok(v) = i.extract::<u64>() {
        return s.serialize_u64(v);
    }
    match i.extract::<f64>() {
        Ok(f) => s.serialize_f64(f),
        Err(_) => s.serialize_unit(),
    }
}

impl Serialize for PyJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let containers = match shape(self.obj) {
            Shape::Null => return s.serialize_unit(),
            Shape::Str(v) => return s.serialize_str(&str_of(v)),
            Shape::Bool(b) => return s.serialize_bool(b),
            Shape::Int(i) => return serialize_int(i, s),
            // serde_json writes NaN and infinities as null.
            Shape::Float(f) => return s.serialize_f64(f),
            containers => containers,
        };
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return s.serialize_str(placeholder::NESTED_TOO_DEEPLY);
        }
        match containers {
            Shape::Dict(d) => {
                let mut map = s.serialize_map(Some(d.len()))?;
                for (k, v) in d.iter() {
                    map.serialize_entry(&*key_text(&k), &PyJson { obj: &v, depth })?;
                }
                map.end()
            }
            Shape::List(l) => serialize_items(l.iter(), l.len(), depth, s),
            Shape::Tuple(t) => serialize_items(t.iter(), t.len(), depth, s),
            _ => serialize_fallback(self.obj, depth, s),
        }
    }
}

fn serialize_items<'py, S: Serializer>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    len: usize,
    depth: usize,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(len))?;
    for v in items {
        seq.serialize_element(&PyJson { obj: &v, depth })?;
    }
    seq.end()
}

fn serialize_fallback<S: Serializer>(
    obj: &Bound<'_, PyAny>,
    depth: usize,
    s: S,
) -> Result<S::Ok, S::Error> {
    match fallback(obj) {
        Ok(Fallback::Object(o)) => PyJson { obj: &o, depth }.serialize(s),
        Ok(Fallback::Text(t)) => s.serialize_str(&t),
        Ok(Fallback::Value(v)) => v.serialize(s),
        Ok(Fallback::Items(items)) => {
            let len = items.len();
            serialize_items(items.into_iter(), len, depth, s)
        }
        Ok(Fallback::Fields(fields)) => {
            let mut map = s.serialize_map(Some(fields.len()))?;
            for (k, v) in &fields {
                map.serialize_entry(k, &PyJson { obj: v, depth })?;
            }
            map.end()
        }
        Err(err) => s.serialize_str(&placeholder::serialization_error(err)),
    }
}

enum Fallback<'py> {
    /// Serialise this object instead (e.g. the result of `model_dump()`).
    Object(Bound<'py, PyAny>),
    Text(String),
    Value(Value),
    Items(Vec<Bound<'py, PyAny>>),
    Fields(Vec<(String, Bound<'py, PyAny>)>),
}

static UUID: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static ENUM: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

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

fn fallback<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Fallback<'py>> {
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
    if obj.is_instance(DECIMAL.import(py, "decimal", "Decimal")?)? {
        let f = obj.extract::<f64>()?;
        return Ok(Fallback::Value(
            serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ));
    }
    // pydantic v2
    if let Some(dumped) = call_if_callable(obj, "model_dump")? {
        return Ok(Fallback::Object(dumped));
    }
    // dataclass instances: their fields, in order
    if let Ok(fields) = obj.get_type().getattr("__dataclass_fields__") {
        if let Ok(fields) = fields.cast::<PyDict>() {
            let mut out = Vec::with_capacity(fields.len());
            for name in fields.keys() {
                let value = obj.getattr(name.cast::<PyString>()?)?;
                out.push((key_text(&name).into_owned(), value));
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
            out.push((key_text(&k).into_owned(), v));
        }
        return Ok(Fallback::Fields(out));
    }
    Ok(Fallback::Text(non_serializable(obj)))
}
