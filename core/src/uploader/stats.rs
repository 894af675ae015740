//! Delivery accounting shared by callers and the worker: atomics only, no locks.
//!
//! Callers count an event into the buffer *before* handing it over and revert on failure
//! (the OpenTelemetry Rust #3453 lesson), so `queued` never under-counts what a flush must
//! wait for.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// Why events were dropped. Every dropped event is counted under exactly one reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The in-memory bound (events or bytes) was reached.
    QueueFull,
    /// Transient failures lasted longer than `max_retry_time`.
    RetriesExhausted,
    /// The backend refused the batch or the session (a 4xx other than 401/403/408/413/429,
    /// or a malformed answer).
    Rejected,
    /// The backend refused the credentials (401/403 even after re-authorising).
    AuthFailed,
    /// Recorded after the client was shut down.
    AfterShutdown,
    /// Still undelivered when the shutdown deadline passed.
    ShutdownDeadline,
}

impl DropReason {
    pub const ALL: [DropReason; 6] = [
        DropReason::QueueFull,
        DropReason::RetriesExhausted,
        DropReason::Rejected,
        DropReason::AuthFailed,
        DropReason::AfterShutdown,
        DropReason::ShutdownDeadline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue_full",
            DropReason::RetriesExhausted => "retries_exhausted",
            DropReason::Rejected => "rejected",
            DropReason::AuthFailed => "auth_failed",
            DropReason::AfterShutdown => "after_shutdown",
            DropReason::ShutdownDeadline => "shutdown_deadline",
        }
    }
}

/// A snapshot of the uploader's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events the backend acknowledged.
    pub delivered: u64,
    /// Events recorded but not yet delivered or dropped.
    pub queued: u64,
    /// Estimated bytes of the queued events.
    pub queued_bytes: u64,
    /// Requests re-sent after a transient failure.
    pub retried: u64,
    /// Dropped events, by reason (indexed like [`DropReason::ALL`]).
    pub dropped: [u64; 6],
}

impl Stats {
    pub fn dropped(&self, reason: DropReason) -> u64 {
        self.dropped[reason as usize]
    }

    pub fn dropped_total(&self) -> u64 {
        self.dropped.iter().sum()
    }
}

/// Queued events (high 32 bits) and their bytes (low 32 bits) in one word, so the hot
/// path reserves both with a single atomic add.
const EVENT_UNIT: u64 = 1 << 32;
const BYTES_MASK: u64 = EVENT_UNIT - 1;

#[derive(Default)]
pub(crate) struct Counters {
    pub delivered: AtomicU64,
    queued: AtomicU64,
    pub retried: AtomicU64,
    dropped: [AtomicU64; 6],
    first_drop_logged: AtomicBool,
}

impl Counters {
    /// Reserves room for one event; `false` (and nothing changed) when a bound is reached.
    /// `bytes` and `max_bytes` stay below 4 GiB (`Config::validate` caps the bound).
    #[inline]
    pub fn try_reserve(&self, bytes: u64, max_events: u64, max_bytes: u64) -> bool {
        let add = EVENT_UNIT | bytes.min(BYTES_MASK);
        let now = self.queued.fetch_add(add, Relaxed) + add;
        if now >> 32 > max_events || now & BYTES_MASK > max_bytes {
            self.queued.fetch_sub(add, Relaxed);
            return false;
        }
        true
    }

    #[inline]
    pub fn release(&self, events: u64, bytes: u64) {
        self.queued
            .fetch_sub(events * EVENT_UNIT + bytes.min(BYTES_MASK), Relaxed);
    }

    /// Counts dropped events; the very first drop is logged once (the rest are in stats
    /// and in the shutdown summary).
    pub fn drop_events(&self, reason: DropReason, events: u64) {
        if events == 0 {
            return;
        }
        self.dropped[reason as usize].fetch_add(events, Relaxed);
        if !self.first_drop_logged.swap(true, Relaxed) {
            log::warn!(
                "dropping events ({}): {events} so far; further drops are counted in stats and summarised at shutdown",
                reason.as_str()
            );
        }
    }

    pub fn snapshot(&self) -> Stats {
        let mut dropped = [0; 6];
        for (slot, counter) in dropped.iter_mut().zip(&self.dropped) {
            *slot = counter.load(Relaxed);
        }
        Stats {
            delivered: self.delivered.load(Relaxed),
            queued: self.queued.load(Relaxed) >> 32,
            queued_bytes: self.queued.load(Relaxed) & BYTES_MASK,
            retried: self.retried.load(Relaxed),
            dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_reverts_when_either_bound_is_hit() {
        let c = Counters::default();
        assert!(c.try_reserve(10, 2, 100));
        assert!(c.try_reserve(10, 2, 100));
        assert!(!c.try_reserve(10, 2, 100), "event bound");
        assert_eq!((c.snapshot().queued, c.snapshot().queued_bytes), (2, 20));
        c.release(2, 20);
        assert!(!c.try_reserve(101, 2, 100), "byte bound");
        assert_eq!(c.snapshot().queued, 0);
    }
}
