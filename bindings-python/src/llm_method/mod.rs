//! The common path of an instrumented LLM client method, as a native callable.
//!
//! A Python wrapper pays for itself on every call: its frame, the keyword dict it packs and
//! unpacks, the context variable, the attribute reads of the HTTP response. After an HTTP
//! round trip all of that runs on cold caches, and it made most of the cost of an
//! instrumented call (BENCHMARKS.md, issue 12). So the patch put on a sync client method is
//! an `InstrumentedMethod`: a method descriptor with a vectorcall (as Cython's functions
//! are), which takes its caller's arguments as they lie on the stack, hands them to the
//! client's method untouched, and records a complete answer from its HTTP bodies without a
//! Python frame of ours. The hook on the client's response parsing is one too. Anything but
//! the common path goes to the Python wrapper's code (`python`, `settle`, `fail`), so the
//! rules for streams, raw responses, errors and `session=` stay written once, in Python.
//!
//! Built only where `class_call` has verified this interpreter's type layout; elsewhere the
//! Python wrappers are used as they are.

mod call;
mod forward;

use std::ffi::{c_int, c_void};
use std::mem::offset_of;
use std::ptr::null_mut;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};

/// An instrumented method, or the response hook (`python`, `settle`, `fail`,
/// `wrapping_types` and `api` are then null).
#[repr(C)]
struct Method {
    ob_base: ffi::PyObject,
    vectorcall: ffi::vectorcallfunc,
    /// Its `__dict__`: what `functools.update_wrapper` and the patch set on it.
    dict: *mut ffi::PyObject,
    /// The client library's own function.
    original: *mut ffi::PyObject,
    /// `agentops.llms._bodies.RESPONSES`, the call in progress's captured HTTP responses.
    responses: *mut ffi::PyObject,
    /// The Python wrapper, for a call with agentops 0.3's `session=`.
    python: *mut ffi::PyObject,
    /// `settle(started, kwargs, result, responses)`: any result but a complete answer
    /// whose bodies can be read.
    settle: *mut ffi::PyObject,
    /// `fail(started, kwargs, exception)`: the original raised.
    fail: *mut ffi::PyObject,
    /// The result types that wrap an answer (streams, raw responses).
    wrapping_types: *mut ffi::PyObject,
    /// The API the bodies speak (`"openai.chat"`).
    api: *mut ffi::PyObject,
}

const FIELDS: usize = 8;

impl Method {
    fn fields(&mut self) -> [&mut *mut ffi::PyObject; FIELDS] {
        [
            &mut self.dict,
            &mut self.original,
            &mut self.responses,
            &mut self.python,
            &mut self.settle,
            &mut self.fail,
            &mut self.wrapping_types,
            &mut self.api,
        ]
    }
}

/// `InstrumentedMethod(...)` for a sync client method; None where the type layout is not
/// the verified one (the Python wrapper is then used).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn instrumented_method(
    py: Python<'_>,
    original: &Bound<'_, PyAny>,
    python: &Bound<'_, PyAny>,
    api: &Bound<'_, pyo3::types::PyString>,
    wrapping_types: &Bound<'_, PyTuple>,
    responses: &Bound<'_, PyAny>,
    settle: &Bound<'_, PyAny>,
    fail: &Bound<'_, PyAny>,
) -> PyResult<Option<Py<PyAny>>> {
    let parts = [
        original,
        responses,
        python,
        settle,
        fail,
        wrapping_types.as_any(),
        api.as_any(),
    ];
    new_method(py, call::method_vectorcall, parts)
}

/// The hook on the client's `_process_response_data(*, data, cast_to, response)`: hands
/// `response` to the instrumented call in progress in this context. None as above.
#[pyfunction]
pub fn response_hook(
    py: Python<'_>,
    original: &Bound<'_, PyAny>,
    responses: &Bound<'_, PyAny>,
) -> PyResult<Option<Py<PyAny>>> {
    let none = py.None().into_bound(py);
    let parts = [original, responses, &none, &none, &none, &none, &none];
    new_method(py, call::hook_vectorcall, parts)
}

fn new_method(
    py: Python<'_>,
    vectorcall: ffi::vectorcallfunc,
    parts: [&Bound<'_, PyAny>; FIELDS - 1],
) -> PyResult<Option<Py<PyAny>>> {
    let Some(class) = method_type(py)? else {
        return Ok(None);
    };
    // SAFETY: the GIL is held; `class` is our type, whose instances are `Method`s.
    unsafe {
        let raw = ffi::PyType_GenericAlloc(class.as_type_ptr(), 0);
        if raw.is_null() {
            return Err(PyErr::fetch(py));
        }
        let method = &mut *raw.cast::<Method>();
        method.vectorcall = vectorcall;
        for (field, part) in method.fields().into_iter().skip(1).zip(parts) {
            *field = if part.is_none() {
                null_mut()
            } else {
                part.clone().into_ptr()
            };
        }
        Ok(Some(Bound::from_owned_ptr(py, raw).unbind()))
    }
}

/// The type, created once; None where the interpreter's layout is not the verified one.
fn method_type(py: Python<'_>) -> PyResult<Option<&Bound<'_, PyType>>> {
    static TYPE: PyOnceLock<Option<Py<PyType>>> = PyOnceLock::new();
    let class = TYPE.get_or_try_init(py, || {
        if !crate::class_call::interpreter_layout_is_known(py) {
            return Ok::<_, PyErr>(None);
        }
        create_type(py).map(Some)
    })?;
    Ok(class.as_ref().map(|c| c.bind(py)))
}

fn create_type(py: Python<'_>) -> PyResult<Py<PyType>> {
    // The spec and its tables must outlive the type (CPython keeps pointers to the members
    // and the getset): leaked once.
    let members = Box::leak(Box::new([
        member(c"__vectorcalloffset__", offset_of!(Method, vectorcall)),
        member(c"__dictoffset__", offset_of!(Method, dict)),
        ffi::PyMemberDef::default(),
    ]));
    let getset = Box::leak(Box::new([
        ffi::PyGetSetDef {
            name: c"__dict__".as_ptr(),
            get: Some(ffi::PyObject_GenericGetDict),
            set: Some(ffi::PyObject_GenericSetDict),
            doc: null_mut(),
            closure: null_mut(),
        },
        ffi::PyGetSetDef {
            name: null_mut(),
            get: None,
            set: None,
            doc: null_mut(),
            closure: null_mut(),
        },
    ]));
    let slots = Box::leak(Box::new([
        slot(ffi::Py_tp_dealloc, dealloc as *mut c_void),
        slot(ffi::Py_tp_traverse, traverse as *mut c_void),
        slot(ffi::Py_tp_clear, clear as *mut c_void),
        slot(ffi::Py_tp_descr_get, descr_get as *mut c_void),
        slot(ffi::Py_tp_call, forward::PyVectorcall_Call as *mut c_void),
        slot(ffi::Py_tp_members, members.as_mut_ptr().cast()),
        slot(ffi::Py_tp_getset, getset.as_mut_ptr().cast()),
        slot(0, null_mut()),
    ]));
    let spec = Box::leak(Box::new(ffi::PyType_Spec {
        name: c"agentops._native.InstrumentedMethod".as_ptr(),
        basicsize: size_of::<Method>() as c_int,
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT
            | ffi::Py_TPFLAGS_HAVE_GC
            | forward::HAVE_VECTORCALL
            | ffi::Py_TPFLAGS_METHOD_DESCRIPTOR) as _,
        slots: slots.as_mut_ptr(),
    }));
    // SAFETY: the spec is complete and lives forever.
    unsafe {
        let class = ffi::PyType_FromSpec(spec);
        if class.is_null() {
            return Err(PyErr::fetch(py));
        }
        Ok(Bound::from_owned_ptr(py, class)
            .cast_into_unchecked::<PyType>()
            .unbind())
    }
}

fn member(name: &'static std::ffi::CStr, offset: usize) -> ffi::PyMemberDef {
    ffi::PyMemberDef {
        name: name.as_ptr(),
        type_code: ffi::Py_T_PYSSIZET,
        offset: offset as ffi::Py_ssize_t,
        flags: ffi::Py_READONLY,
        doc: null_mut(),
    }
}

fn slot(slot: c_int, pfunc: *mut c_void) -> ffi::PyType_Slot {
    ffi::PyType_Slot { slot, pfunc }
}

/// Accessed on an instance, a method binds to it (as a function does); on the class, it is
/// itself. The interpreter's method-call path skips this (`Py_TPFLAGS_METHOD_DESCRIPTOR`).
unsafe extern "C" fn descr_get(
    method: *mut ffi::PyObject,
    instance: *mut ffi::PyObject,
    _owner: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: called by CPython with the GIL held and live objects.
    unsafe {
        if instance.is_null() || instance == ffi::Py_None() {
            ffi::Py_INCREF(method);
            return method;
        }
        forward::PyMethod_New(method, instance)
    }
}

unsafe extern "C" fn traverse(
    object: *mut ffi::PyObject,
    visit: ffi::visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: `object` is a live `Method`.
    let method = unsafe { &mut *object.cast::<Method>() };
    for field in method.fields() {
        if !field.is_null() {
            // SAFETY: a field holds a strong reference.
            let status = unsafe { visit(*field, arg) };
            if status != 0 {
                return status;
            }
        }
    }
    0
}

unsafe extern "C" fn clear(object: *mut ffi::PyObject) -> c_int {
    // SAFETY: `object` is a live `Method`; each field is taken before it is released, so
    // a finaliser that runs meanwhile sees null, not a freed object.
    let method = unsafe { &mut *object.cast::<Method>() };
    for field in method.fields() {
        let held = std::mem::replace(field, null_mut());
        if !held.is_null() {
            unsafe { ffi::Py_DECREF(held) };
        }
    }
    0
}

unsafe extern "C" fn dealloc(object: *mut ffi::PyObject) {
    // SAFETY: CPython deallocates a `Method` of our heap type, which holds its type.
    unsafe {
        let class = ffi::Py_TYPE(object);
        ffi::PyObject_GC_UnTrack(object.cast());
        clear(object);
        let free = ffi::PyType_GetSlot(class, ffi::Py_tp_free);
        if !free.is_null() {
            let free: ffi::freefunc = std::mem::transmute(free);
            free(object.cast());
        }
        ffi::Py_DECREF(class.cast());
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(instrumented_method, m)?)?;
    m.add_function(wrap_pyfunction!(response_hook, m)?)?;
    Ok(())
}
