//! `NativeSession`: one recording session. `lib/session.js` wraps it as the public
//! `Session`.

use agentops_core::{EndState, ErrorKind, Session, Wait};
use napi::Result;
use napi::bindgen_prelude::{Env, Object};
use napi_derive::napi;

use crate::errors::{Code, invalid_argument};
use crate::promise::settled_by_thread;
use crate::record::{record_error_json, record_json};

#[napi]
pub struct NativeSession {
    pub(crate) inner: Session,
}

/// The end state named by the user ("Success", "Fail", "Indeterminate", any case), or
/// `None` after the core's agentops 0.3 warning.
pub fn parse_end_state(state: Option<&str>) -> Option<EndState> {
    let Some(state) = state else {
        return Some(EndState::Indeterminate);
    };
    EndState::from_user_or_warn(state)
}

pub fn uuid_arg(text: &str, what: &str) -> Result<uuid::Uuid, Code> {
    uuid::Uuid::try_parse(text.trim())
        .map_err(|_| invalid_argument(format!("{what} {text:?} is not a valid UUID")))
}

#[napi]
impl NativeSession {
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_string()
    }

    #[napi(getter)]
    pub fn is_running(&self) -> bool {
        self.inner.is_running()
    }

    /// Records one event given as JSON text; never throws, never blocks.
    #[napi]
    pub fn record(&self, event: String) {
        record_json(&self.inner, event);
    }

    /// Records an error event after its trigger (not recorded yet), linked.
    #[napi]
    pub fn record_error(&self, error: String, trigger: Option<String>) {
        record_error_json(&self.inner, &error, trigger.as_deref());
    }

    /// Ends the session; the promise gives the token cost (`null`: unknown, invalid end
    /// state, or already ended) once the end is delivered or `session_end_timeout` passed.
    /// The 0.3 "Session Stats" / "Session Replay" lines are logged.
    #[napi(ts_return_type = "Promise<number | null>")]
    pub fn end<'env>(
        &self,
        env: &'env Env,
        end_state: Option<String>,
        end_state_reason: Option<String>,
    ) -> Result<Object<'env>, Code> {
        let waiter = parse_end_state(end_state.as_deref()).and_then(|state| {
            let wait = Some(self.inner.end_timeout());
            match self.inner.end_waiter(state, end_state_reason, wait) {
                Ok(waiter) => Some(waiter),
                Err(err) if err.kind() == ErrorKind::SessionEnded => {
                    log::debug!("session {} has already ended", self.inner.id());
                    None
                }
                Err(err) => {
                    log::warn!("{}", err.message());
                    None
                }
            }
        });
        settled_by_thread(env, move || {
            let report = waiter?.wait();
            for (level, line) in report.log_lines() {
                log::log!(level, "{line}");
            }
            report.stats.token_cost
        })
    }

    #[napi(getter)]
    pub fn tags(&self) -> Vec<String> {
        self.inner.tags()
    }

    #[napi]
    pub fn add_tags(&self, tags: Vec<String>) {
        self.inner.add_tags(tags);
    }

    #[napi]
    pub fn set_tags(&self, tags: Vec<String>) {
        self.inner.set_tags(tags);
    }

    /// Registers an agent with this session; returns its id (generated unless given).
    #[napi]
    pub fn create_agent(&self, name: String, agent_id: Option<String>) -> Result<String, Code> {
        let id = agent_id.map(|id| uuid_arg(&id, "agentId")).transpose()?;
        Ok(self.inner.create_agent(&name, id).to_string())
    }

    /// agentops 0.3's "Session Replay: ..." line (or where the file exporter writes).
    #[napi(getter)]
    pub fn replay_line(&self) -> String {
        self.inner.replay().line()
    }

    /// The dashboard URL of this session (AgentOps exporter).
    #[napi(getter)]
    pub fn session_url(&self) -> String {
        self.inner.session_url()
    }

    /// The file this session is written to (file exporter), else `null`.
    #[napi(getter)]
    pub fn export_path(&self) -> Option<String> {
        self.inner.export_path().map(|p| p.display().to_string())
    }
}

impl NativeSession {
    pub fn wrap(inner: Session) -> Self {
        NativeSession { inner }
    }
}
