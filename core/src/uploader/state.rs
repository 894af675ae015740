//! What the uploader knows and writes back about one session, shared with the session's
//! handles: atomics only, so neither side ever waits for the other.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering::Relaxed};

use uuid::Uuid;

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// Created; the backend has not answered yet. Events are buffered meanwhile.
    Starting = 0,
    /// The backend accepted the session.
    Running = 1,
    /// The backend refused the session; its events are dropped and counted.
    Refused = 2,
    /// `end` was called.
    Ended = 3,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Starting => "starting",
            SessionStatus::Running => "running",
            SessionStatus::Refused => "refused",
            SessionStatus::Ended => "ended",
        }
    }

    fn from_u8(v: u8) -> Self {
        match v {
            0 => SessionStatus::Starting,
            1 => SessionStatus::Running,
            2 => SessionStatus::Refused,
            _ => SessionStatus::Ended,
        }
    }
}

pub struct SessionState {
    /// Unique per uploader (an inherited session id may repeat).
    pub(crate) key: u64,
    id: Uuid,
    status: AtomicU8,
    token_cost_bits: AtomicU64,
    lost_events: AtomicBool,
}

impl SessionState {
    pub(crate) fn new(key: u64, id: Uuid) -> Self {
        SessionState {
            key,
            id,
            status: AtomicU8::new(SessionStatus::Starting as u8),
            token_cost_bits: AtomicU64::new(f64::NAN.to_bits()),
            lost_events: AtomicBool::new(false),
        }
    }

    pub fn id(&self) -> Uuid {
        self.id
    }

    pub fn status(&self) -> SessionStatus {
        SessionStatus::from_u8(self.status.load(Relaxed))
    }

    /// Set by the worker; `Ended` is final and is never overwritten.
    pub(crate) fn set_status(&self, status: SessionStatus) {
        let _ = self.status.fetch_update(Relaxed, Relaxed, |current| {
            (current != SessionStatus::Ended as u8).then_some(status as u8)
        });
    }

    /// Marks the session ended; returns the status it had.
    pub fn mark_ended(&self) -> SessionStatus {
        SessionStatus::from_u8(self.status.swap(SessionStatus::Ended as u8, Relaxed))
    }

    pub(crate) fn set_token_cost(&self, cost: f64) {
        self.token_cost_bits.store(cost.to_bits(), Relaxed);
    }

    /// The last token cost the backend reported.
    pub fn token_cost(&self) -> Option<f64> {
        Some(f64::from_bits(self.token_cost_bits.load(Relaxed))).filter(|c| !c.is_nan())
    }

    pub(crate) fn mark_lost_events(&self) {
        self.lost_events.store(true, Relaxed);
    }

    /// Some of the session's events were dropped (refused, given up on, out of time).
    pub fn lost_events(&self) -> bool {
        self.lost_events.load(Relaxed)
    }
}
