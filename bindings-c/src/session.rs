//! `agentops_session`: one recording session. Valid until freed, even after it ended or
//! the client shut down (recording then gives a code).

use std::ffi::c_char;

use agentops_core::{EndState, Session};
use uuid::Uuid;

use crate::ffi::{core, free_box, guard, handle, opt_str, req_str, tags, write_text};
use crate::status::agentops_status::{self, *};

pub struct agentops_session {
    pub(crate) inner: Session,
}

impl agentops_session {
    pub(crate) fn boxed(inner: Session) -> *mut agentops_session {
        Box::into_raw(Box::new(agentops_session { inner }))
    }
}

/// An agent's name and optional id, as C gives them.
pub(crate) unsafe fn agent_args<'a>(
    name: *const c_char,
    agent_id: *const c_char,
) -> Result<(&'a str, Option<Uuid>), agentops_status> {
    let name = unsafe { req_str(name) }?;
    let id = match unsafe { opt_str(agent_id) }? {
        None => None,
        Some(id) => Some(Uuid::try_parse(id.trim()).map_err(|_| AGENTOPS_ERR_INVALID_ARGUMENT)?),
    };
    Ok((name, id))
}

/// Ends the session ("Success", "Fail" or "Indeterminate", any case; NULL: Indeterminate)
/// with an optional reason, waiting at most `session_end_timeout` for delivery.
/// `token_cost` (nullable) receives the cost the backend reported, or NaN when unknown.
/// `AGENTOPS_ERR_INVALID_ARGUMENT` for another end state (the session stays open),
/// `AGENTOPS_ERR_SESSION_ENDED` if it had ended.
///
/// # Safety
/// `session` is a live handle; strings NULL or NUL-terminated; `token_cost` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_session_end(
    session: *const agentops_session,
    end_state: *const c_char,
    end_state_reason: *const c_char,
    token_cost: *mut f64,
) -> agentops_status {
    guard(|| {
        let session = unsafe { handle(session) }?;
        let state = match unsafe { opt_str(end_state) }? {
            None => EndState::Indeterminate,
            Some(text) => core(EndState::from_user(text))?,
        };
        let reason = unsafe { opt_str(end_state_reason) }?.map(str::to_owned);
        let report = core(session.inner.end(state, reason))?;
        for (level, line) in report.log_lines() {
            log::log!(level, "{line}");
        }
        if !token_cost.is_null() {
            unsafe { token_cost.write(report.stats.token_cost.unwrap_or(f64::NAN)) };
        }
        Ok(())
    })
}

/// The session's id (36 characters and a NUL: `len` ≥ 37) into `buf`.
///
/// # Safety
/// `session` is a live handle; `buf` writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_session_id(
    session: *const agentops_session,
    buf: *mut c_char,
    len: usize,
) -> agentops_status {
    guard(|| {
        let session = unsafe { handle(session) }?;
        unsafe { write_text(&session.inner.id().to_string(), buf, len) }
    })
}

/// Reads `tags_csv` (required) and applies the tags to the session with `apply`.
unsafe fn change_tags(
    session: *const agentops_session,
    tags_csv: *const c_char,
    apply: fn(&Session, Vec<String>),
) -> agentops_status {
    guard(|| {
        let session = unsafe { handle(session) }?;
        unsafe { req_str(tags_csv) }?;
        apply(&session.inner, unsafe { tags(tags_csv) }?);
        Ok(())
    })
}

/// Adds tags (comma-separated) to the session.
///
/// # Safety
/// `session` is a live handle; `tags_csv` NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_session_add_tags(
    session: *const agentops_session,
    tags_csv: *const c_char,
) -> agentops_status {
    unsafe { change_tags(session, tags_csv, |s, tags| s.add_tags(tags)) }
}

/// Replaces the session's tags (comma-separated).
///
/// # Safety
/// `session` is a live handle; `tags_csv` NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_session_set_tags(
    session: *const agentops_session,
    tags_csv: *const c_char,
) -> agentops_status {
    unsafe { change_tags(session, tags_csv, |s, tags| s.set_tags(tags)) }
}

/// Registers an agent with this session; its id (`id_len` ≥ 37) into `id_out`.
///
/// # Safety
/// `session` is a live handle; strings NULL or NUL-terminated; `id_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_session_create_agent(
    session: *const agentops_session,
    name: *const c_char,
    agent_id: *const c_char,
    id_out: *mut c_char,
    id_len: usize,
) -> agentops_status {
    guard(|| {
        let session = unsafe { handle(session) }?;
        let (name, id) = unsafe { agent_args(name, agent_id) }?;
        let id = session.inner.create_agent(name, id);
        unsafe { write_text(&id.to_string(), id_out, id_len) }
    })
}

/// Frees the handle (NULL is fine). An open session stays open: end it first, or the
/// client's shutdown ends it.
///
/// # Safety
/// `session` is NULL or a handle not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_session_free(session: *mut agentops_session) {
    unsafe { free_box(session) }
}
