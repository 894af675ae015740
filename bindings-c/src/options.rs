//! `agentops_options`: values set by key (the core's option table: the same snake_case keys
//! as Python's `init` keywords), checked when set, applied over the `AGENTOPS_*` environment
//! when the client is made.

use std::ffi::c_char;

use agentops_core::Options;

use crate::ffi::{core, free_box, guard, handle, req_str, write_out};
use crate::status::agentops_status;

pub struct agentops_options {
    pub(crate) inner: Options,
}

/// A new, empty set of options in `*out` (free it with `agentops_options_free`).
///
/// # Safety
/// `out` is valid for a write of a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_options_new(out: *mut *mut agentops_options) -> agentops_status {
    guard(|| {
        if out.is_null() {
            return Err(agentops_status::AGENTOPS_ERR_NULL_ARGUMENT);
        }
        let options = Box::new(agentops_options {
            inner: Options::new(),
        });
        unsafe { write_out(out, Box::into_raw(options)) }
    })
}

/// Sets option `key` (snake_case or camelCase, e.g. "exporter", "max_wait_time") to `value`
/// written as text, as in its environment variable. `AGENTOPS_ERR_INVALID_CONFIG` for an
/// unknown key or a bad value (the options keep their previous value).
///
/// # Safety
/// `options` is a live handle; `key` and `value` are NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_options_set(
    options: *mut agentops_options,
    key: *const c_char,
    value: *const c_char,
) -> agentops_status {
    guard(|| {
        let options =
            unsafe { options.as_mut() }.ok_or(agentops_status::AGENTOPS_ERR_NULL_ARGUMENT)?;
        let (key, value) = unsafe { (req_str(key)?, req_str(value)?) };
        core(options.inner.set(key, value))
    })
}

/// Frees options (NULL is fine). The client made from them keeps its own copy.
///
/// # Safety
/// `options` is NULL or a handle not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_options_free(options: *mut agentops_options) {
    unsafe { free_box(options) }
}

/// The options behind a nullable handle (NULL: none set).
pub(crate) unsafe fn options_of(ptr: *const agentops_options) -> Options {
    match unsafe { handle(ptr) } {
        Ok(o) => o.inner.clone(),
        Err(_) => Options::new(),
    }
}
