//! The uploader thread. It alone talks to the exporter; callers only see atomics.
//!
//! Each turn it takes the messages that arrived (events go into their session's open
//! batch), seals batches that are full or old enough, makes at most one request, then
//! answers flushes and the shutdown. Backoff never sleeps: a retrying session just is not
//! ready until its time, and the others go on. Between turns it sleeps until its next
//! timer or until producers wake it (see `wake.rs`).
//!
//! - `dispatch.rs`: messages in. - `send.rs`: one request out and what its answer means.
//! - `failure.rs`: retries, refusals, giving up. - `flush.rs`: flush waiters.
//! - `shutdown.rs`: the end of the worker, planned or after a panic.

mod dispatch;
mod failure;
mod flush;
mod send;
mod shutdown;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use super::protocol::Message;
use super::retry::RetryPolicy;
use super::session_queue::SessionQueue;
use super::stats::Counters;
use super::wake::Wake;
use crate::config::Config;
use crate::export::Exporter;
use flush::FlushWaiter;

/// A request body is sealed before it exceeds this, whatever `max_queue_size` says.
const MAX_BATCH_BYTES: u64 = 4 * 1024 * 1024;
/// How long a turn may spend taking messages off the channel before the next request:
/// the bound keeps requests flowing under a sustained flood.
const DRAIN_PER_TURN: Duration = Duration::from_millis(50);
/// The longest the worker sleeps with nothing scheduled.
const IDLE_WAKE: Duration = Duration::from_secs(1);

/// Session keys are small sequential integers: a multiply spreads them over the table
/// (SipHash, the default, costs more than the rest of taking an event).
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8 | *b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type SessionMap = HashMap<u64, SessionQueue, BuildHasherDefault<KeyHasher>>;

/// What callers and the worker share.
pub(crate) struct Shared {
    pub counters: Counters,
    pub wake: Wake,
    /// The worker panicked: callers drop at once instead of queueing for nobody.
    pub failed: AtomicBool,
}

struct Settings {
    batch_size: usize,
    max_wait: Duration,
    request_timeout: Duration,
    retry: RetryPolicy,
    default_shutdown: Duration,
    max_events: u64,
}

/// Events taken off the channel and not yet delivered or dropped: what a panic would lose.
#[derive(Debug, Default, Clone, Copy)]
struct Held {
    events: u64,
    bytes: u64,
}

struct ShutdownWaiter {
    deadline: Instant,
    reply: Sender<bool>,
    /// Accepted events dropped before the shutdown began (any drop after it means loss).
    lost_before: u64,
}

pub(crate) struct Worker {
    rx: Receiver<Message>,
    exporter: Box<dyn Exporter>,
    shared: Arc<Shared>,
    settings: Settings,
    sessions: SessionMap,
    next_seq: u64,
    last_served: u64,
    held: Held,
    flushes: Vec<FlushWaiter>,
    shutdown: Option<ShutdownWaiter>,
    channel_closed: bool,
}

impl Worker {
    pub fn new(
        config: &Config,
        exporter: Box<dyn Exporter>,
        rx: Receiver<Message>,
        shared: Arc<Shared>,
    ) -> Self {
        let settings = Settings {
            batch_size: config.max_queue_size,
            max_wait: config.max_wait_time,
            request_timeout: config.request_timeout,
            retry: RetryPolicy {
                initial: config.retry_initial_backoff,
                max: config.retry_max_backoff,
                max_total: config.max_retry_time,
            },
            default_shutdown: config.shutdown_timeout,
            max_events: config.max_buffered_events as u64,
        };
        Worker {
            rx,
            exporter,
            shared,
            settings,
            sessions: SessionMap::default(),
            next_seq: 0,
            last_served: 0,
            held: Held::default(),
            flushes: Vec::new(),
            shutdown: None,
            channel_closed: false,
        }
    }

    fn counters(&self) -> &Counters {
        &self.shared.counters
    }

    /// The thread's body. A panic (a bug, or a panicking custom exporter) is caught: what
    /// the worker held is counted as dropped, every waiter is answered, and the thread
    /// stays on to refuse what still arrives, so callers never wait for a dead thread.
    pub fn run(mut self) {
        loop {
            let turn = catch_unwind(AssertUnwindSafe(|| self.turn(&Instant::now)));
            match turn {
                Ok(true) => return,
                Ok(false) => self.sleep(),
                Err(panic) => {
                    self.fail(&panic_message(panic.as_ref()));
                    return self.refuse_until_closed();
                }
            }
        }
    }

    /// One turn, reading the time from `clock` (tests pass a fake one); `true` when the
    /// worker has finished.
    fn turn(&mut self, clock: &dyn Fn() -> Instant) -> bool {
        let now = clock();
        self.take_messages(now);
        self.seal_due(now);
        self.send_one(now);
        let now = clock();
        self.answer_flushes(now);
        self.finish_shutdown_if_due(now)
    }

    /// Takes messages off the channel for at most [`DRAIN_PER_TURN`] of real time.
    fn take_messages(&mut self, now: Instant) {
        if self.channel_closed {
            return;
        }
        let until = Instant::now() + DRAIN_PER_TURN;
        // Read the clock every 256 messages only: it costs as much as handling one.
        loop {
            for _ in 0..256 {
                match self.rx.try_recv() {
                    Ok(message) => self.handle(message, now),
                    Err(TryRecvError::Empty) => return,
                    Err(TryRecvError::Disconnected) => return self.on_channel_closed(),
                }
            }
            if Instant::now() >= until {
                return;
            }
        }
    }

    fn sleep(&self) {
        let now = Instant::now();
        let wait = self.next_wake(now).saturating_duration_since(now);
        if wait.is_zero() {
            return;
        }
        // Idle: the first new event starts the batch timer. Otherwise: a batch's worth.
        let idle = self.sessions.values().all(|q| q.open.is_none());
        let step = if idle {
            1
        } else {
            self.settings.batch_size as u64
        };
        let threshold = (self.held.events + step).min(self.settings.max_events);
        self.shared.wake.sleep(threshold, wait, || {
            self.channel_closed || self.rx.is_empty()
        });
    }

    fn next_wake(&self, now: Instant) -> Instant {
        let mut wake = now + IDLE_WAKE;
        for q in self.sessions.values() {
            if q.is_ready(now) {
                return now;
            }
            if let Some((_, opened)) = &q.open {
                wake = wake.min(*opened + self.settings.max_wait);
            }
            if let (Some(at), true) = (q.retry.next_at, q.has_requests()) {
                wake = wake.min(at);
            }
        }
        for f in &self.flushes {
            wake = wake.min(f.deadline);
        }
        if let Some(shutdown) = &self.shutdown {
            wake = wake.min(shutdown.deadline);
        }
        wake
    }

    fn take_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq - 1
    }

    fn seal_due(&mut self, now: Instant) {
        let everything = self.shutdown.is_some();
        let max_wait = self.settings.max_wait;
        for q in self.sessions.values_mut() {
            if q.open
                .as_ref()
                .is_some_and(|(_, opened)| everything || now >= *opened + max_wait)
            {
                q.seal();
            }
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}
