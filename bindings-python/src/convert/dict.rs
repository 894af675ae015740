//! Iterating a dict that may change while it is converted: converting one of its values
//! can run Python code (a `to_dict()`, a key's `__str__`, or another thread, which may take
//! the GIL meanwhile) that adds or removes keys. pyo3's iterator panics then; this one
//! stops and says so, so the conversion never panics and never raises.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyDictMethods};

/// The key that marks an object whose dict changed size while it was converted.
pub const CHANGED_KEY: &str = "<<truncated: the dict changed size while it was converted>>";

pub struct DictItems<'a, 'py> {
    dict: &'a Bound<'py, PyDict>,
    pos: ffi::Py_ssize_t,
    len: usize,
    /// Set once the dict's size differs from what it was when iteration began.
    pub changed: bool,
}

impl<'a, 'py> DictItems<'a, 'py> {
    pub fn new(dict: &'a Bound<'py, PyDict>) -> Self {
        DictItems {
            dict,
            pos: 0,
            len: dict.len(),
            changed: false,
        }
    }
}

impl<'py> Iterator for DictItems<'_, 'py> {
    type Item = (Bound<'py, PyAny>, Bound<'py, PyAny>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.changed || self.dict.len() != self.len {
            self.changed = true;
            return None;
        }
        let mut key: *mut ffi::PyObject = std::ptr::null_mut();
        let mut value: *mut ffi::PyObject = std::ptr::null_mut();
        let py = self.dict.py();
        // SAFETY: the GIL is held (`py`); PyDict_Next bounds-checks `pos` against the dict's
        // current entries, and the borrowed key and value are turned into owned references
        // at once, before any Python code can run and change the dict.
        unsafe {
            if ffi::PyDict_Next(self.dict.as_ptr(), &mut self.pos, &mut key, &mut value) == 0 {
                return None;
            }
            Some((
                Bound::from_borrowed_ptr(py, key),
                Bound::from_borrowed_ptr(py, value),
            ))
        }
    }
}
