//! The C counterpart of `@record_action`: `agentops_action_begin` takes the start time and
//! the parameters; `agentops_action_end` records the action with its return value, or
//! `agentops_action_fail` records it with a linked error event. Either consumes the handle.

use std::ffi::c_char;

use agentops_core::{ErrorFields, Event, Session, Timestamp, event::names};

use crate::ffi::{core, guard, handle, opt_json, opt_str, req_str, write_out};
use crate::session::agentops_session;
use crate::status::agentops_status::{self, *};

/// An operation under way: its session and its event, started.
pub struct agentops_action {
    session: Session,
    event: Event,
}

/// Starts timing an action named `action_type` with its parameters (JSON or NULL); the
/// handle goes to `*out`.
///
/// # Safety
/// `session` is a live handle; strings NULL or NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_action_begin(
    session: *const agentops_session,
    action_type: *const c_char,
    params_json: *const c_char,
    out: *mut *mut agentops_action,
) -> agentops_status {
    guard(|| {
        let session = unsafe { handle(session) }?;
        if out.is_null() {
            return Err(AGENTOPS_ERR_NULL_ARGUMENT);
        }
        let mut event = Event::action(names::name(unsafe { req_str(action_type) }?));
        event.params = unsafe { opt_json(params_json) }?;
        let action = agentops_action {
            session: session.inner.clone(),
            event,
        };
        unsafe { write_out(out, Box::into_raw(Box::new(action))) }
    })
}

/// Takes the handle back (NULL: `AGENTOPS_ERR_NULL_ARGUMENT`).
unsafe fn take(action: *mut agentops_action) -> Result<Box<agentops_action>, agentops_status> {
    if action.is_null() {
        return Err(AGENTOPS_ERR_NULL_ARGUMENT);
    }
    Ok(unsafe { Box::from_raw(action) })
}

/// Records the action, ended now, with its return value (JSON or NULL), and frees the
/// handle (also when the call fails).
///
/// # Safety
/// `action` is a handle from `agentops_action_begin`, not ended or freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_action_end(
    action: *mut agentops_action,
    returns_json: *const c_char,
) -> agentops_status {
    guard(|| {
        let mut action = unsafe { take(action) }?;
        action.event.returns = unsafe { opt_json(returns_json) }?;
        action.event.end_timestamp = Some(Timestamp::now());
        core(action.session.record(action.event))
    })
}

/// Records the action, ended now, and an error event linked to it (`error_type`
/// required, `details` text or NULL), and frees the handle (also when the call fails).
///
/// # Safety
/// As `agentops_action_end`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_action_fail(
    action: *mut agentops_action,
    error_type: *const c_char,
    details: *const c_char,
) -> agentops_status {
    guard(|| {
        let mut action = unsafe { take(action) }?;
        let end = Timestamp::now();
        action.event.end_timestamp = Some(end);
        let mut error = Event::error(ErrorFields {
            error_type: Some(unsafe { req_str(error_type) }?.to_owned()),
            details: unsafe { opt_str(details) }?.map(str::to_owned),
            timestamp: Some(end),
            ..Default::default()
        });
        error.init_timestamp = end;
        core(action.session.record_error(error, Some(action.event)))
    })
}

/// Discards an action without recording it (NULL is fine).
///
/// # Safety
/// `action` is NULL or a handle not ended or freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_action_free(action: *mut agentops_action) {
    if !action.is_null() {
        let _ = guard(|| unsafe { take(action) }.map(drop));
    }
}
