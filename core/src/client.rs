//! The client: configuration, the uploader pipeline, and the open sessions.

use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use uuid::Uuid;

use crate::config::{Config, ExporterKind};
use crate::error::{Error, ErrorKind, Result};
use crate::event::EndState;
use crate::export::{AgentOpsV2Exporter, Exporter, FileExporter};
use crate::session::{Session, SessionShared, merge_tags};
use crate::uploader::{Control, EndOutcome, Pipeline, ShutdownReport, Stats};
use crate::wire;

/// The end-state reason for sessions still open at exit (the reference's wording).
pub const EXIT_REASON: &str = "N/A (process exited without calling agentops.end_session(...))";

/// Options of [`Client::start_session`].
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    pub tags: Vec<String>,
    /// Continue a session created elsewhere (another process) under the same id.
    pub inherited_session_id: Option<Uuid>,
}

/// The pipeline plus the sessions it serves. Replaced as a whole in a forked child.
struct Engine {
    pipeline: Pipeline,
    sessions: Mutex<Vec<Session>>,
}

pub(crate) struct ClientInner {
    config: Config,
    exporter: ExporterKind,
    host_env: Option<Value>,
    /// Only ever replaced in a forked child (single-threaded at that point); replaced
    /// engines are leaked on purpose, so a reference handed out stays valid.
    engine: AtomicPtr<Engine>,
    next_key: AtomicU64,
    shut_down: AtomicBool,
}

impl ClientInner {
    fn engine(&self) -> &Engine {
        // SAFETY: the pointer comes from Box::into_raw, is never null, and is freed only
        // in Drop (when no reference can be alive); replaced engines are leaked.
        unsafe { &*self.engine.load(Ordering::Acquire) }
    }

    pub(crate) fn pipeline(&self) -> &Pipeline {
        &self.engine().pipeline
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn host_env(&self) -> Option<&Value> {
        self.host_env.as_ref()
    }

    pub(crate) fn forget_session(&self, session: &Session) {
        let mut sessions = self
            .engine()
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        sessions.retain(|s| !s.same_as(session));
    }
}

impl Drop for ClientInner {
    fn drop(&mut self) {
        let engine = self.engine.swap(std::ptr::null_mut(), Ordering::AcqRel);
        if !engine.is_null() {
            // SAFETY: see `engine()`; this is the last reference.
            drop(unsafe { Box::from_raw(engine) });
        }
    }
}

/// Records sessions of events and ships them through one background uploader.
/// Dropping it shuts down with `Config::shutdown_timeout`.
pub struct Client {
    inner: Arc<ClientInner>,
}

fn build_exporter(config: &Config, kind: ExporterKind) -> Box<dyn Exporter> {
    match kind {
        ExporterKind::AgentOps => Box::new(AgentOpsV2Exporter::new(
            config.endpoint_base(),
            config.api_key.clone().unwrap_or_default().trim().to_owned(),
            config.parent_key.clone().map(|k| k.trim().to_owned()),
        )),
        ExporterKind::File => Box::new(FileExporter::new(config.export_dir.clone())),
    }
}

impl Client {
    /// Validates the configuration and starts the uploader thread. With no API key and no
    /// explicit exporter this fails with `MissingApiKey` and starts nothing.
    pub fn new(config: Config) -> Result<Client> {
        Self::with_sdk_language(config, "rust")
    }

    /// As [`Client::new`], naming the host language in the session's `host_env`.
    pub fn with_sdk_language(config: Config, language: &str) -> Result<Client> {
        config.validate()?;
        let exporter = config.effective_exporter()?;
        let pipeline = Pipeline::start(&config, build_exporter(&config, exporter))?;
        let engine = Box::new(Engine {
            pipeline,
            sessions: Mutex::new(Vec::new()),
        });
        let host_env = (!config.env_data_opt_out).then(|| wire::host_env(language));
        let inner = ClientInner {
            config,
            exporter,
            host_env,
            engine: AtomicPtr::new(Box::into_raw(engine)),
            next_key: AtomicU64::new(1),
            shut_down: AtomicBool::new(false),
        };
        Ok(Client {
            inner: Arc::new(inner),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn exporter(&self) -> ExporterKind {
        self.inner.exporter
    }

    /// Starts a session. Waits at most `session_start_timeout` for the backend: a refusal
    /// within it is an error (`SessionRefused`); a backend that is merely slow still gets
    /// a session back, whose events are delivered once the backend answers.
    pub fn start_session(&self, options: StartOptions) -> Result<Session> {
        if self.inner.shut_down.load(Ordering::Relaxed) {
            return Err(Error::new(ErrorKind::ShutDown, "the client is shut down"));
        }
        let id = options
            .inherited_session_id
            .unwrap_or_else(crate::id::new_id);
        let mut tags = Vec::new();
        merge_tags(&mut tags, self.inner.config.default_tags.iter().cloned());
        merge_tags(&mut tags, options.tags);
        let key = self.inner.next_key.fetch_add(1, Ordering::Relaxed);
        let shared = Arc::new(SessionShared::new(key, id));
        let session = Session::new(shared.clone(), self.inner.clone(), tags);
        let record = session.to_record();
        let caller_waits_until = Instant::now() + self.inner.config.session_start_timeout;
        let (reply, answer) = crossbeam_channel::bounded(1);
        let start = Control::Start {
            shared,
            record,
            reply,
            caller_waits_until,
        };
        if !self
            .inner
            .pipeline()
            .control(start, Some(caller_waits_until))
        {
            return Err(Error::new(
                ErrorKind::QueueFull,
                "the uploader queue is full; the session was not started",
            ));
        }
        match answer.recv_deadline(caller_waits_until) {
            Ok(Err(refused)) => return Err(refused),
            Ok(Ok(())) => {}
            Err(_) => log::debug!(
                "session {id}: the backend has not answered yet; continuing in the background"
            ),
        }
        self.inner
            .engine()
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(session.clone());
        Ok(session)
    }

    /// Open sessions, oldest first.
    pub fn sessions(&self) -> Vec<Session> {
        self.inner
            .engine()
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn get_session(&self, id: Uuid) -> Option<Session> {
        self.sessions().into_iter().find(|s| s.id() == id)
    }

    /// The one open session, for the single-session API of agentops 0.3; an error names
    /// the problem when there are none or several.
    pub fn only_session(&self) -> Result<Session> {
        // On the single-session record path: look, and clone just the one handle.
        let sessions = self
            .inner
            .engine()
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match sessions.len() {
            1 => Ok(sessions[0].clone()),
            0 => Err(Error::new(
                ErrorKind::InvalidArgument,
                "no session is running; start one first",
            )),
            n => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{n} sessions are running; use session.record(...) / session= to choose one"
                ),
            )),
        }
    }

    /// Ends every open session, waiting at most `session_end_timeout` in total.
    pub fn end_all_sessions(&self, state: EndState, reason: Option<String>) -> Vec<EndOutcome> {
        let sessions = self.sessions();
        for session in &sessions {
            let _ = session.end_within(state, reason.clone(), None);
        }
        if !sessions.is_empty() {
            self.flush(self.inner.config.session_end_timeout);
        }
        sessions
            .iter()
            .map(|s| EndOutcome {
                delivered: !s.shared().lost_events(),
                token_cost: s.token_cost(),
            })
            .collect()
    }

    /// Waits until everything recorded so far is delivered, at most `timeout`. `true` only
    /// if all of it was delivered.
    pub fn flush(&self, timeout: Duration) -> bool {
        self.inner.pipeline().flush(timeout)
    }

    /// Ends open sessions as Indeterminate ([`EXIT_REASON`]; which ones: see
    /// [`Client::auto_end_sessions`]), delivers what it can and stops the uploader, all
    /// within `timeout` even if the backend hangs. Idempotent.
    pub fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        self.shutdown_ending_sessions(timeout, EndState::Indeterminate, EXIT_REASON)
    }

    /// As [`Client::shutdown`], ending open sessions with the given state and reason (a
    /// signal handler ends them as Fail, "Signal SIGTERM detected").
    pub fn shutdown_ending_sessions(
        &self,
        timeout: Duration,
        state: EndState,
        reason: &str,
    ) -> ShutdownReport {
        let deadline = Instant::now() + timeout;
        if !self.inner.shut_down.swap(true, Ordering::AcqRel) {
            self.auto_end_sessions(state, reason, None);
        }
        self.inner
            .pipeline()
            .shutdown(deadline.saturating_duration_since(Instant::now()))
    }

    /// Ends the sessions this process owns because the process is ending (exit, a signal,
    /// an uncaught exception), then waits at most `wait` for delivery. Leaves alone what
    /// the user asked to keep (`skip_auto_end_session`) and, in a forked child, the
    /// sessions inherited from the parent (their events are still delivered). Returns how
    /// many sessions were ended.
    pub fn auto_end_sessions(
        &self,
        state: EndState,
        reason: &str,
        wait: Option<Duration>,
    ) -> usize {
        if self.inner.config.skip_auto_end_session {
            return 0;
        }
        let owned: Vec<Session> = self
            .sessions()
            .into_iter()
            .filter(|s| !s.shared().is_inherited())
            .collect();
        for session in &owned {
            let _ = session.end_within(state, Some(reason.to_owned()), None);
        }
        if let Some(wait) = wait.filter(|_| !owned.is_empty()) {
            self.flush(wait);
        }
        owned.len()
    }

    pub fn is_shut_down(&self) -> bool {
        self.inner.shut_down.load(Ordering::Relaxed)
    }

    pub fn stats(&self) -> Stats {
        self.inner.pipeline().stats()
    }

    /// Call in the child right after `fork()` (bindings wire it to `os.register_at_fork` /
    /// `pthread_atfork`). The child gets a fresh uploader thread and an empty queue; open
    /// sessions are re-adopted under their ids (with fresh credentials) and keep
    /// recording. The inherited thread, channel and locks are never touched: the parent's
    /// events stay the parent's. Must run while the child is single-threaded.
    pub fn after_fork_in_child(&self) -> Result<()> {
        let old = self.inner.engine();
        // A lock held by a thread that does not exist in the child stays held forever.
        let inherited = match old.sessions.try_lock() {
            Ok(sessions) => sessions.clone(),
            Err(_) => {
                log::warn!(
                    "after fork: the session list was busy; open sessions are not carried into the child"
                );
                Vec::new()
            }
        };
        crate::id::resalt_after_fork();
        let exporter = build_exporter(&self.inner.config, self.inner.exporter);
        let pipeline = Pipeline::start(&self.inner.config, exporter)?;
        for session in &inherited {
            session.shared().adopt_after_fork();
            pipeline.control(
                Control::Adopt {
                    shared: session.shared().clone(),
                },
                None,
            );
        }
        let engine = Box::new(Engine {
            pipeline,
            sessions: Mutex::new(inherited),
        });
        // The old engine is leaked on purpose: its thread does not exist here and its
        // channel's locks may be held forever; dropping or joining it could hang the child.
        self.inner
            .engine
            .store(Box::into_raw(engine), Ordering::Release);
        Ok(())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let timeout = self.inner.config.shutdown_timeout;
        self.shutdown(timeout);
    }
}
