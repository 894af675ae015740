//! `agentops_client`: the core client (configuration, uploader thread, sessions).

use std::ffi::c_char;
use std::time::Duration;

use agentops_core::{Client, EndState, StartOptions, Wait};

use crate::ffi::{core, guard, handle, opt_str, tags, write_out};
use crate::options::{agentops_options, options_of};
use crate::session::agentops_session;
use crate::stats::{agentops_shutdown_report, agentops_stats};
use crate::status::agentops_status::{self, *};

pub struct agentops_client {
    pub(crate) inner: Client,
}

/// Makes a client from `options` (NULL: the environment alone) in `*out`. Starts the uploader
/// thread; nothing is sent until a session starts. `AGENTOPS_ERR_MISSING_API_KEY` without an
/// API key or a keyless exporter ("file", "otlp"), `AGENTOPS_ERR_INVALID_CONFIG` for a bad value.
///
/// # Safety
/// `options` is NULL or a live handle; `out` is valid for a write of a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_client_new(
    options: *const agentops_options,
    out: *mut *mut agentops_client,
) -> agentops_status {
    guard(|| {
        if out.is_null() {
            return Err(AGENTOPS_ERR_NULL_ARGUMENT);
        }
        agentops_core::logging::install_stderr();
        let config = core(unsafe { options_of(options) }.build())?;
        let inner = core(Client::with_sdk_language(config, "c"))?;
        let client = Box::into_raw(Box::new(agentops_client { inner }));
        crate::fork::register(client);
        unsafe { write_out(out, client) }
    })
}

/// Shuts the client down (open sessions end as Indeterminate; delivery bounded by
/// `shutdown_timeout`) and frees it. NULL is fine. Sessions still held stay valid handles;
/// recording on them gives `AGENTOPS_ERR_SHUT_DOWN`.
///
/// # Safety
/// `client` is NULL or a handle not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_client_free(client: *mut agentops_client) {
    crate::fork::unregister(client);
    unsafe { crate::ffi::free_box(client) }
}

/// Starts a session (tags: comma-separated, NULL for none; `inherited_session_id`: a UUID
/// to continue, or NULL) in `*out`. Waits at most `session_start_timeout` for the backend.
///
/// # Safety
/// `client` is a live handle; the strings are NULL or NUL-terminated; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_session_start(
    client: *const agentops_client,
    tags_csv: *const c_char,
    inherited_session_id: *const c_char,
    out: *mut *mut agentops_session,
) -> agentops_status {
    guard(|| {
        let client = unsafe { handle(client) }?;
        if out.is_null() {
            return Err(AGENTOPS_ERR_NULL_ARGUMENT);
        }
        let inherited = match unsafe { opt_str(inherited_session_id) }? {
            None => None,
            Some(id) => {
                Some(uuid::Uuid::try_parse(id.trim()).map_err(|_| AGENTOPS_ERR_INVALID_ARGUMENT)?)
            }
        };
        let options = StartOptions {
            tags: unsafe { tags(tags_csv) }?,
            inherited_session_id: inherited,
        };
        let session = core(client.inner.start_session(options))?;
        unsafe { write_out(out, agentops_session::boxed(session)) }
    })
}

/// Sets the level of the library's log lines on stderr ("error", "warn", "info", "debug",
/// "off"; default: `AGENTOPS_LOGGING_LEVEL`, else "info").
///
/// # Safety
/// `level` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_set_log_level(level: *const c_char) -> agentops_status {
    guard(|| {
        agentops_core::logging::set_level(unsafe { crate::ffi::req_str(level) }?);
        Ok(())
    })
}

fn timeout(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// Waits until everything recorded so far is delivered, at most `timeout_ms`.
/// `AGENTOPS_ERR_TIMEOUT` if not all of it was.
///
/// # Safety
/// `client` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_flush(
    client: *const agentops_client,
    timeout_ms: u64,
) -> agentops_status {
    guard(|| {
        let client = unsafe { handle(client) }?;
        match client.inner.flush_waiter(timeout(timeout_ms)).wait() {
            true => Ok(()),
            false => Err(AGENTOPS_ERR_TIMEOUT),
        }
    })
}

/// Ends open sessions as Indeterminate ("N/A (process exited without calling
/// agentops.end_session(...))"), delivers what it can within `timeout_ms` and stops the
/// uploader; idempotent. `report` (nullable) receives the outcome. `AGENTOPS_ERR_TIMEOUT`
/// if events were left undelivered.
///
/// # Safety
/// `client` is a live handle; `report` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_shutdown(
    client: *const agentops_client,
    timeout_ms: u64,
    report: *mut agentops_shutdown_report,
) -> agentops_status {
    guard(|| {
        let client = unsafe { handle(client) }?;
        let waiter = client.inner.shutdown_waiter(
            timeout(timeout_ms),
            EndState::Indeterminate,
            agentops_core::EXIT_REASON,
        );
        let outcome = waiter.wait();
        if !report.is_null() {
            unsafe { write_out(report, agentops_shutdown_report::from(&outcome)) }?;
        }
        if outcome.completed {
            Ok(())
        } else {
            Err(AGENTOPS_ERR_TIMEOUT)
        }
    })
}

/// Delivery statistics into `*out`.
///
/// # Safety
/// `client` is a live handle; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_stats_get(
    client: *const agentops_client,
    out: *mut agentops_stats,
) -> agentops_status {
    guard(|| {
        let client = unsafe { handle(client) }?;
        unsafe { write_out(out, agentops_stats::from(&client.inner.stats())) }
    })
}

/// Registers an agent with the only open session (else with the next one started); its id
/// (36 characters and a NUL: `id_len` ≥ 37) into `id_out`. `agent_id`: a UUID, or NULL.
///
/// # Safety
/// `client` is a live handle; strings NULL or NUL-terminated; `id_out` writable for `id_len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn agentops_create_agent(
    client: *const agentops_client,
    name: *const c_char,
    agent_id: *const c_char,
    id_out: *mut c_char,
    id_len: usize,
) -> agentops_status {
    guard(|| {
        let client = unsafe { handle(client) }?;
        let (name, id) = unsafe { crate::session::agent_args(name, agent_id) }?;
        let id = client.inner.create_agent(name, id);
        unsafe { crate::ffi::write_text(&id.to_string(), id_out, id_len) }
    })
}
