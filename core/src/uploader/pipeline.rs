//! One running pipeline: the bounded channel, the counters and the worker thread, with
//! the caller-side mechanics of submitting, sending control messages, flushing and
//! shutting down. A forked child replaces the whole pipeline (see `Uploader`).

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, TrySendError, bounded};

use super::protocol::{Control, Message, Pending};
use super::stats::{Counters, DropReason, Reservation, Stats};
use super::wake::Wake;
use super::worker::{Shared, Worker};
use super::{ShutdownReport, Waiter};
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::event::{EncodedEvent, Event};
use crate::export::Exporter;

/// Room in the channel beyond the event bound, for control messages.
const CONTROL_SLACK: usize = 1024;
/// At most this much of a shutdown's time is kept for the worker to report back.
const REPORT_MARGIN: Duration = Duration::from_millis(200);

pub(super) struct Pipeline {
    tx: Sender<Message>,
    shared: Arc<Shared>,
    max_events: u64,
    max_bytes: u64,
    max_field_bytes: usize,
    closed: AtomicBool,
    worker: Mutex<Option<JoinHandle<()>>>,
    /// The shutdown's result, once it ran (later calls return it).
    report: Mutex<Option<ShutdownReport>>,
}

impl Pipeline {
    pub fn start(config: &Config, exporter: Box<dyn Exporter>) -> Result<Pipeline> {
        let (tx, rx) = bounded(config.max_buffered_events + CONTROL_SLACK);
        let shared = Arc::new(Shared {
            counters: Counters::default(),
            wake: Wake::new(),
            failed: AtomicBool::new(false),
        });
        let worker = Worker::new(config, exporter, rx, shared.clone());
        let handle = std::thread::Builder::new()
            .name("agentops-uploader".into())
            .spawn(move || worker.run())
            .map_err(|e| {
                Error::new(
                    ErrorKind::Io,
                    format!("could not start the uploader thread: {e}"),
                )
            })?;
        shared.wake.set_worker(handle.thread().clone());
        Ok(Pipeline {
            tx,
            shared,
            max_events: config.max_buffered_events as u64,
            max_bytes: config.max_buffered_bytes as u64,
            max_field_bytes: config.max_field_bytes,
            closed: AtomicBool::new(false),
            worker: Mutex::new(Some(handle)),
            report: Mutex::new(None),
        })
    }

    fn counters(&self) -> &Counters {
        &self.shared.counters
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Relaxed)
    }

    pub fn has_failed(&self) -> bool {
        self.shared.failed.load(Relaxed)
    }

    /// The hot path. Never blocks; an event that cannot be taken is dropped and counted.
    #[inline]
    pub fn max_field_bytes(&self) -> usize {
        self.max_field_bytes
    }

    pub fn submit(&self, session: u64, mut event: Box<Event>) -> Result<()> {
        self.check_open()?;
        let mut bytes = event.estimated_size() as u64;
        if bytes > self.max_bytes.min(self.max_field_bytes as u64) {
            bytes = self.fit(&mut event)?;
        } else if event.truncated.fields > 0 {
            self.counters().count_cut(event.truncated);
        }
        self.enqueue(session, Pending::Ready(event), bytes)
    }

    /// The hot path for an event still as text: no larger than `max_encoded_len`, so none
    /// of its fields needs cutting.
    pub fn submit_encoded(&self, session: u64, event: EncodedEvent) -> Result<()> {
        self.check_open()?;
        let bytes = event.estimated_size() as u64;
        self.enqueue(session, Pending::Encoded(Box::new(event)), bytes)
    }

    /// The longest event text [`Pipeline::submit_encoded`] takes.
    pub fn max_encoded_len(&self) -> usize {
        self.max_field_bytes.min(self.max_bytes as usize)
    }

    fn check_open(&self) -> Result<()> {
        if self.has_failed() {
            return Err(self.refuse(DropReason::UploaderFailed));
        }
        if self.is_closed() {
            return Err(self.refuse(DropReason::AfterShutdown));
        }
        Ok(())
    }

    /// Reserves room for the event and hands it to the worker; never blocks.
    fn enqueue(&self, session: u64, event: Pending, bytes: u64) -> Result<()> {
        let queued = match self
            .counters()
            .try_reserve(bytes, self.max_events, self.max_bytes)
        {
            Reservation::Reserved { queued } => queued,
            Reservation::Full => return Err(self.refuse(DropReason::QueueFull)),
            Reservation::Abandoned => return Err(self.refuse(DropReason::AfterShutdown)),
        };
        let message = Message::Event {
            session,
            bytes: bytes as u32,
            event,
        };
        match self.tx.try_send(message) {
            Ok(()) => {
                self.shared.wake.after_event(queued);
                Ok(())
            }
            Err(err) => {
                let reason = match err {
                    TrySendError::Full(_) => DropReason::QueueFull,
                    TrySendError::Disconnected(_) if self.has_failed() => {
                        DropReason::UploaderFailed
                    }
                    TrySendError::Disconnected(_) => DropReason::AfterShutdown,
                };
                self.counters().settle_dropped(reason, 1, bytes);
                Err(refusal(reason))
            }
        }
    }

    /// Cuts an event's fields to `max_field_bytes`, and to fit the buffer on its own; its
    /// size afterwards. An event that still cannot fit is dropped and counted.
    #[cold]
    fn fit(&self, event: &mut Event) -> Result<u64> {
        // The fields an exchange becomes are cut like any others: read it now.
        event.settle_exchange();
        let mut cut = event.fit(self.max_field_bytes, self.max_bytes as usize);
        cut.add(event.truncated);
        self.counters().count_cut(cut);
        let bytes = event.estimated_size() as u64;
        if bytes > self.max_bytes {
            return Err(self.refuse(DropReason::EventTooLarge));
        }
        Ok(bytes)
    }

    pub fn refuse(&self, reason: DropReason) -> Error {
        self.counters().count_drop(reason, 1);
        refusal(reason)
    }

    /// Sends a control message, waiting for room at most until `deadline` (`None`: not at all).
    pub fn control(&self, control: Control, deadline: Option<Instant>) -> bool {
        let message = Message::Control(Box::new(control));
        let sent = match deadline {
            Some(deadline) => self.tx.send_deadline(message, deadline).is_ok(),
            None => self.tx.try_send(message).is_ok(),
        };
        if sent {
            self.shared.wake.wake_now();
        } else {
            log::warn!(
                "the uploader queue is full or closed; a session update could not be queued"
            );
        }
        sent
    }

    pub fn stats(&self) -> Stats {
        self.counters().snapshot()
    }

    /// Asks for everything recorded before the call to be delivered within `timeout`; the
    /// waiter answers `true` only if all of it was (none dropped).
    pub fn flush(&self, timeout: Duration) -> Waiter<bool> {
        let deadline = Instant::now() + timeout;
        if self.is_closed() {
            // Shut down: nothing more will be delivered; all of it was, or it was counted.
            return Waiter::new(None, deadline, self.stats().queued == 0);
        }
        let (reply, answer) = bounded(1);
        let sent = self.control(Control::Flush { deadline, reply }, Some(deadline));
        Waiter::new(sent.then_some(answer), deadline, false)
    }

    /// Delivers what it can before `timeout`, then stops the worker. Never exceeds the
    /// deadline: a worker stuck on a hung backend is left behind (not joined), and what it
    /// still holds is counted as dropped (`shutdown_deadline`) right here.
    pub fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        let mut report_slot = self.report.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(report) = *report_slot {
            return report;
        }
        let deadline = Instant::now() + timeout;
        // The worker stops a little earlier than the caller so its answer arrives in time.
        let worker_deadline = deadline - (timeout / 10).min(REPORT_MARGIN);
        self.closed.store(true, Relaxed);
        let lost_before = self.stats().dropped_after_acceptance();
        let (reply, answer) = bounded(1);
        let shutdown = Control::Shutdown {
            deadline: worker_deadline,
            reply,
        };
        let answer = match self.control(shutdown, Some(deadline)) {
            true => answer.recv_deadline(deadline).ok(),
            false => None,
        };
        match answer {
            // The answer is the worker's last act: joining is immediate.
            Some(_) => self.join_worker(),
            None => {
                let left = self.counters().abandon(DropReason::ShutdownDeadline);
                log::warn!("shutdown deadline reached; {left} events were still undelivered");
            }
        }
        let stats = self.stats();
        let left = stats.dropped_after_acceptance().saturating_sub(lost_before);
        let report = ShutdownReport {
            completed: answer == Some(true) && left == 0,
            left,
            stats,
        };
        *report_slot = Some(report);
        report
    }

    fn join_worker(&self) {
        let handle = self.worker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

fn refusal(reason: DropReason) -> Error {
    let (kind, message) = match reason {
        DropReason::QueueFull => (
            ErrorKind::QueueFull,
            "the event buffer is full; the event was dropped and counted",
        ),
        DropReason::UploaderFailed => (
            ErrorKind::UploaderFailed,
            "the uploader thread failed; the event was dropped and counted",
        ),
        DropReason::EventTooLarge => (
            ErrorKind::QueueFull,
            "the event is larger than the whole buffer (max_buffered_bytes) even cut; dropped and counted",
        ),
        _ => (
            ErrorKind::ShutDown,
            "the client is shut down; the event was dropped and counted",
        ),
    };
    Error::new(kind, message)
}
