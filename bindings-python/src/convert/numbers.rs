//! Numbers JSON cannot carry as they are: exact when JSON can be (integers up to 128 bits,
//! decimals a float holds exactly), otherwise a documented string form, never a silent
//! `null` or a rounded number.
//!
//! - an integer beyond 128 bits: its decimal digits, as a string (beyond Python's 4,300-digit
//!   `str()` limit: `"<<integer of N bits>>"`);
//! - `nan`, `inf`, `-inf` (floats): their `repr`, as a string;
//! - a `Decimal` a float cannot hold exactly (`NaN`, `Infinity`, `1E+400`, 21 digits...): its
//!   `str()`, as a string; other decimals are numbers.

use agentops_core::event::json::PayloadWriter;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyInt, PyType};

use crate::util::display;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

pub fn write_int(i: &Bound<'_, PyInt>, out: &mut PayloadWriter<'_>) {
    if let Ok(v) = i.extract::<i64>() {
        return out.i64(v);
    }
    if let Ok(v) = i.extract::<u64>() {
        return out.u64(v);
    }
    if let Ok(v) = i.extract::<i128>() {
        return out.i128(v);
    }
    if let Ok(v) = i.extract::<u128>() {
        return out.u128(v);
    }
    match i.str() {
        Ok(digits) => out.string(&display(digits.as_any())),
        Err(_) => {
            let bits = i
                .call_method0("bit_length")
                .map(|b| display(&b))
                .unwrap_or_default();
            out.string(&format!("<<integer of {bits} bits>>"))
        }
    }
}

pub fn write_float(f: f64, out: &mut PayloadWriter<'_>) {
    if f.is_finite() {
        out.f64(f)
    } else if f.is_nan() {
        out.string("nan")
    } else if f > 0.0 {
        out.string("inf")
    } else {
        out.string("-inf")
    }
}

pub fn is_decimal(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    obj.is_instance(DECIMAL.import(obj.py(), "decimal", "Decimal")?)
}

/// A `Decimal`: the float, when the float is exactly that decimal; its text otherwise.
pub fn write_decimal(d: &Bound<'_, PyAny>, out: &mut PayloadWriter<'_>) {
    match exact_float(d) {
        Some(f) => out.f64(f),
        None => out.string(&display(d)),
    }
}

fn exact_float(d: &Bound<'_, PyAny>) -> Option<f64> {
    let f = d.extract::<f64>().ok().filter(|f| f.is_finite())?;
    let decimal = DECIMAL.import(d.py(), "decimal", "Decimal").ok()?;
    let back = decimal.call1((format!("{f:?}"),)).ok()?;
    back.eq(d).ok()?.then_some(f)
}
