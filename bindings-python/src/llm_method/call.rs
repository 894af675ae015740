//! The two vectorcalls: an instrumented method's, and the response hook's. Neither ever
//! raises an error of its own into the caller, nor changes what the client's method gets or
//! returns: each failure of ours falls back to what the Python wrapper would do.

use std::ptr::null_mut;
use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyString, PyTuple};

use super::Method;
use super::forward::{self, PyContextVar_Get, PyContextVar_Reset, PyContextVar_Set};
use crate::client::PyClient;
use crate::current;

/// An instrumented sync method: the call's start, the capture of its HTTP response (the
/// context variable the hook reads), the client's method, then the answer recorded from
/// its bodies, or handed to the Python wrapper's `settle` / `fail`.
pub unsafe extern "C" fn method_vectorcall(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls this with the GIL held, for a `Method` built by `new_method`.
    unsafe {
        let method = &*callable.cast::<Method>();
        let keywords = args.add(forward::positional(nargsf));
        if !forward::keyword(keywords, kwnames, c"session").is_null() {
            // agentops 0.3's `session=`: the Python wrapper decides whose keyword it is.
            return forward::call(method.python, args, nargsf, kwnames);
        }
        let py = Python::assume_attached();
        let Some(client) = current::client(py) else {
            return forward::call(method.original, args, nargsf, kwnames);
        };
        let started = epoch_seconds();
        let Some((responses, token)) = capture(method) else {
            return forward::call(method.original, args, nargsf, kwnames);
        };
        let result = forward::call(method.original, args, nargsf, kwnames);
        let call = Call {
            method,
            client,
            started,
            keywords,
            kwnames,
            responses,
        };
        if result.is_null() {
            call.failed(py);
        } else {
            call.answered(py, result);
        }
        // The exception the caller gets, if any, is kept across the reset.
        let (mut kind, mut value, mut traceback) = (null_mut(), null_mut(), null_mut());
        ffi::PyErr_Fetch(&mut kind, &mut value, &mut traceback);
        if PyContextVar_Reset(method.responses, token) < 0 {
            ffi::PyErr_Clear();
        }
        ffi::PyErr_Restore(kind, value, traceback);
        ffi::Py_DECREF(token);
        ffi::Py_DECREF(responses);
        result
    }
}

/// The response hook: `response=` handed to the call in progress (when it has none yet),
/// then the client's own `_process_response_data`.
pub unsafe extern "C" fn hook_vectorcall(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: as above.
    unsafe {
        let method = &*callable.cast::<Method>();
        let response =
            forward::keyword(args.add(forward::positional(nargsf)), kwnames, c"response");
        if !response.is_null() {
            hand_over(method.responses, response);
        }
        forward::call(method.original, args, nargsf, kwnames)
    }
}

/// Appends `response` to the context's capture list if it is empty.
unsafe fn hand_over(var: *mut ffi::PyObject, response: *mut ffi::PyObject) {
    unsafe {
        let mut list = null_mut();
        if PyContextVar_Get(var, null_mut(), &mut list) < 0 {
            ffi::PyErr_Clear();
            return;
        }
        if list.is_null() {
            return;
        }
        if ffi::PyList_Check(list) != 0
            && ffi::PyList_Size(list) == 0
            && ffi::PyList_Append(list, response) < 0
        {
            ffi::PyErr_Clear();
        }
        ffi::Py_DECREF(list);
    }
}

/// A new capture list, set in the context variable: (the list, the reset token).
unsafe fn capture(method: &Method) -> Option<(*mut ffi::PyObject, *mut ffi::PyObject)> {
    unsafe {
        let responses = ffi::PyList_New(0);
        if responses.is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        let token = PyContextVar_Set(method.responses, responses);
        if token.is_null() {
            ffi::PyErr_Clear();
            ffi::Py_DECREF(responses);
            return None;
        }
        Some((responses, token))
    }
}

fn epoch_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(f64::NAN, |d| d.as_secs_f64())
}

/// One call of an instrumented method, after the client's method returned or raised.
struct Call<'a> {
    method: &'a Method,
    /// The client recording the call, as it was when the call began.
    client: Py<PyClient>,
    started: f64,
    keywords: *const *mut ffi::PyObject,
    kwnames: *mut ffi::PyObject,
    responses: *mut ffi::PyObject,
}

impl Call<'_> {
    /// The client raised: `fail` records it (an `Exception` only, as the Python wrapper
    /// catches), and the very exception is set again for the caller.
    unsafe fn failed(&self, py: Python<'_>) {
        unsafe {
            let (mut kind, mut value, mut traceback) = (null_mut(), null_mut(), null_mut());
            ffi::PyErr_Fetch(&mut kind, &mut value, &mut traceback);
            ffi::PyErr_NormalizeException(&mut kind, &mut value, &mut traceback);
            if !value.is_null() && ffi::PyErr_GivenExceptionMatches(kind, ffi::PyExc_Exception) != 0
            {
                let exception = Bound::from_borrowed_ptr(py, value);
                self.hand_to(py, self.method.fail, &[&exception]);
            }
            ffi::PyErr_Restore(kind, value, traceback);
        }
    }

    /// The client returned `result`: recorded from its bodies when it is a complete answer
    /// whose HTTP response was captured, else `settle`d by the Python wrapper's code.
    unsafe fn answered(&self, py: Python<'_>, result: *mut ffi::PyObject) {
        unsafe {
            let result = Bound::from_borrowed_ptr(py, result);
            if !self.record_from_bodies(py, &result) {
                let responses = Bound::from_borrowed_ptr(py, self.responses);
                self.hand_to(py, self.method.settle, &[&result, &responses]);
            }
            ffi::PyErr_Clear();
        }
    }

    unsafe fn record_from_bodies(&self, py: Python<'_>, result: &Bound<'_, PyAny>) -> bool {
        unsafe {
            if ffi::PyList_Size(self.responses) < 1 || self.wraps_an_answer(result) {
                return false;
            }
            let http_response =
                Bound::from_borrowed_ptr(py, ffi::PyList_GetItem(self.responses, 0));
            let Some((request, response)) = bodies(&http_response) else {
                return false;
            };
            let api = self.api(py);
            let Ok(api) = api.to_str() else {
                return false;
            };
            let started = self.started;
            self.client.bind(py).borrow().record_llm_exchange(
                py,
                api,
                started,
                Some(request.as_bytes()),
                response.as_bytes(),
            );
            true
        }
    }

    /// Whether `result` is a stream or a raw response (an instance of a `wrapping_types`).
    unsafe fn wraps_an_answer(&self, result: &Bound<'_, PyAny>) -> bool {
        unsafe {
            let types = self.method.wrapping_types;
            let class = ffi::Py_TYPE(result.as_ptr());
            (0..ffi::PyTuple_Size(types)).any(|i| {
                let wrapping = ffi::PyTuple_GetItem(types, i);
                ffi::PyType_Check(wrapping) != 0
                    && ffi::PyType_IsSubtype(class, wrapping.cast()) != 0
            })
        }
    }

    unsafe fn api<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        unsafe { Bound::from_borrowed_ptr(py, self.method.api).cast_into_unchecked() }
    }

    /// Calls `handler(started, kwargs, *rest)`; whatever it raises is dropped (the Python
    /// helpers never raise; this keeps a bug of theirs from reaching the caller).
    unsafe fn hand_to(
        &self,
        py: Python<'_>,
        handler: *mut ffi::PyObject,
        rest: &[&Bound<'_, PyAny>],
    ) {
        unsafe {
            let kwargs = forward::keywords(self.keywords, self.kwnames);
            let kwargs = if kwargs.is_null() {
                ffi::PyErr_Clear();
                PyDict::new(py).into_any()
            } else {
                Bound::from_owned_ptr(py, kwargs)
            };
            let started = PyFloat::new(py, self.started).into_any();
            let all: Vec<&Bound<'_, PyAny>> = [&started, &kwargs]
                .into_iter()
                .chain(rest.iter().copied())
                .collect();
            if let Ok(all) = PyTuple::new(py, all) {
                let _ = Bound::from_borrowed_ptr(py, handler).call1(all);
            }
            ffi::PyErr_Clear();
        }
    }
}

/// (the request body, the response body) of an httpx response read in full, both exact
/// `bytes`; None otherwise. Read from the objects' own `_content` / `_request`, which its
/// `content` / `request` properties return once set, else through the properties.
fn bodies<'py>(
    http_response: &Bound<'py, PyAny>,
) -> Option<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let py = http_response.py();
    let response = own_or_property(
        http_response,
        intern!(py, "_content"),
        intern!(py, "content"),
    )?;
    let request = own_or_property(
        http_response,
        intern!(py, "_request"),
        intern!(py, "request"),
    )?;
    let request = own_or_property(&request, intern!(py, "_content"), intern!(py, "content"))?;
    Some((
        request.cast_into_exact().ok()?,
        response.cast_into_exact().ok()?,
    ))
}

fn own_or_property<'py>(
    object: &Bound<'py, PyAny>,
    own: &Bound<'py, PyString>,
    property: &Bound<'py, PyString>,
) -> Option<Bound<'py, PyAny>> {
    let py = object.py();
    // SAFETY: the GIL is held; `object` is live.
    let dict = unsafe { ffi::PyObject_GenericGetDict(object.as_ptr(), null_mut()) };
    if dict.is_null() {
        PyErr::take(py);
    } else {
        // SAFETY: a new reference to a dict.
        let dict = unsafe { Bound::from_owned_ptr(py, dict).cast_into_unchecked::<PyDict>() };
        if let Ok(Some(value)) = dict.get_item(own) {
            return (!value.is_none()).then_some(value);
        }
    }
    object.getattr(property).ok()
}
