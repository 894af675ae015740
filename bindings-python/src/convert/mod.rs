//! Python values → JSON, at record time, on the caller's thread.
//!
//! A payload is written straight to compact JSON text (the core's `PayloadWriter`, which
//! keeps at most the field bound), without an intermediate `serde_json::Value` and without
//! serde's per-value dispatch: dict/list/tuple/str/int/float/bool/None at once,
//! `fallback.rs` for the rest.
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
use std::convert::Infallible;

use agentops_core::Json;
use agentops_core::event::json::{PayloadWriter, placeholder};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

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
        Json::write_bounded(max_bytes, |out| {
            self.write(obj, out);
            Ok::<(), Infallible>(())
        })
    }

    /// JSON text of any Python value (never fails; unbounded output, bounded work).
    pub fn to_json_text(&self, obj: &Bound<'_, PyAny>) -> String {
        let mut text = Vec::new();
        self.write(obj, &mut PayloadWriter::new(&mut text, usize::MAX));
        // The writer writes UTF-8 only: the lossy branch is never taken.
        String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Writes `obj` as JSON: the JSON types at once, containers item by item, anything else
    /// by its fallback.
    fn write(&self, obj: &Bound<'_, PyAny>, out: &mut PayloadWriter<'_>) {
        if !self.visit() {
            return out.string(placeholder::TOO_MANY_VALUES);
        }
        let container = match shape(obj) {
            Shape::Null => return out.raw(b"null"),
            Shape::Str(v) => return out.string(&str_of(v)),
            Shape::Bool(b) => return out.raw(if b { b"true" } else { b"false" }),
            Shape::Int(i) => return numbers::write_int(i, out),
            Shape::Float(f) => return numbers::write_float(f, out),
            container => container,
        };
        if self.depth() >= MAX_DEPTH {
            return out.string(placeholder::NESTED_TOO_DEEPLY);
        }
        if !self.enter(obj) {
            return out.string(&placeholder::circular(&type_name(obj)));
        }
        match container {
            Shape::Dict(d) => self.write_dict(d, out),
            Shape::List(l) => self.write_items(l.iter(), out),
            Shape::Tuple(t) => self.write_items(t.iter(), out),
            _ => self.write_fallback(obj, out),
        }
        self.leave();
    }

    fn write_dict(&self, d: &Bound<'_, PyDict>, out: &mut PayloadWriter<'_>) {
        out.byte(b'{');
        let mut items = DictItems::new(d);
        let mut first = true;
        for (k, v) in items.by_ref() {
            self.write_entry(&mut first, &key_text(&k), &v, out);
        }
        if items.changed {
            if !first {
                out.byte(b',');
            }
            out.string(CHANGED_KEY);
            out.raw(b":true");
        }
        out.byte(b'}');
    }

    fn write_entry(
        &self,
        first: &mut bool,
        key: &str,
        value: &Bound<'_, PyAny>,
        out: &mut PayloadWriter<'_>,
    ) {
        if !std::mem::take(first) {
            out.byte(b',');
        }
        out.string(key);
        out.byte(b':');
        self.write(value, out);
    }

    fn write_items<'py>(
        &self,
        items: impl Iterator<Item = Bound<'py, PyAny>>,
        out: &mut PayloadWriter<'_>,
    ) {
        out.byte(b'[');
        for (i, v) in items.enumerate() {
            if i > 0 {
                out.byte(b',');
            }
            self.write(&v, out);
        }
        out.byte(b']');
    }

    fn write_fallback(&self, obj: &Bound<'_, PyAny>, out: &mut PayloadWriter<'_>) {
        match fallback(obj) {
            Ok(Fallback::Object(o)) => self.write(&o, out),
            Ok(Fallback::Decimal) => numbers::write_decimal(obj, out),
            Ok(Fallback::Text(t)) => out.string(&t),
            // Writing into memory cannot fail.
            Ok(Fallback::Value(v)) => drop(serde_json::to_writer(out, &v)),
            Ok(Fallback::Items(items)) => self.write_items(items.into_iter(), out),
            Ok(Fallback::Fields(fields)) => {
                out.byte(b'{');
                let mut first = true;
                for (k, v) in &fields {
                    self.write_entry(&mut first, k, v, out);
                }
                out.byte(b'}');
            }
            Err(err) => out.string(&placeholder::serialization_error(err)),
        }
    }
}

/// A dict key as text: borrowed for `str` keys (the common case), `str(key)` otherwise.
fn key_text<'a>(k: &'a Bound<'_, PyAny>) -> std::borrow::Cow<'a, str> {
    match k.cast::<PyString>() {
        Ok(s) => str_of(s),
        Err(_) => std::borrow::Cow::Owned(display(k)),
    }
}

/// What a value is, for writing: exact built-in types are recognised by a pointer compare
/// each (the common case); subclasses by the slower checks after them.
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
