//! The client: the configuration, the exporter it chose, and the sessions recording
//! through one uploader. Reconfiguring replaces the latter two as a whole.
//! `shutdown.rs`: the shutdown sequence.

mod shutdown;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use uuid::Uuid;

use crate::config::{Config, ExporterKind};
use crate::error::{Error, ErrorKind, Result};
use crate::event::EndState;
use crate::export::agentops_v2::wire;
use crate::export::{AgentOpsV2Exporter, Exporter, FileExporter, OtlpExporter};
use crate::session::{EXIT_REASON, EndAllWaiter, EndReport, Session, Sessions, StartOptions};
use crate::uploader::{ShutdownReport, Stats, Wait, Waiter};
pub use shutdown::ShutdownWaiter;

/// One configuration and what runs for it.
struct Engine {
    config: Arc<Config>,
    /// `None` for an exporter given by the caller ([`Client::with_exporter`]).
    exporter: Option<ExporterKind>,
    sessions: Arc<Sessions>,
}

/// Records sessions of events and ships them through one background uploader.
/// Dropping it shuts down with `Config::shutdown_timeout`.
pub struct Client {
    engine: Mutex<Arc<Engine>>,
    language: &'static str,
    shut_down: AtomicBool,
}

fn build_exporter(config: &Config, kind: ExporterKind, language: &str) -> Box<dyn Exporter> {
    let host_env = (!config.env_data_opt_out).then(|| wire::host_env(language));
    match kind {
        ExporterKind::AgentOps => Box::new(AgentOpsV2Exporter::new(
            config.endpoint_base(),
            config.api_key.clone().unwrap_or_default().trim().to_owned(),
            config.parent_key.clone().map(|k| k.trim().to_owned()),
            host_env,
        )),
        ExporterKind::File => Box::new(FileExporter::new(config.export_dir.clone(), host_env)),
        ExporterKind::Otlp => Box::new(OtlpExporter::new(config, language)),
    }
}

impl Engine {
    fn start(config: Config, language: &str) -> Result<Engine> {
        config.validate()?;
        let kind = config.effective_exporter()?;
        let exporter = build_exporter(&config, kind, language);
        let sessions = Arc::new(Sessions::new(&config, kind, exporter)?);
        Ok(Engine {
            config: Arc::new(config),
            exporter: Some(kind),
            sessions,
        })
    }
}

impl Client {
    /// Validates the configuration and starts the uploader thread. With no API key and no
    /// explicit exporter this fails with `MissingApiKey` and starts nothing.
    pub fn new(config: Config) -> Result<Client> {
        Self::with_sdk_language(config, "rust")
    }

    /// As [`Client::new`], naming the host language in the session's host environment.
    pub fn with_sdk_language(config: Config, language: &'static str) -> Result<Client> {
        Ok(Self::from_engine(
            Engine::start(config, language)?,
            language,
        ))
    }

    /// A client exporting through `exporter` (any protocol), with `config`'s batching,
    /// retry and timeout settings.
    pub fn with_exporter(config: Config, exporter: Box<dyn Exporter>) -> Result<Client> {
        config.validate_bounds()?;
        let engine = Engine {
            sessions: Arc::new(Sessions::new(&config, ExporterKind::AgentOps, exporter)?),
            config: Arc::new(config),
            exporter: None,
        };
        Ok(Self::from_engine(engine, "rust"))
    }

    fn from_engine(engine: Engine, language: &'static str) -> Client {
        Client {
            engine: Mutex::new(Arc::new(engine)),
            language,
            shut_down: AtomicBool::new(false),
        }
    }

    fn engine(&self) -> Arc<Engine> {
        self.engine
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn sessions_now(&self) -> Arc<Sessions> {
        self.engine().sessions.clone()
    }

    pub fn config(&self) -> Arc<Config> {
        self.engine().config.clone()
    }

    /// The exporter in use; `None` for one given to [`Client::with_exporter`].
    pub fn exporter(&self) -> Option<ExporterKind> {
        self.engine().exporter
    }

    /// Applies a new configuration (agentops 0.3's `configure` after `init`). What only
    /// future sessions use (default tags, start/end timeouts, the 0.3 switches) applies
    /// at once. Anything else restarts the uploader, which is refused while a session is
    /// open; the old uploader delivers what it still holds within its `shutdown_timeout`.
    /// Agents waiting for the next session stay queued.
    pub fn reconfigure(&self, config: Config) -> Result<()> {
        if self.is_shut_down() {
            return Err(Error::new(ErrorKind::ShutDown, "the client is shut down"));
        }
        config.validate()?;
        let current = self.engine();
        if only_session_settings_differ(&current.config, &config) {
            if let Some(kind) = current.exporter {
                current.sessions.update_settings(&config, kind);
            }
            self.replace_engine(Engine {
                config: Arc::new(config),
                exporter: current.exporter,
                sessions: current.sessions.clone(),
            });
            return Ok(());
        }
        if current.sessions.count() > 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "cannot configure while a session is running; end all sessions first",
            ));
        }
        let old = self.replace_engine(Engine::start(config, self.language)?);
        old.sessions.carry_pending_agents_to(&self.sessions_now());
        old.sessions.shutdown(old.config.shutdown_timeout);
        Ok(())
    }

    fn replace_engine(&self, engine: Engine) -> Arc<Engine> {
        let mut current = self.engine.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::replace(&mut *current, Arc::new(engine))
    }

    /// Starts a session. Waits at most `session_start_timeout` for the backend: a refusal
    /// within it is an error (`SessionRefused`); a backend that is merely slow still gets
    /// a session back, whose events are delivered once the backend answers.
    pub fn start_session(&self, options: StartOptions) -> Result<Session> {
        if self.is_shut_down() {
            return Err(Error::new(ErrorKind::ShutDown, "the client is shut down"));
        }
        self.sessions_now().start(options)
    }

    /// Open sessions, oldest first.
    pub fn sessions(&self) -> Vec<Session> {
        self.sessions_now().list()
    }

    pub fn session_count(&self) -> usize {
        self.sessions_now().count()
    }

    pub fn get_session(&self, id: Uuid) -> Option<Session> {
        self.sessions_now().get(id)
    }

    /// The session the single-session `record()` (agentops 0.3's `agentops.record`)
    /// records into: the only open one. After the shutdown (the process is exiting) the
    /// event has nowhere to go: it is counted as dropped (`after_shutdown`, the first one
    /// logged) and this is a `ShutDown` error.
    pub fn session_for_record(&self) -> Result<Session> {
        if self.is_shut_down() {
            return Err(self.sessions_now().uploader().refuse_after_shutdown());
        }
        self.only_session()
    }

    /// As [`Client::session_for_record`] for a `record()` that never raises: `None` after
    /// logging why there is no session (none or several open: a warning; after the shutdown:
    /// nothing more, the drop was counted and logged).
    pub fn session_for_record_or_log(&self) -> Option<Session> {
        match self.session_for_record() {
            Ok(session) => Some(session),
            Err(err) if err.kind() == ErrorKind::ShutDown => None,
            Err(err) => {
                log::warn!("Could not record event - {}", err.message());
                None
            }
        }
    }

    /// The one open session, for the single-session API of agentops 0.3; an error names
    /// the problem when there are none or several.
    pub fn only_session(&self) -> Result<Session> {
        // The record path of the single-session API: no Arc clone of the engine.
        let engine = self.engine.lock().unwrap_or_else(|e| e.into_inner());
        engine.sessions.only()
    }

    /// Registers an agent with the only open session; with none or several open, with the
    /// next session started. Returns the agent id (generated unless given).
    pub fn create_agent(&self, name: &str, agent_id: Option<Uuid>) -> Uuid {
        self.sessions_now().create_agent(name, agent_id)
    }

    /// Ends every open session, waiting at most `session_end_timeout` in total.
    pub fn end_all_sessions(&self, state: EndState, reason: Option<String>) -> Vec<EndReport> {
        self.end_all_sessions_waiter(state, reason).wait()
    }

    /// As [`Client::end_all_sessions`], to be waited for in slices.
    pub fn end_all_sessions_waiter(&self, state: EndState, reason: Option<String>) -> EndAllWaiter {
        let engine = self.engine();
        engine
            .sessions
            .end_all(state, reason, engine.config.session_end_timeout)
    }

    /// Waits until everything recorded so far is delivered, at most `timeout`. `true` only
    /// if all of it was delivered.
    pub fn flush(&self, timeout: Duration) -> bool {
        self.flush_waiter(timeout).wait()
    }

    /// As [`Client::flush`], to be waited for in slices.
    pub fn flush_waiter(&self, timeout: Duration) -> Waiter<bool> {
        self.sessions_now().uploader().flush_waiter(timeout)
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
        self.shutdown_waiter(timeout, state, reason).wait()
    }

    /// As [`Client::shutdown_ending_sessions`], to be waited for in slices: the sessions
    /// are ended at once, the waiter delivers and stops the uploader within `timeout`.
    pub fn shutdown_waiter(
        &self,
        timeout: Duration,
        state: EndState,
        reason: &str,
    ) -> ShutdownWaiter {
        let engine = self.engine();
        if !self.shut_down.swap(true, Ordering::AcqRel) {
            engine.sessions.auto_end(state, reason, None);
        }
        ShutdownWaiter::start(engine, timeout)
    }

    /// Ends the sessions this process owns because the process is ending (exit, a signal,
    /// an uncaught exception), then waits at most `wait` for delivery. Leaves alone what
    /// the user asked to keep (`skip_auto_end_session`) and, in a forked child, the
    /// sessions inherited from the parent. Returns how many sessions were ended.
    pub fn auto_end_sessions(
        &self,
        state: EndState,
        reason: &str,
        wait: Option<Duration>,
    ) -> usize {
        self.sessions_now().auto_end(state, reason, wait)
    }

    /// As [`Client::auto_end_sessions`], returning at once: how many ended, and a wait for
    /// their delivery (at most `timeout`; answered at once when none ended) that a binding
    /// may take in slices or on another thread.
    pub fn auto_end_sessions_waiter(
        &self,
        state: EndState,
        reason: &str,
        timeout: Duration,
    ) -> (usize, Waiter<bool>) {
        let ended = self.auto_end_sessions(state, reason, None);
        let delivery = match ended {
            0 => Waiter::new(None, std::time::Instant::now(), true),
            _ => self.flush_waiter(timeout),
        };
        (ended, delivery)
    }

    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Relaxed)
    }

    pub fn stats(&self) -> Stats {
        self.sessions_now().stats()
    }

    /// Call in the child right after `fork()` (bindings wire it to `os.register_at_fork` /
    /// `pthread_atfork`). The child gets a fresh uploader thread and an empty queue; open
    /// sessions are re-adopted under their ids (with fresh credentials) and keep
    /// recording. The inherited thread, channel and locks are never touched: the parent's
    /// events stay the parent's. Must run while the child is single-threaded.
    pub fn after_fork_in_child(&self) -> Result<()> {
        // A lock held by a thread that does not exist in the child stays held forever.
        let engine = match self.engine.try_lock() {
            Ok(engine) => engine.clone(),
            Err(_) => {
                return Err(Error::new(
                    ErrorKind::Io,
                    "after fork: the client was busy; not carried into the child",
                ));
            }
        };
        let Some(kind) = engine.exporter else {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a caller-given exporter cannot be re-created in a forked child",
            ));
        };
        crate::event::id::resalt_after_fork();
        let exporter = build_exporter(&engine.config, kind, self.language);
        engine.sessions.after_fork_in_child(exporter)
    }
}

/// Whether `new` differs from `old` only in what sessions read when they start or end.
fn only_session_settings_differ(old: &Config, new: &Config) -> bool {
    let mut adjusted = old.clone();
    adjusted.default_tags = new.default_tags.clone();
    adjusted.auto_start_session = new.auto_start_session;
    adjusted.skip_auto_end_session = new.skip_auto_end_session;
    adjusted.instrument_llm_calls = new.instrument_llm_calls;
    adjusted.session_start_timeout = new.session_start_timeout;
    adjusted.session_end_timeout = new.session_end_timeout;
    adjusted == *new
}

impl Drop for Client {
    fn drop(&mut self) {
        let timeout = self.engine().config.shutdown_timeout;
        self.shutdown(timeout);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_whose_session_stays_open_is_freed_when_dropped() {
        let dir = std::env::temp_dir().join(format!("agentops-weak-{}", std::process::id()));
        let config = Config {
            exporter: Some(ExporterKind::File),
            export_dir: dir.clone(),
            skip_auto_end_session: true,
            ..Config::default()
        };
        let client = Client::new(config).unwrap();
        let session = client.start_session(StartOptions::default()).unwrap();
        let weak = Arc::downgrade(&client.sessions_now());
        drop(session);
        drop(client);
        assert!(
            weak.upgrade().is_none(),
            "the sessions (and their uploader) were freed"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_client_whose_sessions_a_forked_child_inherited_is_freed_when_dropped() {
        let dir = std::env::temp_dir().join(format!("agentops-weak-fork-{}", std::process::id()));
        let config = Config {
            exporter: Some(ExporterKind::File),
            export_dir: dir.clone(),
            ..Config::default()
        };
        let client = Client::new(config).unwrap();
        let session = client.start_session(StartOptions::default()).unwrap();
        // As in a child: the sessions become inherited, so shutting down leaves them open.
        client.after_fork_in_child().unwrap();
        assert!(session.is_inherited());
        let weak = Arc::downgrade(&client.sessions_now());
        drop(client);
        assert!(
            session.is_running(),
            "an inherited session is not ended by the child"
        );
        drop(session);
        assert!(weak.upgrade().is_none());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn recording_after_the_shutdown_is_a_shut_down_error_counted_as_after_shutdown() {
        let dir = std::env::temp_dir().join(format!("agentops-after-{}", std::process::id()));
        let config = Config {
            exporter: Some(ExporterKind::File),
            export_dir: dir.clone(),
            ..Config::default()
        };
        let client = Client::new(config).unwrap();
        client.start_session(StartOptions::default()).unwrap();
        assert!(client.session_for_record().is_ok());
        client.shutdown(Duration::from_secs(5));
        for _ in 0..2 {
            let err = client.session_for_record().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ShutDown);
        }
        let stats = client.stats();
        assert_eq!(stats.dropped(crate::DropReason::AfterShutdown), 2);
        let _ = std::fs::remove_dir_all(dir);
    }
}
