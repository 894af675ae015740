//! Calling an event class without building a keyword dict.
//!
//! CPython calls a class through `type.__call__`: it packs the keyword arguments into a new
//! dict for `tp_new` (pyo3's `#[new]`, which then matches each key to a parameter by
//! comparing text) and runs `tp_init` after it. For `ActionEvent(action_type=..., params=...,
//! returns=...)` that is about 1,500 of the 8,400 instructions the caller's thread spends
//! per recorded event. A class's `tp_vectorcall` receives the arguments as they lie on the
//! caller's stack instead, with the keyword names as interned strings. Python 3.14 lets a
//! heap type declare it (`Py_tp_vectorcall`); our abi3 wheel targets 3.10, so it is set on
//! the exact classes once they exist, and only where the running interpreter's type object
//! is verified to have the layout CPython 3.10–3.14 share (see [`layout_is_known`]).
//!
//! Only calls whose keywords all name a parameter (by identity: literal keywords are
//! interned) take this path. Any other call (an unknown or doubled keyword, too many
//! positional arguments, a missing required one) goes to `type.__call__` unchanged, so its
//! error is pyo3's. Subclasses never inherit the slot: they are created as before.

use std::ffi::{c_ulong, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::null_mut;

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::panic::PanicException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};
use pyo3::{PyClass, PyTypeInfo};

/// Parameters an event class has at most.
const MAX_PARAMS: usize = 16;

/// Byte offsets in CPython 3.10–3.14's `PyTypeObject` (64-bit, default build).
pub(crate) const OFFSET_OF_TP_VECTORCALL_OFFSET: usize = 56;
const OFFSET_OF_TP_FLAGS: usize = 168;
const OFFSET_OF_TP_VECTORCALL: usize = 400;

/// An event class whose calls can skip the keyword dict.
pub trait DirectCall: PyClass + PyTypeInfo {
    /// Where this class keeps what its direct call needs.
    fn direct() -> &'static PyOnceLock<Direct>;

    /// The class's `#[new]`, given its arguments by parameter position.
    fn construct(args: &Args<'_, '_>) -> PyResult<PyClassInitializer<Self>>;
}

/// Gives `T` its direct call, if this interpreter's type layout is the known one and the
/// class's text signature can be read. Returns whether it did; never fails (without it, the
/// class is called as before).
pub fn install<T: DirectCall>(py: Python<'_>) -> bool {
    let class = T::type_object(py);
    let text = class
        .getattr("__text_signature__")
        .and_then(|t| t.extract::<String>());
    let Some(signature) = text.ok().and_then(|t| Signature::parse(py, &t)) else {
        return false;
    };
    if !layout_is_known(&class) {
        return false;
    }
    let direct = Direct {
        signature,
        constructors: constructors(&class),
    };
    let _ = T::direct().set(py, direct);
    // SAFETY: `layout_is_known` checked that this offset holds the class's `tp_vectorcall`
    // (NULL until now); the class lives as long as the module, and `call::<T>` is the
    // vectorcall signature CPython expects there.
    unsafe {
        let slot = class.as_ptr().cast::<u8>().add(OFFSET_OF_TP_VECTORCALL);
        slot.cast::<Option<ffi::vectorcallfunc>>()
            .write(Some(call::<T>));
    }
    true
}

/// Whether this interpreter lays out type objects as CPython 3.10–3.14 on 64 bits do: its
/// version, and `type`'s own `tp_vectorcall_offset` read at our offset.
pub fn interpreter_layout_is_known(py: Python<'_>) -> bool {
    let version = py.version_info();
    if cfg!(not(target_pointer_width = "64"))
        || version.major != 3
        || !(10..=14).contains(&version.minor)
    {
        return false;
    }
    // SAFETY: the offset is inside `PyType_Type` (a `PyTypeObject` of at least 408 bytes in
    // these versions).
    let vectorcall_offset = unsafe {
        (&raw const ffi::PyType_Type)
            .cast::<u8>()
            .add(OFFSET_OF_TP_VECTORCALL_OFFSET)
            .cast::<isize>()
            .read()
    };
    vectorcall_offset == OFFSET_OF_TP_VECTORCALL as isize
}

/// Whether `class` is laid out as in CPython 3.10–3.14 on 64 bits: the interpreter's
/// layout is known, the class's `tp_flags` read at our offset agree with what the C API
/// reports, and its `tp_vectorcall` is unset.
fn layout_is_known(class: &Bound<'_, PyType>) -> bool {
    if !interpreter_layout_is_known(class.py()) {
        return false;
    }
    // SAFETY: every offset read is inside a `PyTypeObject`, and `class` is a live type.
    unsafe {
        let raw = class.as_ptr().cast::<u8>();
        let flags = raw.add(OFFSET_OF_TP_FLAGS).cast::<c_ulong>().read();
        let vectorcall = raw
            .add(OFFSET_OF_TP_VECTORCALL)
            .cast::<*const c_void>()
            .read();
        flags == ffi::PyType_GetFlags(class.as_type_ptr()) && vectorcall.is_null()
    }
}

/// What a class's direct call needs.
pub struct Direct {
    signature: Signature,
    /// The class's `tp_new` and `tp_init` when the direct call was installed. If either is
    /// replaced later (`ActionEvent.__init__ = ...`, as `mock.patch.object` does), calls go
    /// through `type.__call__` again, so the replacement runs.
    constructors: [usize; 2],
}

fn constructors(class: &Bound<'_, PyType>) -> [usize; 2] {
    // SAFETY: `class` is a live type object.
    unsafe {
        [ffi::Py_tp_new, ffi::Py_tp_init]
            .map(|slot| ffi::PyType_GetSlot(class.as_type_ptr(), slot) as usize)
    }
}

/// A class's parameters in order: the first `positional` may be given by position, the
/// first `required` must be given.
pub struct Signature {
    names: Vec<Py<PyString>>,
    positional: usize,
    required: usize,
}

impl Signature {
    /// Reads pyo3's text signature, e.g. `(event_type, params=None, *, tags=None)`. `None`
    /// for a form it does not know (`/`, `*args`, `**kwargs`, too many parameters).
    fn parse(py: Python<'_>, text: &str) -> Option<Signature> {
        let inner = text.strip_prefix('(')?.strip_suffix(')')?;
        let mut signature = Signature {
            names: Vec::new(),
            positional: usize::MAX,
            required: 0,
        };
        for param in inner.split(',').map(str::trim) {
            if param == "*" {
                signature.positional = signature.names.len();
                continue;
            }
            let (name, has_default) = match param.split_once('=') {
                Some((name, _)) => (name.trim(), true),
                None => (param, false),
            };
            if !is_identifier(name) || (!has_default && signature.required < signature.names.len())
            {
                return None;
            }
            if !has_default {
                signature.required += 1;
            }
            signature.names.push(PyString::intern(py, name).unbind());
        }
        signature.positional = signature.positional.min(signature.names.len());
        (signature.names.len() <= MAX_PARAMS).then_some(signature)
    }

    /// Places a call's arguments by parameter; `None` if the call is not a plain one.
    ///
    /// # Safety
    /// `args` holds `nargs` positional arguments followed by one value per name in
    /// `kwnames` (a tuple of str, or NULL), as CPython passes them to a vectorcall.
    unsafe fn place(
        &self,
        args: *const *mut ffi::PyObject,
        nargs: usize,
        kwnames: *mut ffi::PyObject,
    ) -> Option<[*mut ffi::PyObject; MAX_PARAMS]> {
        if nargs > self.positional {
            return None;
        }
        let mut slots = [null_mut(); MAX_PARAMS];
        unsafe {
            for (i, slot) in slots.iter_mut().enumerate().take(nargs) {
                *slot = *args.add(i);
            }
            let keywords = if kwnames.is_null() {
                0
            } else {
                ffi::PyTuple_Size(kwnames)
            };
            for k in 0..keywords {
                let name = ffi::PyTuple_GetItem(kwnames, k);
                let i = self.names.iter().position(|n| n.as_ptr() == name)?;
                if !slots[i].is_null() {
                    return None;
                }
                slots[i] = *args.add(nargs + k as usize);
            }
        }
        slots[..self.required]
            .iter()
            .all(|s| !s.is_null())
            .then_some(slots)
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// A call's arguments by parameter position, borrowed for the call.
pub struct Args<'a, 'py> {
    py: Python<'py>,
    slots: &'a [*mut ffi::PyObject; MAX_PARAMS],
}

impl<'py> Args<'_, 'py> {
    pub fn py(&self) -> Python<'py> {
        self.py
    }

    /// Parameter `i` the way pyo3 extracts it into `T`.
    pub fn get<T: FromSlot<'py>>(&self, i: usize) -> T {
        let ptr = self.slots[i];
        // SAFETY: a non-NULL slot is a live argument of the current call (the GIL is held).
        T::from_slot(
            self.py,
            (!ptr.is_null()).then(|| unsafe { Bound::from_borrowed_ptr(self.py, ptr) }),
        )
    }
}

/// How a `#[new]` parameter's type receives an argument (`None` when it was not given).
pub trait FromSlot<'py> {
    fn from_slot(py: Python<'py>, arg: Option<Bound<'py, PyAny>>) -> Self;
}

/// An optional parameter: Python's `None` is the same as not given, as pyo3 extracts it.
impl<'py> FromSlot<'py> for Option<Bound<'py, PyAny>> {
    fn from_slot(_: Python<'py>, arg: Option<Bound<'py, PyAny>>) -> Self {
        arg.filter(|a| !a.is_none())
    }
}

impl<'py> FromSlot<'py> for Option<Py<PyAny>> {
    fn from_slot(py: Python<'py>, arg: Option<Bound<'py, PyAny>>) -> Self {
        Option::<Bound<'py, PyAny>>::from_slot(py, arg).map(Bound::unbind)
    }
}

/// A required parameter ([`Signature::place`] makes sure it was given).
impl<'py> FromSlot<'py> for Py<PyAny> {
    fn from_slot(py: Python<'py>, arg: Option<Bound<'py, PyAny>>) -> Self {
        arg.map_or_else(|| py.None(), Bound::unbind)
    }
}

/// `T`'s `tp_vectorcall`.
unsafe extern "C" fn call<T: DirectCall>(
    class: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls a vectorcall with the GIL held.
    let py = unsafe { Python::assume_attached() };
    let nargs = nargsf & !(1usize << (usize::BITS - 1)); // PY_VECTORCALL_ARGUMENTS_OFFSET
    let made = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `class` is the class called: `T` (the slot is not inherited).
        let class_ref =
            unsafe { Bound::from_borrowed_ptr(py, class).cast_into_unchecked::<PyType>() };
        let direct = T::direct()
            .get(py)
            .filter(|d| d.constructors == constructors(&class_ref));
        // SAFETY: the arguments as CPython passes them.
        let slots = direct.and_then(|d| unsafe { d.signature.place(args, nargs, kwnames) });
        slots.map(|slots| {
            let init = T::construct(&Args { py, slots: &slots })?;
            Ok::<_, PyErr>(Bound::new(py, init)?.into_any().unbind())
        })
    }));
    match made {
        Ok(Some(Ok(object))) => object.into_ptr(),
        // SAFETY: the same arguments, passed on.
        Ok(None) => unsafe { call_through_type(py, class, args, nargs, kwnames) },
        Ok(Some(Err(err))) => {
            err.restore(py);
            null_mut()
        }
        Err(_) => {
            PanicException::new_err("an agentops event could not be created (a bug in agentops)")
                .restore(py);
            null_mut()
        }
    }
}

/// The call as `type.__call__` makes it: a tuple, a keyword dict, `tp_new` and `tp_init`.
///
/// # Safety
/// As for [`Signature::place`]; `class` is the class called.
unsafe fn call_through_type(
    py: Python<'_>,
    class: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    let result = (|| unsafe {
        let borrowed = |i: usize| Bound::from_borrowed_ptr(py, *args.add(i));
        let positional = PyTuple::new(py, (0..nargs).map(borrowed))?;
        let keywords = PyDict::new(py);
        if !kwnames.is_null() {
            let names = Bound::from_borrowed_ptr(py, kwnames).cast_into::<PyTuple>()?;
            for (k, name) in names.iter().enumerate() {
                keywords.set_item(name, borrowed(nargs + k))?;
            }
        }
        let type_call = ffi::PyType_GetSlot(&raw mut ffi::PyType_Type, ffi::Py_tp_call);
        if type_call.is_null() {
            return Err(PyTypeError::new_err("type.__call__ is missing"));
        }
        let type_call: ffi::ternaryfunc = std::mem::transmute(type_call);
        Ok(type_call(class, positional.as_ptr(), keywords.as_ptr()))
    })();
    result.unwrap_or_else(|err: PyErr| {
        err.restore(py);
        null_mut()
    })
}
