//! Recording events: one call per kind, payloads as JSON text (checked on the uploader's
//! thread: text that is not one valid JSON value is recorded as a JSON string holding it), or
//! a whole event as JSON with the exporters' own keys (`agentops_record_json`, read by the
//! core's decoder; not a JSON object: `AGENTOPS_ERR_INVALID_JSON`). Never blocks.

use std::ffi::c_char;

use agentops_core::{ErrorFields, Event, LlmFields, event::names};

use crate::ffi::{core, guard, handle, opt_json, opt_str, req_str};
use crate::session::agentops_session;
use crate::status::agentops_status::{self, *};

/// Records an event made by this call: it starts and ends now (one clock read).
fn record_now(session: *const agentops_session, event: Event) -> Result<(), agentops_status> {
    let session = unsafe { handle(session) }?;
    core(session.inner.record_instant(event))
}

/// Records an action (`action_type` required; params/returns JSON or NULL; text that is not
/// one JSON value is recorded as a JSON string of it).
///
/// # Safety
/// `session` is a live handle; strings NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_record_action(
    session: *const agentops_session,
    action_type: *const c_char,
    params_json: *const c_char,
    returns_json: *const c_char,
) -> agentops_status {
    guard(|| {
        let mut event = Event::action(names::name(unsafe { req_str(action_type) }?));
        event.params = unsafe { opt_json(params_json) }?;
        event.returns = unsafe { opt_json(returns_json) }?;
        record_now(session, event)
    })
}

/// Records a tool call (`name` required; params/returns JSON or NULL).
///
/// # Safety
/// As `agentops_record_action`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_record_tool(
    session: *const agentops_session,
    name: *const c_char,
    params_json: *const c_char,
    returns_json: *const c_char,
) -> agentops_status {
    guard(|| {
        let mut event = Event::tool(names::name(unsafe { req_str(name) }?));
        event.params = unsafe { opt_json(params_json) }?;
        event.returns = unsafe { opt_json(returns_json) }?;
        record_now(session, event)
    })
}

fn count(n: i64) -> Option<u64> {
    u64::try_from(n).ok()
}

/// Records an LLM call: model (or NULL), prompt and completion as JSON (or NULL), token
/// counts (negative: unknown).
///
/// # Safety
/// As `agentops_record_action`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_record_llm(
    session: *const agentops_session,
    model: *const c_char,
    prompt_json: *const c_char,
    completion_json: *const c_char,
    prompt_tokens: i64,
    completion_tokens: i64,
) -> agentops_status {
    guard(|| {
        let fields = LlmFields {
            model: unsafe { opt_str(model) }?.map(str::to_owned),
            prompt: unsafe { opt_json(prompt_json) }?,
            completion: unsafe { opt_json(completion_json) }?,
            prompt_tokens: count(prompt_tokens),
            completion_tokens: count(completion_tokens),
            ..Default::default()
        };
        record_now(session, Event::llm(fields))
    })
}

/// Records an error not linked to another event (`error_type` required; details and code
/// text or NULL). Link one with `agentops_action_fail`.
///
/// # Safety
/// As `agentops_record_action`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_record_error(
    session: *const agentops_session,
    error_type: *const c_char,
    details: *const c_char,
    code: *const c_char,
) -> agentops_status {
    guard(|| {
        let fields = ErrorFields {
            error_type: Some(unsafe { req_str(error_type) }?.to_owned()),
            details: unsafe { opt_str(details) }?.map(str::to_owned),
            code: unsafe { opt_str(code) }?.map(str::to_owned),
            ..Default::default()
        };
        record_now(session, Event::error(fields))
    })
}

/// Records one event written as a JSON object with the exporters' keys (`event_type`,
/// `params`, `returns`, `action_type`, `model`, ... ; an optional `"kind"`: action, llm,
/// tool, error, generic; times as ISO-8601 or epoch milliseconds). An LLM event may name
/// the API of its call in `"api"` (`"openai.chat"`, `"anthropic.messages"`) and give its
/// request as `params` and its answer as `returns`: the prompt, completion, model and token
/// counts not given are read from them. A field of the wrong type is ignored; text that is
/// not a JSON object is `AGENTOPS_ERR_INVALID_JSON`.
///
/// # Safety
/// As `agentops_record_action`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_record_json(
    session: *const agentops_session,
    event_json: *const c_char,
) -> agentops_status {
    guard(|| {
        let text = unsafe { req_str(event_json) }?;
        let event = Event::from_json(text).map_err(|_| AGENTOPS_ERR_INVALID_JSON)?;
        // Its own timestamps, if given, are kept; the end is stamped now otherwise.
        core(unsafe { handle(session) }?.inner.record(event))
    })
}
