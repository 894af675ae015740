//! `Options`: configuration values set from Python, checked by the core's option table as
//! they are set, applied over the environment when a client starts.

use agentops_core::{OptionValue, Options};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple};

use crate::errors::to_py;
use crate::util::{display, str_of};

#[pyclass(module = "agentops._native", name = "Options")]
#[derive(Clone, Default)]
pub struct PyOptions {
    pub(crate) inner: Options,
}

/// A Python value as the core's option value: `bool`, `int`, `float`, `str`, a list /
/// tuple / set of tags, a `dict` of headers or attributes (keys and values by their
/// `str()`), or anything else by its `str()` (e.g. a `pathlib.Path`).
fn option_value(value: &Bound<'_, PyAny>) -> OptionValue {
    if let Ok(b) = value.cast::<PyBool>() {
        return OptionValue::Bool(b.is_true());
    }
    if let Ok(i) = value.cast::<PyInt>() {
        return match i.extract::<i64>() {
            Ok(n) => OptionValue::Int(n),
            Err(_) => OptionValue::Text(display(value)),
        };
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return OptionValue::Float(f.value());
    }
    if let Ok(s) = value.cast::<PyString>() {
        return OptionValue::Text(str_of(s).into_owned());
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let pairs = dict.iter().map(|(k, v)| (display(&k), display(&v)));
        return OptionValue::Map(pairs.collect());
    }
    let is_collection = value.is_instance_of::<PyList>()
        || value.is_instance_of::<PyTuple>()
        || value.is_instance_of::<PySet>()
        || value.is_instance_of::<PyFrozenSet>();
    if is_collection {
        if let Ok(items) = value.try_iter() {
            return OptionValue::List(items.filter_map(Result::ok).map(|t| display(&t)).collect());
        }
    }
    OptionValue::Text(display(value))
}

#[pymethods]
impl PyOptions {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Sets an option (its snake_case name, e.g. `"max_queue_size"`); `None` leaves it
    /// unchanged. Raises `ConfigError` for an unknown key or a bad value. Tags set again
    /// are added to the ones set before.
    fn set(&mut self, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        if value.is_none() {
            return agentops_core::config::options::find(key)
                .map(drop)
                .map_err(to_py);
        }
        self.inner.set(key, option_value(value)).map_err(to_py)
    }

    /// Whether `key` was set (not counting the environment).
    fn is_set(&self, key: &str) -> bool {
        self.inner.is_set(key)
    }

    /// The value `key` would have now (set here, else from the environment, else the
    /// default), as text; `None` when unset. Raises `ConfigError` for a bad environment.
    fn value(&self, key: &str) -> PyResult<Option<String>> {
        let option = agentops_core::config::options::find(key).map_err(to_py)?;
        let config = self.inner.build().map_err(to_py)?;
        Ok(option.display(&config))
    }

    /// The default tags the options give now (set here, else from the environment).
    fn default_tags(&self) -> PyResult<Vec<String>> {
        Ok(self.inner.build().map_err(to_py)?.default_tags)
    }

    fn copy(&self) -> Self {
        self.clone()
    }
}
