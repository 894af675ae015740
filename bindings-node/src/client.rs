//! `NativeClient`: the core client (configuration, the uploader, the one registry of open
//! sessions). `lib/client.js` keeps one per JavaScript realm (main thread or worker).

use std::time::Duration;

use agentops_core::{Client, EndState, StartOptions, Wait};
use napi::Result;
use napi::bindgen_prelude::{Env, Object};
use napi_derive::napi;

use crate::errors::{Code, invalid_argument, to_js};
use crate::logging;
use crate::options::options_from_json;
use crate::promise::settled_by_thread;
use crate::record::{record_error_json, record_json};
use crate::session::{NativeSession, parse_end_state, uuid_arg};
use crate::stats::{JsShutdownReport, JsStats};

#[napi]
pub struct NativeClient {
    inner: Client,
}

fn millis(value: Option<f64>, default: Duration) -> Result<Duration, Code> {
    match value {
        None => Ok(default),
        Some(ms) => Duration::try_from_secs_f64(ms / 1000.0)
            .map_err(|_| invalid_argument("a timeout must be a non-negative number of ms")),
    }
}

fn state_or_fail(state: Option<String>) -> EndState {
    parse_end_state(state.as_deref()).unwrap_or(EndState::Fail)
}

#[napi]
impl NativeClient {
    /// Defaults, then the `AGENTOPS_*` environment, then `options` (JSON of the camelCase
    /// option table). Throws `ERR_AGENTOPS_MISSING_API_KEY` without a key or a file
    /// exporter (nothing is started), `ERR_AGENTOPS_INVALID_CONFIG` for a bad value.
    #[napi(constructor)]
    pub fn new(options: Option<String>) -> Result<Self, Code> {
        logging::install();
        let config = options_from_json(options.as_deref())?
            .build()
            .map_err(to_js)?;
        let inner = Client::with_sdk_language(config, "javascript").map_err(to_js)?;
        Ok(NativeClient { inner })
    }

    /// Applies new options (over the environment) to future sessions.
    #[napi]
    pub fn reconfigure(&self, options: Option<String>) -> Result<(), Code> {
        let config = options_from_json(options.as_deref())?
            .build()
            .map_err(to_js)?;
        self.inner.reconfigure(config).map_err(to_js)
    }

    /// Starts a session (waits at most `session_start_timeout` for the backend).
    #[napi]
    pub fn start_session(
        &self,
        tags: Option<Vec<String>>,
        inherited_session_id: Option<String>,
    ) -> Result<NativeSession, Code> {
        let inherited = inherited_session_id
            .map(|id| uuid_arg(&id, "inheritedSessionId"))
            .transpose()?;
        let options = StartOptions {
            tags: tags.unwrap_or_default(),
            inherited_session_id: inherited,
        };
        let session = self.inner.start_session(options).map_err(to_js)?;
        Ok(NativeSession::wrap(session))
    }

    /// Records into the only open session; with none or several, logs a warning and
    /// records nothing; after the shutdown counts it as dropped. Never throws.
    #[napi]
    pub fn record(&self, event: String) {
        if let Some(session) = self.inner.session_for_record_or_log() {
            record_json(&session, event);
        }
    }

    /// As `record`, for an error event and its not yet recorded trigger.
    #[napi]
    pub fn record_error(&self, error: String, trigger: Option<String>) {
        if let Some(session) = self.inner.session_for_record_or_log() {
            record_error_json(&session, &error, trigger.as_deref());
        }
    }

    /// The only open session; throws `ERR_AGENTOPS_INVALID_ARGUMENT` naming the problem
    /// (none, or several) otherwise.
    #[napi]
    pub fn only_session(&self) -> Result<NativeSession, Code> {
        self.inner
            .only_session()
            .map(NativeSession::wrap)
            .map_err(to_js)
    }

    #[napi(getter)]
    pub fn session_count(&self) -> u32 {
        self.inner.session_count() as u32
    }

    /// The open session with this id, or `null`.
    #[napi]
    pub fn get_session(&self, session_id: String) -> Option<NativeSession> {
        let id = uuid::Uuid::try_parse(session_id.trim()).ok()?;
        self.inner.get_session(id).map(NativeSession::wrap)
    }

    /// Registers an agent with the only open session, else with the next one started.
    #[napi]
    pub fn create_agent(&self, name: String, agent_id: Option<String>) -> Result<String, Code> {
        let id = agent_id.map(|id| uuid_arg(&id, "agentId")).transpose()?;
        Ok(self.inner.create_agent(&name, id).to_string())
    }

    /// Ends every open session; the promise gives how many, once delivered (at most
    /// `session_end_timeout`).
    #[napi(ts_return_type = "Promise<number>")]
    pub fn end_all_sessions<'env>(
        &self,
        env: &'env Env,
        end_state: Option<String>,
        end_state_reason: Option<String>,
    ) -> Result<Object<'env>, Code> {
        let waiter = parse_end_state(end_state.as_deref())
            .map(|state| self.inner.end_all_sessions_waiter(state, end_state_reason));
        settled_by_thread(env, move || {
            let Some(waiter) = waiter else { return 0 };
            waiter.wait();
            waiter.count() as u32
        })
    }

    /// Resolves `true` once everything recorded so far is delivered, `false` after
    /// `timeout_ms` (default `shutdown_timeout`).
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn flush<'env>(
        &self,
        env: &'env Env,
        timeout_ms: Option<f64>,
    ) -> Result<Object<'env>, Code> {
        let timeout = millis(timeout_ms, self.inner.config().shutdown_timeout)?;
        let waiter = self.inner.flush_waiter(timeout);
        settled_by_thread(env, move || waiter.wait())
    }

    /// Ends open sessions with `end_state` (default Indeterminate, 0.3's exit reason),
    /// delivers what it can within `timeout_ms` and stops the uploader. Idempotent.
    #[napi(ts_return_type = "Promise<ShutdownReport>")]
    pub fn shutdown<'env>(
        &self,
        env: &'env Env,
        timeout_ms: Option<f64>,
        end_state: Option<String>,
        end_state_reason: Option<String>,
    ) -> Result<Object<'env>, Code> {
        let waiter = self.shutdown_waiter(timeout_ms, end_state, end_state_reason)?;
        settled_by_thread(env, move || JsShutdownReport::from(&waiter.wait()))
    }

    /// As `shutdown`, waiting on this thread: for the process's `exit` event and signal
    /// handlers, where no promise can settle any more.
    #[napi(ts_return_type = "ShutdownReport")]
    pub fn shutdown_sync(
        &self,
        timeout_ms: Option<f64>,
        end_state: Option<String>,
        end_state_reason: Option<String>,
    ) -> Result<JsShutdownReport, Code> {
        let waiter = self.shutdown_waiter(timeout_ms, end_state, end_state_reason)?;
        Ok(JsShutdownReport::from(&waiter.wait()))
    }

    /// Ends the sessions this process owns because it is failing (an uncaught exception,
    /// a signal the application handles itself) unless `skipAutoEndSession`; waits at most
    /// `timeout_ms` on this thread for delivery. Returns how many ended.
    #[napi]
    pub fn auto_end_sessions_sync(
        &self,
        end_state: String,
        end_state_reason: String,
        timeout_ms: Option<f64>,
    ) -> Result<u32, Code> {
        let (ended, delivery) = self.auto_end(end_state, &end_state_reason, timeout_ms)?;
        delivery.wait();
        Ok(ended)
    }

    /// As `autoEndSessionsSync`, waiting off the JS thread.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn auto_end_sessions<'env>(
        &self,
        env: &'env Env,
        end_state: String,
        end_state_reason: String,
        timeout_ms: Option<f64>,
    ) -> Result<Object<'env>, Code> {
        let (ended, delivery) = self.auto_end(end_state, &end_state_reason, timeout_ms)?;
        settled_by_thread(env, move || {
            delivery.wait();
            ended
        })
    }

    #[napi(ts_return_type = "Stats")]
    pub fn stats(&self) -> JsStats {
        JsStats::from(&self.inner.stats())
    }

    #[napi(getter)]
    pub fn is_shut_down(&self) -> bool {
        self.inner.is_shut_down()
    }

    /// `"agentops"` or `"file"`.
    #[napi(getter)]
    pub fn exporter(&self) -> &'static str {
        self.inner.exporter().map_or("custom", |e| e.as_str())
    }

    #[napi(getter)]
    pub fn shutdown_timeout_ms(&self) -> f64 {
        self.inner.config().shutdown_timeout.as_secs_f64() * 1000.0
    }

    #[napi(getter)]
    pub fn auto_start_session(&self) -> bool {
        self.inner.config().auto_start_session
    }

    /// Whether LLM client calls are to be recorded automatically (`instrumentLlmCalls`).
    #[napi(getter)]
    pub fn instrument_llm_calls(&self) -> bool {
        self.inner.config().instrument_llm_calls
    }
}

impl NativeClient {
    /// Ends the sessions to auto-end; how many, and the wait for their delivery if any.
    fn auto_end(
        &self,
        end_state: String,
        end_state_reason: &str,
        timeout_ms: Option<f64>,
    ) -> Result<(u32, agentops_core::uploader::Waiter<bool>), Code> {
        let timeout = millis(timeout_ms, self.inner.config().session_end_timeout)?;
        let state = state_or_fail(Some(end_state));
        let (ended, delivery) =
            self.inner
                .auto_end_sessions_waiter(state, end_state_reason, timeout);
        Ok((ended as u32, delivery))
    }

    fn shutdown_waiter(
        &self,
        timeout_ms: Option<f64>,
        end_state: Option<String>,
        end_state_reason: Option<String>,
    ) -> Result<agentops_core::client::ShutdownWaiter, Code> {
        let timeout = millis(timeout_ms, self.inner.config().shutdown_timeout)?;
        let state = match end_state {
            Some(state) => state_or_fail(Some(state)),
            None => EndState::Indeterminate,
        };
        let reason = end_state_reason.unwrap_or_else(|| agentops_core::EXIT_REASON.to_owned());
        Ok(self.inner.shutdown_waiter(timeout, state, &reason))
    }
}
