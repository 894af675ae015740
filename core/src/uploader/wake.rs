//! When producers wake the worker. The worker does not block on the channel (a blocked
//! receiver makes every send a futex wake-up: a system call per event); it sleeps until
//! its next timer, and producers wake it only when it has work a timer would not bring:
//! the first event while it is idle, or a batch's worth of new events.
//!
//! Producers compare the number of events reserved in the buffer (which the hot path
//! computes anyway) against a threshold the worker sets before it sleeps; control
//! messages always wake it. A producer preempted between reserving and sending can miss
//! the threshold: its event then waits for the worker's next timer (at most its idle
//! wake-up), never longer.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::thread::Thread;
use std::time::Duration;

const ASLEEP_NEVER_WAKE: u64 = u64::MAX;

pub(crate) struct Wake {
    worker: OnceLock<Thread>,
    threshold: AtomicU64,
}

impl Wake {
    pub fn new() -> Self {
        Wake {
            worker: OnceLock::new(),
            threshold: AtomicU64::new(ASLEEP_NEVER_WAKE),
        }
    }

    pub fn set_worker(&self, thread: Thread) {
        let _ = self.worker.set(thread);
    }

    /// Producers, after handing an event over with `queued` events reserved in all.
    #[inline]
    pub fn after_event(&self, queued: u64) {
        if queued >= self.threshold.load(SeqCst)
            && self.threshold.swap(ASLEEP_NEVER_WAKE, SeqCst) != ASLEEP_NEVER_WAKE
        {
            self.wake_now();
        }
    }

    /// Wakes the worker (control messages: they are rare and often awaited).
    pub fn wake_now(&self) {
        if let Some(worker) = self.worker.get() {
            worker.unpark();
        }
    }

    /// The worker: sleeps at most `timeout`, or until producers have reserved `threshold`
    /// events, or a control message arrives. `channel_empty` is checked after the
    /// threshold is published, so an event sent before that is never slept through.
    pub fn sleep(&self, threshold: u64, timeout: Duration, channel_empty: impl Fn() -> bool) {
        self.threshold.store(threshold, SeqCst);
        if channel_empty() {
            std::thread::park_timeout(timeout);
        }
        self.threshold.store(ASLEEP_NEVER_WAKE, SeqCst);
    }
}
