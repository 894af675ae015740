//! The boundary: every export runs in [`guard`] (a panic becomes `AGENTOPS_ERR_PANIC`), and
//! C arguments are read here (NULL, UTF-8 and JSON checked once).

use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use agentops_core::Json;

use crate::status::agentops_status::{self, *};

pub type Outcome = Result<(), agentops_status>;

/// Runs `body`; its error or a caught panic becomes the status.
pub fn guard(body: impl FnOnce() -> Outcome) -> agentops_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => AGENTOPS_OK,
        Ok(Err(status)) => status,
        Err(_) => AGENTOPS_ERR_PANIC,
    }
}

/// An optional string argument (NULL: `None`).
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that lives for the call.
pub unsafe fn opt_str<'a>(ptr: *const c_char) -> Result<Option<&'a str>, agentops_status> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller's contract above.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str()
        .map(Some)
        .map_err(|_| AGENTOPS_ERR_INVALID_UTF8)
}

/// A required string argument.
///
/// # Safety
/// As [`opt_str`].
pub unsafe fn req_str<'a>(ptr: *const c_char) -> Result<&'a str, agentops_status> {
    unsafe { opt_str(ptr) }?.ok_or(AGENTOPS_ERR_NULL_ARGUMENT)
}

/// An optional JSON argument. It is checked on the uploader's thread, not here: text that
/// is not one valid JSON value is recorded as a JSON string holding it ([`Json::unchecked`]).
///
/// # Safety
/// As [`opt_str`].
pub unsafe fn opt_json(ptr: *const c_char) -> Result<Option<Json>, agentops_status> {
    Ok(unsafe { opt_str(ptr) }?.map(|text| Json::unchecked(text.to_owned())))
}

/// Tags given as one comma-separated string (NULL: none).
///
/// # Safety
/// As [`opt_str`].
pub unsafe fn tags(ptr: *const c_char) -> Result<Vec<String>, agentops_status> {
    Ok(unsafe { opt_str(ptr) }?
        .map(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default())
}

/// The handle behind a pointer, or `AGENTOPS_ERR_NULL_ARGUMENT`.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` made by this library.
pub unsafe fn handle<'a, T>(ptr: *const T) -> Result<&'a T, agentops_status> {
    // SAFETY: the caller's contract above.
    unsafe { ptr.as_ref() }.ok_or(AGENTOPS_ERR_NULL_ARGUMENT)
}

/// Writes `value` into `*out`, or `AGENTOPS_ERR_NULL_ARGUMENT` if `out` is NULL.
///
/// # Safety
/// `out` is NULL or valid for a write of `T`.
pub unsafe fn write_out<T>(out: *mut T, value: T) -> Outcome {
    if out.is_null() {
        return Err(AGENTOPS_ERR_NULL_ARGUMENT);
    }
    // SAFETY: the caller's contract above.
    unsafe { out.write(value) };
    Ok(())
}

/// Copies `text` and a NUL into `buf` of `len` bytes; `AGENTOPS_ERR_BUFFER_TOO_SMALL` if it
/// does not fit.
///
/// # Safety
/// `buf` is NULL or valid for writes of `len` bytes.
pub unsafe fn write_text(text: &str, buf: *mut c_char, len: usize) -> Outcome {
    if buf.is_null() {
        return Err(AGENTOPS_ERR_NULL_ARGUMENT);
    }
    if len < text.len() + 1 {
        return Err(AGENTOPS_ERR_BUFFER_TOO_SMALL);
    }
    // SAFETY: `buf` holds at least `text.len() + 1` bytes (checked above).
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
        buf.add(text.len()).write(0);
    }
    Ok(())
}

/// Frees a handle made with `Box::into_raw` (NULL is fine); a panic in its drop is caught.
///
/// # Safety
/// `ptr` is NULL or a handle of type `T` not freed yet.
pub unsafe fn free_box<T>(ptr: *mut T) {
    if !ptr.is_null() {
        let _ = guard(|| {
            drop(unsafe { Box::from_raw(ptr) });
            Ok(())
        });
    }
}

/// The status of a core result.
pub fn core<T>(result: agentops_core::Result<T>) -> Result<T, agentops_status> {
    result.map_err(|e| agentops_status::from(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_becomes_a_code_not_an_abort() {
        #[allow(clippy::panic)]
        let status = guard(|| panic!("a bug"));
        assert_eq!(status, AGENTOPS_ERR_PANIC);
        assert_eq!(guard(|| Err(AGENTOPS_ERR_IO)), AGENTOPS_ERR_IO);
        assert_eq!(guard(|| Ok(())), AGENTOPS_OK);
    }

    #[test]
    fn text_that_does_not_fit_is_refused_and_nothing_is_written_past_the_buffer() {
        let mut buf = [b'x' as c_char; 4];
        let status = unsafe { write_text("abcd", buf.as_mut_ptr(), buf.len()) };
        assert_eq!(status, Err(AGENTOPS_ERR_BUFFER_TOO_SMALL));
        assert_eq!(
            unsafe { write_text("abc", buf.as_mut_ptr(), buf.len()) },
            Ok(())
        );
        assert_eq!(buf[3], 0);
    }
}
