//! Delivery accounting shared by callers and the worker: atomics only, no locks.
//!
//! Callers count an event into the buffer *before* handing it over and revert on failure
//! (the OpenTelemetry Rust #3453 lesson), so `queued` never under-counts what a flush must
//! wait for. Every event that is accepted is settled exactly once: delivered, or dropped
//! under one reason. When a shutdown gives up on a worker that does not answer, it
//! *abandons* what is still queued (counting it as dropped at once); a worker coming back
//! later finds its events already settled and counts nothing twice.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// Why events were dropped. Every dropped event is counted under exactly one reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The in-memory bound (events or bytes) was reached.
    QueueFull,
    /// Transient failures lasted longer than `max_retry_time`.
    RetriesExhausted,
    /// The backend refused the batch or the session (a 4xx other than 401/403/408/413/429,
    /// or a malformed answer), or the uploader could not decode an event's text
    /// (`Session::record_encoded`).
    Rejected,
    /// The backend refused the credentials (401/403 even after re-authorising).
    AuthFailed,
    /// Recorded after the client was shut down.
    AfterShutdown,
    /// Still undelivered when the shutdown deadline passed.
    ShutdownDeadline,
    /// The uploader thread failed (a bug); nothing more can be delivered.
    UploaderFailed,
    /// Larger than the whole buffer even after its fields were cut (a tiny
    /// `max_buffered_bytes`).
    EventTooLarge,
}

impl DropReason {
    pub const ALL: [DropReason; 8] = [
        DropReason::QueueFull,
        DropReason::RetriesExhausted,
        DropReason::Rejected,
        DropReason::AuthFailed,
        DropReason::AfterShutdown,
        DropReason::ShutdownDeadline,
        DropReason::UploaderFailed,
        DropReason::EventTooLarge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue_full",
            DropReason::RetriesExhausted => "retries_exhausted",
            DropReason::Rejected => "rejected",
            DropReason::AuthFailed => "auth_failed",
            DropReason::AfterShutdown => "after_shutdown",
            DropReason::ShutdownDeadline => "shutdown_deadline",
            DropReason::UploaderFailed => "uploader_failed",
            DropReason::EventTooLarge => "event_too_large",
        }
    }

    /// Dropped after the buffer had accepted the event (the others never entered it).
    pub fn after_acceptance(self) -> bool {
        !matches!(
            self,
            DropReason::QueueFull | DropReason::AfterShutdown | DropReason::EventTooLarge
        )
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
    pub dropped: [u64; 8],
    /// Events delivered with fields cut to fit (`max_field_bytes`, or the buffer).
    pub truncated: u64,
    /// Bytes cut from those fields.
    pub truncated_bytes: u64,
}

impl Stats {
    pub fn dropped(&self, reason: DropReason) -> u64 {
        self.dropped[reason as usize]
    }

    pub fn dropped_total(&self) -> u64 {
        self.dropped.iter().sum()
    }

    /// Events dropped after the buffer had accepted them.
    pub fn dropped_after_acceptance(&self) -> u64 {
        DropReason::ALL
            .iter()
            .filter(|r| r.after_acceptance())
            .map(|r| self.dropped(*r))
            .sum()
    }

    /// `reason=count` for every reason with drops, for logs.
    pub fn drops_summary(&self) -> String {
        let parts: Vec<String> = DropReason::ALL
            .iter()
            .filter(|r| self.dropped(**r) > 0)
            .map(|r| format!("{}={}", r.as_str(), self.dropped(*r)))
            .collect();
        parts.join(", ")
    }
}

/// Queued events (bits 32..62) and their bytes (bits 0..31) in one word, so the hot path
/// reserves both with a single atomic add; bit 63 marks the word abandoned.
const EVENT_UNIT: u64 = 1 << 32;
const BYTES_MASK: u64 = EVENT_UNIT - 1;
const EVENTS_MASK: u64 = (1 << 31) - 1;
const ABANDONED: u64 = 1 << 63;

fn events_of(word: u64) -> u64 {
    (word >> 32) & EVENTS_MASK
}

/// The result of [`Counters::try_reserve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reservation {
    /// Room was taken; `queued` events are now reserved in all.
    Reserved {
        queued: u64,
    },
    Full,
    /// A shutdown gave up on the worker: nothing is accepted any more.
    Abandoned,
}

#[derive(Default)]
pub(crate) struct Counters {
    delivered: AtomicU64,
    queued: AtomicU64,
    retried: AtomicU64,
    dropped: [AtomicU64; 8],
    truncated: AtomicU64,
    truncated_bytes: AtomicU64,
    /// The first drop of each reason is logged.
    first_drop_logged: [AtomicBool; 8],
    first_cut_logged: AtomicBool,
}

impl Counters {
    /// Reserves room for one event. `bytes` and `max_bytes` stay below 4 GiB and
    /// `max_events` below 2^30 (`Config::validate` caps the bounds).
    #[inline]
    pub fn try_reserve(&self, bytes: u64, max_events: u64, max_bytes: u64) -> Reservation {
        let add = EVENT_UNIT | bytes.min(BYTES_MASK);
        let now = self.queued.fetch_add(add, Relaxed).wrapping_add(add);
        if now & ABANDONED != 0 {
            self.queued.fetch_sub(add, Relaxed);
            return Reservation::Abandoned;
        }
        if events_of(now) > max_events || now & BYTES_MASK > max_bytes {
            self.queued.fetch_sub(add, Relaxed);
            return Reservation::Full;
        }
        Reservation::Reserved {
            queued: events_of(now),
        }
    }

    /// Takes events out of the buffer; `false` if they were already settled by
    /// [`Counters::abandon`] (the caller must then count nothing for them).
    #[inline]
    fn settle(&self, events: u64, bytes: u64) -> bool {
        let sub = events * EVENT_UNIT + bytes.min(BYTES_MASK);
        self.queued
            .fetch_update(Relaxed, Relaxed, |q| {
                (q & ABANDONED == 0).then(|| q.wrapping_sub(sub))
            })
            .is_ok()
    }

    pub fn settle_delivered(&self, events: u64, bytes: u64) {
        if self.settle(events, bytes) {
            self.delivered.fetch_add(events, Relaxed);
        }
    }

    pub fn settle_dropped(&self, reason: DropReason, events: u64, bytes: u64) {
        if self.settle(events, bytes) {
            self.count_drop(reason, events);
        }
    }

    /// Counts every event still queued as dropped under `reason` and refuses all further
    /// accounting on them. Returns how many there were.
    pub fn abandon(&self, reason: DropReason) -> u64 {
        let previous = self.queued.fetch_or(ABANDONED, Relaxed);
        if previous & ABANDONED != 0 {
            return 0;
        }
        let events = events_of(previous);
        self.count_drop(reason, events);
        events
    }

    pub fn count_retry(&self) {
        self.retried.fetch_add(1, Relaxed);
    }

    /// Counts dropped events. The first drop of each reason is logged; the rest are in
    /// stats and the shutdown summary.
    pub fn count_drop(&self, reason: DropReason, events: u64) {
        if events == 0 {
            return;
        }
        self.dropped[reason as usize].fetch_add(events, Relaxed);
        if !self.first_drop_logged[reason as usize].swap(true, Relaxed) {
            log::warn!(
                "dropping events ({}): {events} so far; further drops are counted in stats and summarised at shutdown",
                reason.as_str()
            );
        }
    }

    /// Counts an event whose fields were cut; the first one is logged.
    pub fn count_cut(&self, cut: crate::event::Cut) {
        if cut.fields == 0 {
            return;
        }
        self.truncated.fetch_add(1, Relaxed);
        self.truncated_bytes.fetch_add(cut.bytes, Relaxed);
        if !self.first_cut_logged.swap(true, Relaxed) {
            log::warn!(
                "an event's fields were cut to fit ({} bytes cut; see max_field_bytes); further cuts are counted in stats (truncated)",
                cut.bytes
            );
        }
    }

    pub fn snapshot(&self) -> Stats {
        let mut dropped = [0; 8];
        for (slot, counter) in dropped.iter_mut().zip(&self.dropped) {
            *slot = counter.load(Relaxed);
        }
        let queued = self.queued.load(Relaxed);
        let (queued, queued_bytes) = match queued & ABANDONED {
            0 => (events_of(queued), queued & BYTES_MASK),
            _ => (0, 0),
        };
        Stats {
            delivered: self.delivered.load(Relaxed),
            queued,
            queued_bytes,
            retried: self.retried.load(Relaxed),
            dropped,
            truncated: self.truncated.load(Relaxed),
            truncated_bytes: self.truncated_bytes.load(Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_reverts_when_either_bound_is_hit() {
        let c = Counters::default();
        assert_eq!(
            c.try_reserve(10, 2, 100),
            Reservation::Reserved { queued: 1 }
        );
        assert_eq!(
            c.try_reserve(10, 2, 100),
            Reservation::Reserved { queued: 2 }
        );
        assert_eq!(c.try_reserve(10, 2, 100), Reservation::Full, "event bound");
        assert_eq!((c.snapshot().queued, c.snapshot().queued_bytes), (2, 20));
        c.settle_delivered(2, 20);
        assert_eq!(c.try_reserve(101, 2, 100), Reservation::Full, "byte bound");
        assert_eq!(c.snapshot().queued, 0);
        assert_eq!(c.snapshot().delivered, 2);
    }

    #[test]
    fn abandoned_events_are_counted_once_whoever_settles_them_later() {
        let c = Counters::default();
        for _ in 0..5 {
            c.try_reserve(10, 100, 1000);
        }
        c.settle_delivered(1, 10);
        assert_eq!(c.abandon(DropReason::ShutdownDeadline), 4);
        assert_eq!(c.abandon(DropReason::ShutdownDeadline), 0, "idempotent");
        // The worker comes back and settles what it held: nothing is counted twice.
        c.settle_delivered(2, 20);
        c.settle_dropped(DropReason::Rejected, 2, 20);
        let s = c.snapshot();
        assert_eq!((s.delivered, s.queued, s.dropped_total()), (1, 0, 4));
        assert_eq!(s.dropped(DropReason::ShutdownDeadline), 4);
        assert_eq!(c.try_reserve(10, 100, 1000), Reservation::Abandoned);
        assert_eq!(c.snapshot().queued, 0);
    }
}
