//! [`Sessions`]: the open sessions of a client and the uploader they record through. The
//! only registry of sessions: bindings keep no list of their own. It holds session data,
//! never handles, so nothing in it refers back to the client.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::{EndAllWaiter, Session, SessionData, SessionMeta, merge_tags};
use crate::config::{Config, ExporterKind};
use crate::error::{Error, ErrorKind, Result};
use crate::event::{EndState, time::Timestamp};
use crate::export::{Exporter, FileExporter, SessionRecord};
use crate::uploader::{SessionStatus, ShutdownReport, Stats, Uploader};

/// Options of [`crate::Client::start_session`].
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    pub tags: Vec<String>,
    /// Continue a session created elsewhere (another process) under the same id.
    pub inherited_session_id: Option<Uuid>,
}

/// What sessions need of the configuration.
#[derive(Clone)]
struct Settings {
    default_tags: Vec<String>,
    session_start_timeout: Duration,
    session_end_timeout: Duration,
    skip_auto_end_session: bool,
    export_dir: Option<PathBuf>,
    /// Where the OTLP exporter sends traces (OTLP exporter only).
    otlp_traces_url: Option<String>,
}

pub(crate) struct Sessions {
    uploader: Uploader,
    settings: Mutex<Settings>,
    open: Mutex<Vec<Arc<SessionData>>>,
    /// Agents created while no single session was open: registered with the next one.
    pending_agents: Mutex<Vec<(Uuid, String)>>,
}

impl Settings {
    fn of(config: &Config, exporter_kind: ExporterKind) -> Self {
        Settings {
            default_tags: config.default_tags.clone(),
            session_start_timeout: config.session_start_timeout,
            session_end_timeout: config.session_end_timeout,
            skip_auto_end_session: config.skip_auto_end_session,
            export_dir: (exporter_kind == ExporterKind::File).then(|| config.export_dir.clone()),
            otlp_traces_url: (exporter_kind == ExporterKind::Otlp)
                .then(|| config.otlp_traces_url()),
        }
    }
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sessions {
    pub fn new(
        config: &Config,
        exporter_kind: ExporterKind,
        exporter: Box<dyn Exporter>,
    ) -> Result<Self> {
        Ok(Sessions {
            uploader: Uploader::start(config, exporter)?,
            settings: Mutex::new(Settings::of(config, exporter_kind)),
            open: Mutex::new(Vec::new()),
            pending_agents: Mutex::new(Vec::new()),
        })
    }

    pub fn uploader(&self) -> &Uploader {
        &self.uploader
    }

    fn settings(&self) -> Settings {
        locked(&self.settings).clone()
    }

    /// Applies what only future sessions use (default tags, timeouts of starting and
    /// ending, `skip_auto_end_session`) without restarting the uploader.
    pub fn update_settings(&self, config: &Config, exporter_kind: ExporterKind) {
        *locked(&self.settings) = Settings::of(config, exporter_kind);
    }

    pub fn session_end_timeout(&self) -> Duration {
        locked(&self.settings).session_end_timeout
    }

    pub fn export_path(&self, id: &Uuid) -> Option<PathBuf> {
        let settings = locked(&self.settings);
        let dir = settings.export_dir.as_deref()?;
        Some(FileExporter::session_path(dir, id))
    }

    pub fn otlp_traces_url(&self) -> Option<String> {
        locked(&self.settings).otlp_traces_url.clone()
    }

    fn handle(self: &Arc<Self>, data: Arc<SessionData>) -> Session {
        Session {
            data,
            sessions: self.clone(),
        }
    }

    /// Starts a session. Waits at most `session_start_timeout` for the backend: a refusal
    /// within it is an error (`SessionRefused`); a backend that is merely slow still gets
    /// a session back. Agents created while no session was open are registered with it.
    pub fn start(self: &Arc<Self>, options: StartOptions) -> Result<Session> {
        let id = options
            .inherited_session_id
            .unwrap_or_else(crate::event::id::new_id);
        let settings = self.settings();
        let mut tags = Vec::new();
        merge_tags(&mut tags, settings.default_tags);
        merge_tags(&mut tags, options.tags);
        let init_timestamp = Timestamp::now();
        let meta = SessionMeta {
            tags,
            end_state: EndState::Indeterminate,
            end_state_reason: None,
            end_timestamp: None,
            video: None,
        };
        let record = SessionRecord {
            session_id: id,
            init_timestamp,
            end_timestamp: None,
            end_state: meta.end_state,
            end_state_reason: None,
            tags: meta.tags.clone(),
            video: None,
            event_counts: [0; 5],
        };
        let until = Instant::now() + settings.session_start_timeout;
        let state = self.uploader.start_session(id, record, until)?;
        let data = Arc::new(SessionData {
            state,
            init_timestamp,
            counts: Default::default(),
            inherited: AtomicBool::new(false),
            meta: Mutex::new(meta),
        });
        locked(&self.open).push(data.clone());
        let session = self.handle(data);
        for (agent_id, name) in std::mem::take(&mut *locked(&self.pending_agents)) {
            session.create_agent(&name, Some(agent_id));
        }
        Ok(session)
    }

    /// Moves the agents waiting for a session to `other` (a reconfigured client's).
    pub fn carry_pending_agents_to(&self, other: &Sessions) {
        let agents = std::mem::take(&mut *locked(&self.pending_agents));
        locked(&other.pending_agents).extend(agents);
    }

    pub(super) fn forget(&self, data: &Arc<SessionData>) {
        locked(&self.open).retain(|d| !Arc::ptr_eq(d, data));
    }

    /// Open sessions, oldest first.
    pub fn list(self: &Arc<Self>) -> Vec<Session> {
        let open = locked(&self.open).clone();
        open.into_iter().map(|d| self.handle(d)).collect()
    }

    pub fn count(&self) -> usize {
        locked(&self.open).len()
    }

    pub fn get(self: &Arc<Self>, id: Uuid) -> Option<Session> {
        let found = locked(&self.open)
            .iter()
            .find(|d| d.state.id() == id)
            .cloned();
        found.map(|d| self.handle(d))
    }

    /// The one open session, for the single-session API of agentops 0.3; an error names
    /// the problem when there are none or several.
    pub fn only(self: &Arc<Self>) -> Result<Session> {
        // On the single-session record path: look, and clone just the one handle.
        let only = {
            let open = locked(&self.open);
            match open.len() {
                1 => Ok(open[0].clone()),
                n => Err(n),
            }
        };
        match only {
            Ok(data) => Ok(self.handle(data)),
            Err(0) => Err(Error::new(
                ErrorKind::InvalidArgument,
                "no sessions detected; start a session first",
            )),
            Err(n) => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "multiple sessions detected ({n}); use a session's own methods to choose one"
                ),
            )),
        }
    }

    /// Registers an agent with the only open session; with none or several open, with
    /// the next session started. Returns the agent id (generated unless given).
    pub fn create_agent(self: &Arc<Self>, name: &str, agent_id: Option<Uuid>) -> Uuid {
        let agent_id = agent_id.unwrap_or_else(crate::event::id::new_id);
        match self.only() {
            Ok(session) => {
                session.create_agent(name, Some(agent_id));
            }
            Err(_) => {
                if self.count() > 1 {
                    log::warn!(
                        "multiple sessions detected: agent {name:?} will be registered with the next session started"
                    );
                }
                locked(&self.pending_agents).push((agent_id, name.to_owned()));
            }
        }
        agent_id
    }

    /// Ends every open session; the waiter gives their reports once everything is
    /// delivered or `timeout` is over.
    pub fn end_all(
        self: &Arc<Self>,
        state: EndState,
        reason: Option<String>,
        timeout: Duration,
    ) -> EndAllWaiter {
        let ended: Vec<Session> = self
            .list()
            .into_iter()
            .filter(|s| s.end_within(state, reason.clone(), None).is_ok())
            .collect();
        EndAllWaiter {
            ended,
            state,
            reason,
            flushed: self.uploader.flush_waiter(timeout),
        }
    }

    /// Ends the sessions this process owns because the process is ending (exit, a signal,
    /// an uncaught exception), then waits at most `wait` for delivery. Leaves alone what
    /// the user asked to keep (`skip_auto_end_session`) and, in a forked child, the
    /// sessions inherited from the parent (their events are still delivered). Returns how
    /// many sessions were ended.
    pub fn auto_end(
        self: &Arc<Self>,
        state: EndState,
        reason: &str,
        wait: Option<Duration>,
    ) -> usize {
        if self.settings().skip_auto_end_session {
            return 0;
        }
        let owned: Vec<Session> = self
            .list()
            .into_iter()
            .filter(|s| !s.is_inherited())
            .collect();
        for session in &owned {
            let _ = session.end_within(state, Some(reason.to_owned()), None);
        }
        if let Some(wait) = wait.filter(|_| !owned.is_empty()) {
            self.uploader.flush(wait);
        }
        owned.len()
    }

    pub fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        self.uploader.shutdown(timeout)
    }

    pub fn stats(&self) -> Stats {
        self.uploader.stats()
    }

    /// In a forked child: a fresh uploader; open sessions are re-adopted under their ids
    /// and marked as the parent's. Must run while the child is single-threaded.
    pub fn after_fork_in_child(&self, exporter: Box<dyn Exporter>) -> Result<()> {
        // A lock held by a thread that does not exist in the child stays held forever.
        let inherited = match self.open.try_lock() {
            Ok(open) => open.clone(),
            Err(_) => {
                log::warn!(
                    "after fork: the session list was busy; open sessions are not carried into the child"
                );
                Vec::new()
            }
        };
        let states: Vec<_> = inherited
            .iter()
            .filter(|d| d.state.status() != SessionStatus::Ended)
            .map(|d| {
                d.inherited
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                d.state.clone()
            })
            .collect();
        self.uploader.after_fork_in_child(exporter, &states)
    }
}
