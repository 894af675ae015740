//! Python values → JSON, at record time, on the caller's thread.
//!
//! `PyJson` implements `serde::Serialize` over a live Python object, so a payload is
//! encoded straight to compact JSON text without an intermediate `serde_json::Value`: a
//! fast path for dict/list/tuple/str/int/float/bool/None, `fallback.rs` for the rest.
//!
//! Any value converts in bounded time and memory, and never raises or panics:
//! - a container met again inside itself (a cycle, e.g. `l.append(l)`) becomes
//!   `"<<circular reference: TypeName>>"`; nesting deeper than [`MAX_DEPTH`] a placeholder;
//! - one conversion (all the payloads of one event) visits at most [`MAX_VALUES`] values
//!   (shared sub-objects count every time they are met); what is left becomes `"<<truncated: too many values to convert>>"`;
//! - it keeps at most the field bound (`max_field_bytes`) of text; a longer value becomes a
//!   string of its start and a marker saying how many bytes were cut;
//! - a dict that changes size while it is converted stops there, with a marked key
//!   (`dict.rs`); an exception in a user's `to_dict()` becomes `"<<serialization-error: ...>>"`.
//!
//! Dict keys that are not strings become `str(key)`. Numbers JSON cannot carry exactly
//! keep a documented string form (`numbers.rs`).

mod dict;
mod fallback;
mod numbers;

use std::cell::Cell;

use agentops_core::Json;
use agentops_core::event::json::placeholder;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::util::{display, str_of, type_name};
use dict::{CHANGED_KEY, DictItems};
use fallback::{Fallback, fallback};

/// Nesting deeper than this becomes a placeholder.
pub const MAX_DEPTH: usize = 64;
/// Values one conversion visits at most (about a tenth of a second of work).
pub const MAX_VALUES: usize = 1_000_000;

/// The state of one conversion (one event's payloads, or one value): the work done and
/// the containers being converted.
pub struct Conversion {
    values: Cell<usize>,
    /// Addresses of the containers on the current path (outermost first), `depth` of them.
    path: [Cell<usize>; MAX_DEPTH],
    depth: Cell<usize>,
}

impl Default for Conversion {
    fn default() -> Self {
        Conversion {
            values: Cell::new(0),
            path: [const { Cell::new(0) }; MAX_DEPTH],
            depth: Cell::new(0),
        }
    }
}

impl Conversion {
    /// Counts one value; `false` once the work bound is reached.
    fn visit(&self) -> bool {
        let n = self.values.get() + 1;
        self.values.set(n);
        n <= MAX_VALUES
    }

    /// Enters a container; `false` if it is already on the path (a cycle), or if the path
    /// is full (callers check [`Conversion::depth`] first).
    fn enter(&self, obj: &Bound<'_, PyAny>) -> bool {
        let address = obj.as_ptr() as usize;
        let depth = self.depth.get();
        if self.path[..depth].iter().any(|a| a.get() == address) {
            return false;
        }
        let Some(slot) = self.path.get(depth) else {
            return false;
        };
        slot.set(address);
        self.depth.set(depth + 1);
        true
    }

    fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    fn depth(&self) -> usize {
        self.depth.get()
    }

    /// Converts `obj` to a payload of at most `max_bytes` of JSON. Returns the bytes cut, if
    /// it had to be cut.
    pub fn to_json(&self, obj: &Bound<'_, PyAny>, max_bytes: usize) -> (Json, Option<usize>) {
        Json::encode_bounded(
            &PyJson {
                obj,
                conversion: self,
            },
            max_bytes,
        )
    }

    /// JSON text of any Python value (never fails; unbounded output, bounded work).
    pub fn to_json_text(&self, obj: &Bound<'_, PyAny>) -> String {
        serde_json::to_string(&PyJson {
            obj,
            conversion: self,
        })
        .unwrap_or_else(|e| {
            serde_json::Value::String(placeholder::serialization_error(e)).to_string()
        })
    }
}

/// A Python object seen as JSON, within one conversion.
pub struct PyJson<'a, 'py> {
    obj: &'a Bound<'py, PyAny>,
    conversion: &'a Conversion,
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

impl Serialize for PyJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let conversion = self.conversion;
        if !conversion.visit() {
            return s.serialize_str(placeholder::TOO_MANY_VALUES);
        }
        let container = match shape(self.obj) {
            Shape::Null => return s.serialize_unit(),
            Shape::Str(v) => return s.serialize_str(&str_of(v)),
            Shape::Bool(b) => return s.serialize_bool(b),
            Shape::Int(i) => return numbers::serialize_int(i, s),
            Shape::Float(f) => return numbers::serialize_float(f, s),
            container => container,
        };
        if conversion.depth() >= MAX_DEPTH {
            return s.serialize_str(placeholder::NESTED_TOO_DEEPLY);
        }
        if !conversion.enter(self.obj) {
            return s.serialize_str(&placeholder::circular(&type_name(self.obj)));
        }
        let result = self.serialize_container(container, s);
        conversion.leave();
        result
    }
}

impl<'py> PyJson<'_, 'py> {
    fn child<'b>(&'b self, obj: &'b Bound<'py, PyAny>) -> PyJson<'b, 'py> {
        PyJson {
            obj,
            conversion: self.conversion,
        }
    }

    fn serialize_container<S: Serializer>(
        &self,
        container: Shape<'_, 'py>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match container {
            Shape::Dict(d) => self.serialize_dict(d, s),
            Shape::List(l) => self.serialize_items(l.iter(), l.len(), s),
            Shape::Tuple(t) => self.serialize_items(t.iter(), t.len(), s),
            _ => self.serialize_fallback(s),
        }
    }

    fn serialize_dict<S: Serializer>(
        &self,
        d: &Bound<'py, PyDict>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(d.len()))?;
        let mut items = DictItems::new(d);
        for (k, v) in items.by_ref() {
            map.serialize_entry(&*key_text(&k), &self.child(&v))?;
        }
        if items.changed {
            map.serialize_entry(CHANGED_KEY, &true)?;
        }
        map.end()
    }

    fn serialize_items<S: Serializer>(
        &self,
        items: impl Iterator<Item = Bound<'py, PyAny>>,
        len: usize,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(len))?;
        for v in items {
            seq.serialize_element(&self.child(&v))?;
        }
        seq.end()
    }

    fn serialize_fallback<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match fallback(self.obj) {
            Ok(Fallback::Object(o)) => self.child(&o).serialize(s),
            Ok(Fallback::Decimal) => numbers::serialize_decimal(self.obj, s),
            Ok(Fallback::Text(t)) => s.serialize_str(&t),
            Ok(Fallback::Value(v)) => v.serialize(s),
            Ok(Fallback::Items(items)) => {
                let len = items.len();
                self.serialize_items(items.into_iter(), len, s)
            }
            Ok(Fallback::Fields(fields)) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in &fields {
                    map.serialize_entry(k, &self.child(v))?;
                }
                map.end()
            }
            Err(err) => s.serialize_str(&placeholder::serialization_error(err)),
        }
    }
}
