//! Calling a callable with the arguments exactly as a vectorcall received them, so a
//! wrapper hands its caller's stack to the client's method without packing a tuple and a
//! dict. `PyObject_Vectorcall` is exported only from CPython 3.11 (and in the stable ABI
//! from 3.12), so the callee's vectorcall slot is read here, as CPython's inline version
//! does, at the offset `class_call` verifies for this interpreter.

use std::ffi::{c_int, c_ulong};
use std::ptr::null_mut;

use pyo3::ffi;

/// `Py_TPFLAGS_HAVE_VECTORCALL` (in pyo3-ffi's abi3 set from 3.12 only; the same bit since 3.8).
pub const HAVE_VECTORCALL: c_ulong = 1 << 11;

/// Sign bit of `nargsf`: the caller lets the callee use `args[-1]`.
pub const ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);

use crate::class_call::OFFSET_OF_TP_VECTORCALL_OFFSET;

// Exported by CPython 3.8+ (3.7+ for context variables); not in pyo3-ffi's abi3-py310 set.
unsafe extern "C" {
    pub fn PyVectorcall_Call(
        callable: *mut ffi::PyObject,
        tuple: *mut ffi::PyObject,
        dict: *mut ffi::PyObject,
    ) -> *mut ffi::PyObject;
    pub fn PyMethod_New(
        func: *mut ffi::PyObject,
        instance: *mut ffi::PyObject,
    ) -> *mut ffi::PyObject;
    pub fn PyContextVar_Get(
        var: *mut ffi::PyObject,
        default: *mut ffi::PyObject,
        value: *mut *mut ffi::PyObject,
    ) -> c_int;
    pub fn PyContextVar_Set(
        var: *mut ffi::PyObject,
        value: *mut ffi::PyObject,
    ) -> *mut ffi::PyObject;
    pub fn PyContextVar_Reset(var: *mut ffi::PyObject, token: *mut ffi::PyObject) -> c_int;
}

/// The positional count of a vectorcall's `nargsf`.
pub fn positional(nargsf: usize) -> usize {
    nargsf & !ARGUMENTS_OFFSET
}

/// Calls `callable(*args, **dict(zip(kwnames, args[n:])))`: a new reference, or null with
/// the callee's exception set.
///
/// # Safety
/// The GIL is held; `args` holds `positional(nargsf)` arguments followed by one value per
/// name of `kwnames` (a tuple, or null); the type layout is the one `class_call` verifies.
pub unsafe fn call(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    unsafe {
        let class = ffi::Py_TYPE(callable);
        if ffi::PyType_GetFlags(class) & HAVE_VECTORCALL != 0 {
            let offset = class
                .cast::<u8>()
                .add(OFFSET_OF_TP_VECTORCALL_OFFSET)
                .cast::<isize>()
                .read();
            if offset > 0 {
                let slot = callable
                    .cast::<u8>()
                    .offset(offset)
                    .cast::<Option<ffi::vectorcallfunc>>();
                if let Some(function) = slot.read() {
                    return function(callable, args, nargsf, kwnames);
                }
            }
        }
        call_with_tuple(callable, args, nargsf, kwnames)
    }
}

/// The same call through `tp_call`, for a callee without a vectorcall.
unsafe fn call_with_tuple(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    unsafe {
        let n = positional(nargsf);
        let tuple = ffi::PyTuple_New(n as ffi::Py_ssize_t);
        if tuple.is_null() {
            return null_mut();
        }
        for i in 0..n {
            let item = *args.add(i);
            ffi::Py_INCREF(item);
            ffi::PyTuple_SetItem(tuple, i as ffi::Py_ssize_t, item);
        }
        let dict = keywords(args.add(n), kwnames);
        let result = if dict.is_null() && !kwnames.is_null() {
            null_mut()
        } else {
            ffi::PyObject_Call(callable, tuple, dict)
        };
        ffi::Py_DECREF(tuple);
        if !dict.is_null() {
            ffi::Py_DECREF(dict);
        }
        result
    }
}

/// The keyword arguments of a vectorcall as a new dict (null when there are none, or on
/// error, with the error set).
///
/// # Safety
/// The GIL is held; `values` holds one value per name of `kwnames` (a tuple, or null).
pub unsafe fn keywords(
    values: *const *mut ffi::PyObject,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    unsafe {
        if kwnames.is_null() {
            return null_mut();
        }
        let dict = ffi::PyDict_New();
        if dict.is_null() {
            return null_mut();
        }
        for i in 0..ffi::PyTuple_Size(kwnames) {
            let name = ffi::PyTuple_GetItem(kwnames, i);
            if ffi::PyDict_SetItem(dict, name, *values.add(i as usize)) < 0 {
                ffi::Py_DECREF(dict);
                return null_mut();
            }
        }
        dict
    }
}

/// The value of keyword `name` among a vectorcall's keywords (borrowed), or null.
///
/// # Safety
/// As [`keywords`].
pub unsafe fn keyword(
    values: *const *mut ffi::PyObject,
    kwnames: *mut ffi::PyObject,
    name: &std::ffi::CStr,
) -> *mut ffi::PyObject {
    unsafe {
        if kwnames.is_null() {
            return null_mut();
        }
        for i in 0..ffi::PyTuple_Size(kwnames) {
            let key = ffi::PyTuple_GetItem(kwnames, i);
            if ffi::PyUnicode_CompareWithASCIIString(key, name.as_ptr()) == 0 {
                return *values.add(i as usize);
            }
        }
        null_mut()
    }
}
