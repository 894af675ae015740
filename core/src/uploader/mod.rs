//! The batching uploader: one named worker thread per client, fed by a bounded lock-free
//! crossbeam channel.
//!
//! The caller's hot path is `submit`: reserve room in atomic counters, `try_send` a boxed
//! event, done — no network I/O, no lock shared with the worker, never blocking. Control
//! messages (session start/end, flush, shutdown) travel through the same FIFO channel so
//! they are ordered with the events a thread recorded before them.

mod retry;
mod session_queue;
pub mod stats;
mod worker;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use uuid::Uuid;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::export::Exporter;
use crate::session::SessionShared;
use crate::wire::SessionRecord;
use stats::Counters;
pub use stats::{DropReason, Stats};

/// Room in the channel beyond the event bound, for control messages.
const CONTROL_SLACK: usize = 1024;
/// At most this much of a shutdown's time is kept for the worker to report back.
const REPORT_MARGIN: Duration = Duration::from_millis(200);

/// What `shutdown` achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Everything recorded before the shutdown was delivered.
    pub completed: bool,
    /// Events that were still undelivered at the deadline.
    pub left: u64,
    pub stats: Stats,
}

/// What ending a session achieved within its bound.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EndOutcome {
    /// The session's events and its final update reached the backend in time.
    pub delivered: bool,
    /// Token cost reported by the backend's answer to the final update.
    pub token_cost: Option<f64>,
}

pub(crate) type StartReply = Result<()>;

pub(crate) enum Message {
    Event {
        session: u64,
        bytes: u32,
        event: Box<Event>,
    },
    Control(Box<Control>),
}

pub(crate) enum Control {
    /// Create the session at the backend; `reply` answers once it is known (or refused).
    Start {
        shared: Arc<SessionShared>,
        record: SessionRecord,
        reply: Sender<StartReply>,
        caller_waits_until: Instant,
    },
    /// A forked child takes over a session it inherited: fresh credentials, same id.
    Adopt {
        shared: Arc<SessionShared>,
    },
    CreateAgent {
        session: u64,
        agent_id: Uuid,
        name: String,
    },
    Update {
        session: u64,
        record: SessionRecord,
    },
    End {
        session: u64,
        record: SessionRecord,
        reply: Option<Sender<EndOutcome>>,
    },
    Flush {
        deadline: Instant,
        reply: Sender<bool>,
    },
    Shutdown {
        deadline: Instant,
        reply: Sender<ShutdownReport>,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_events: u64,
    pub max_bytes: u64,
}

pub(crate) struct Pipeline {
    tx: Sender<Message>,
    counters: Arc<Counters>,
    limits: Limits,
    closed: AtomicBool,
    worker: Mutex<Option<JoinHandle<()>>>,
    report: Mutex<Option<ShutdownReport>>,
}

impl Pipeline {
    pub fn start(config: &Config, exporter: Box<dyn Exporter>) -> Result<Pipeline> {
        let (tx, rx): (Sender<Message>, Receiver<Message>) =
            bounded(config.max_buffered_events + CONTROL_SLACK);
        let counters = Arc::new(Counters::default());
        let worker = worker::Worker::new(config, exporter, rx, counters.clone());
        let handle = std::thread::Builder::new()
            .name("agentops-uploader".into())
            .spawn(move || worker.run())
            .map_err(|e| {
                Error::new(
                    ErrorKind::Io,
                    format!("could not start the uploader thread: {e}"),
                )
            })?;
        Ok(Pipeline {
            tx,
            counters,
            limits: Limits {
                max_events: config.max_buffered_events as u64,
                max_bytes: config.max_buffered_bytes as u64,
            },
            closed: AtomicBool::new(false),
            worker: Mutex::new(Some(handle)),
            report: Mutex::new(None),
        })
    }

    /// The hot path. Never blocks; on a full buffer the event is dropped and counted.
    #[inline]
    pub fn submit(&self, session: u64, event: Event) -> Result<(), ErrorKind> {
        let bytes = (event.estimated_size() as u64).min(u32::MAX as u64);
        if self.closed.load(Ordering::Relaxed) {
            self.counters.drop_events(DropReason::AfterShutdown, 1);
            return Err(ErrorKind::ShutDown);
        }
        if !self
            .counters
            .try_reserve(bytes, self.limits.max_events, self.limits.max_bytes)
        {
            self.counters.drop_events(DropReason::QueueFull, 1);
            return Err(ErrorKind::QueueFull);
        }
        let message = Message::Event {
            session,
            bytes: bytes as u32,
            event: Box::new(event),
        };
        match self.tx.try_send(message) {
            Ok(()) => Ok(()),
            Err(err) => {
                self.counters.release(1, bytes);
                let (reason, kind) = match err {
                    TrySendError::Full(_) => (DropReason::QueueFull, ErrorKind::QueueFull),
                    TrySendError::Disconnected(_) => {
                        (DropReason::AfterShutdown, ErrorKind::ShutDown)
                    }
                };
                self.counters.drop_events(reason, 1);
                Err(kind)
            }
        }
    }

    /// Sends a control message, waiting for room at most until `deadline` (`None`: not at all).
    pub fn control(&self, control: Control, deadline: Option<Instant>) -> bool {
        let message = Message::Control(Box::new(control));
        let sent = match deadline {
            Some(deadline) => self.tx.send_deadline(message, deadline).is_ok(),
            None => self.tx.try_send(message).is_ok(),
        };
        if !sent {
            log::warn!(
                "the uploader queue is full or closed; a session update could not be queued"
            );
        }
        sent
    }

    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    /// Waits until everything recorded before the call is delivered, at most `timeout`.
    /// `true` only if all of it was delivered (none dropped).
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let (reply, answer) = bounded(1);
        if !self.control(Control::Flush { deadline, reply }, Some(deadline)) {
            return false;
        }
        answer.recv_deadline(deadline).unwrap_or(false)
    }

    /// Delivers what it can before `timeout`, then stops the worker. Never exceeds the
    /// deadline: a worker stuck on a hung backend is left behind (not joined).
    pub fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        let mut report_slot = self.report.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(report) = *report_slot {
            return report;
        }
        let deadline = Instant::now() + timeout;
        // The worker stops a little earlier than the caller so its report (not a guess
        // from the counters) is what the caller gets back.
        let worker_deadline = deadline - (timeout / 10).min(REPORT_MARGIN);
        self.closed.store(true, Ordering::Relaxed);
        let (reply, answer) = bounded(1);
        let report = if self.control(
            Control::Shutdown {
                deadline: worker_deadline,
                reply,
            },
            Some(deadline),
        ) {
            answer.recv_deadline(deadline).ok()
        } else {
            None
        };
        let report = match report {
            Some(report) => {
                if let Some(handle) = self.worker.lock().unwrap_or_else(|e| e.into_inner()).take() {
                    // The worker answered as its last act; joining is immediate.
                    let _ = handle.join();
                }
                report
            }
            None => {
                let stats = self.stats();
                log::warn!(
                    "shutdown deadline reached with {} events undelivered",
                    stats.queued
                );
                ShutdownReport {
                    completed: false,
                    left: stats.queued,
                    stats,
                }
            }
        };
        *report_slot = Some(report);
        report
    }
}
