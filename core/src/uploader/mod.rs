//! The batching uploader: one named worker thread per client, fed by a bounded lock-free
//! crossbeam channel.
//!
//! The caller's hot path is [`Uploader::submit`]: reserve room in atomic counters,
//! `try_send` a boxed event, done — no network I/O, no lock shared with the worker, never
//! blocking. Session changes travel through the same FIFO channel, so they are ordered
//! with the events a thread recorded before them. What the worker learns about a session
//! (accepted, refused, its cost) it writes into the session's [`SessionState`].

mod pipeline;
mod protocol;
mod retry;
mod session_queue;
mod state;
pub mod stats;
mod waiter;
mod wake;
mod worker;

use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, bounded};
use uuid::Uuid;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::event::{EncodedEvent, Event};
use crate::export::{Exporter, SessionRecord};
use pipeline::Pipeline;
use protocol::Control;
pub use state::{SessionState, SessionStatus};
pub use stats::{DropReason, Stats};
pub use waiter::{Wait, Waiter};

/// What `shutdown` achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Everything recorded before the shutdown was delivered.
    pub completed: bool,
    /// Events recorded before the shutdown that it could not deliver: dropped during it,
    /// or still undelivered at its deadline. Each is also counted under a drop reason.
    pub left: u64,
    pub stats: Stats,
}

/// What ending a session achieved within its bound.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EndDelivery {
    /// The session's events and its final update reached the backend in time.
    pub delivered: bool,
    /// Token cost reported by the backend's answer to the final update.
    pub token_cost: Option<f64>,
}

pub struct Uploader {
    /// Replaced only in a forked child (single-threaded then); replaced pipelines are
    /// leaked on purpose, so a reference handed out stays valid.
    pipeline: AtomicPtr<Pipeline>,
    next_key: AtomicU64,
    config: Config,
}

impl Uploader {
    /// Starts the worker thread.
    pub fn start(config: &Config, exporter: Box<dyn Exporter>) -> Result<Uploader> {
        let pipeline = Box::new(Pipeline::start(config, exporter)?);
        Ok(Uploader {
            pipeline: AtomicPtr::new(Box::into_raw(pipeline)),
            next_key: AtomicU64::new(1),
            config: config.clone(),
        })
    }

    fn pipeline(&self) -> &Pipeline {
        // SAFETY: the pointer comes from Box::into_raw, is never null, and is freed only
        // in Drop (when no reference can be alive); replaced pipelines are leaked.
        unsafe { &*self.pipeline.load(Ordering::Acquire) }
    }

    /// Creates the session at the backend, waiting at most until `caller_waits_until` for
    /// its answer: a refusal within it is an error (`SessionRefused`, with the HTTP
    /// status); a backend that is merely slow still gets a session, whose events are
    /// delivered once it answers.
    pub fn start_session(
        &self,
        id: Uuid,
        record: SessionRecord,
        caller_waits_until: Instant,
    ) -> Result<Arc<SessionState>> {
        let pipeline = self.pipeline();
        if pipeline.is_closed() {
            return Err(Error::new(ErrorKind::ShutDown, "the client is shut down"));
        }
        let state = Arc::new(SessionState::new(
            self.next_key.fetch_add(1, Ordering::Relaxed),
            id,
        ));
        let (reply, answer) = bounded(1);
        let start = Control::Start {
            state: state.clone(),
            record,
            reply,
            caller_waits_until,
        };
        if !pipeline.control(start, Some(caller_waits_until)) {
            return Err(Error::new(
                ErrorKind::QueueFull,
                "the uploader queue is full; the session was not started",
            ));
        }
        match answer.recv_deadline(caller_waits_until) {
            Ok(answer) => answer.map(|()| state),
            Err(RecvTimeoutError::Timeout) => {
                log::debug!(
                    "session {id}: the backend has not answered yet; continuing in the background"
                );
                Ok(state)
            }
            Err(RecvTimeoutError::Disconnected) => Err(self.stopped_error()),
        }
    }

    fn stopped_error(&self) -> Error {
        match self.pipeline().has_failed() {
            true => Error::new(ErrorKind::UploaderFailed, "the uploader thread failed"),
            false => Error::new(
                ErrorKind::ShutDown,
                "the uploader stopped before the backend answered",
            ),
        }
    }

    /// Records an event of `session`. Never blocks and never does I/O; an event that
    /// cannot be taken (full buffer, shut down) is dropped, counted, and reported.
    #[inline]
    pub fn submit(&self, session: &SessionState, event: Box<Event>) -> Result<()> {
        self.pipeline().submit(session.key, event)
    }

    /// As [`Uploader::submit`], for an event still as text: the worker decodes it.
    #[inline]
    pub fn submit_encoded(&self, session: &SessionState, event: EncodedEvent) -> Result<()> {
        self.pipeline().submit_encoded(session.key, event)
    }

    /// The longest event text [`Uploader::submit_encoded`] takes.
    pub fn max_encoded_len(&self) -> usize {
        self.pipeline().max_encoded_len()
    }

    /// Sends the session's changed tags (or video) to the backend.
    pub fn update_session(&self, session: &SessionState, record: SessionRecord) {
        let update = Control::Update {
            session: session.key,
            record,
        };
        self.pipeline().control(update, None);
    }

    /// Registers an agent; it is created at the backend before any event submitted after
    /// this call.
    pub fn create_agent(&self, session: &SessionState, agent_id: Uuid, name: String) {
        let create = Control::CreateAgent {
            session: session.key,
            agent_id,
            name,
        };
        self.pipeline().control(create, None);
    }

    /// Sends the session's pending events, then its final update; the waiter answers
    /// whether that was delivered within `wait` (`None`: queues the end, answers at once).
    pub fn end_session(
        &self,
        session: &SessionState,
        record: SessionRecord,
        wait: Option<Duration>,
    ) -> Waiter<EndDelivery> {
        let pipeline = self.pipeline();
        let key = session.key;
        let Some(wait) = wait else {
            let deadline = Instant::now() + self.config.session_end_timeout;
            let end = Control::End {
                session: key,
                record,
                reply: None,
            };
            pipeline.control(end, Some(deadline));
            return Waiter::new(None, Instant::now(), EndDelivery::default());
        };
        let deadline = Instant::now() + wait;
        let (reply, answer) = bounded(1);
        let end = Control::End {
            session: key,
            record,
            reply: Some(reply),
        };
        let sent = pipeline.control(end, Some(deadline));
        Waiter::new(sent.then_some(answer), deadline, EndDelivery::default())
    }

    /// Waits until everything submitted so far is delivered, at most `timeout`. `true`
    /// only if all of it was delivered.
    pub fn flush(&self, timeout: Duration) -> bool {
        self.flush_waiter(timeout).wait()
    }

    /// As [`Uploader::flush`], to be waited for in slices.
    pub fn flush_waiter(&self, timeout: Duration) -> Waiter<bool> {
        self.pipeline().flush(timeout)
    }

    /// Counts (and refuses) an event recorded after the shutdown.
    pub fn refuse_after_shutdown(&self) -> Error {
        self.pipeline().refuse(DropReason::AfterShutdown)
    }

    /// Delivers what it can within `timeout`, then stops the worker. Idempotent; never
    /// exceeds the deadline, even with a hung backend.
    pub fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        self.pipeline().shutdown(timeout)
    }

    pub fn is_shut_down(&self) -> bool {
        self.pipeline().is_closed()
    }

    /// The bound on one payload or text field (`max_field_bytes`).
    pub fn max_field_bytes(&self) -> usize {
        self.pipeline().max_field_bytes()
    }

    pub fn stats(&self) -> Stats {
        self.pipeline().stats()
    }

    /// In a forked child (single-threaded): a fresh worker and an empty queue. `adopt`
    /// are the sessions the child keeps recording into: the worker takes them over
    /// under their ids with fresh credentials. The inherited pipeline is never touched
    /// (its thread does not exist here, its locks may be held forever) and is leaked.
    pub fn after_fork_in_child(
        &self,
        exporter: Box<dyn Exporter>,
        adopt: &[Arc<SessionState>],
    ) -> Result<()> {
        let pipeline = Box::new(Pipeline::start(&self.config, exporter)?);
        for state in adopt {
            state.set_status(SessionStatus::Starting);
            pipeline.control(
                Control::Adopt {
                    state: state.clone(),
                },
                None,
            );
        }
        self.pipeline
            .store(Box::into_raw(pipeline), Ordering::Release);
        Ok(())
    }
}

impl Drop for Uploader {
    fn drop(&mut self) {
        self.shutdown(self.config.shutdown_timeout);
        let pipeline = self.pipeline.swap(std::ptr::null_mut(), Ordering::AcqRel);
        if !pipeline.is_null() {
            // SAFETY: see `pipeline()`; this is the last reference.
            drop(unsafe { Box::from_raw(pipeline) });
        }
    }
}
