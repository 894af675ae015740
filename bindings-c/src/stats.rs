//! Delivery statistics and the shutdown report as plain C structs.

use agentops_core::{DropReason, ShutdownReport, Stats};

/// Why events were dropped: the index into `agentops_stats.dropped`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub enum agentops_drop_reason {
    AGENTOPS_DROP_QUEUE_FULL = 0,
    AGENTOPS_DROP_RETRIES_EXHAUSTED = 1,
    AGENTOPS_DROP_REJECTED = 2,
    AGENTOPS_DROP_AUTH_FAILED = 3,
    AGENTOPS_DROP_AFTER_SHUTDOWN = 4,
    AGENTOPS_DROP_SHUTDOWN_DEADLINE = 5,
    AGENTOPS_DROP_UPLOADER_FAILED = 6,
    AGENTOPS_DROP_EVENT_TOO_LARGE = 7,
    /// The number of reasons (the length of `dropped`).
    AGENTOPS_DROP_REASONS = 8,
}

/// What was delivered, is queued, was retried and was dropped (per reason).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct agentops_stats {
    pub delivered: u64,
    pub queued: u64,
    pub queued_bytes: u64,
    pub retried: u64,
    /// Indexed by `agentops_drop_reason`.
    pub dropped: [u64; 8],
    pub dropped_total: u64,
    pub truncated: u64,
    pub truncated_bytes: u64,
}

impl From<&Stats> for agentops_stats {
    fn from(s: &Stats) -> Self {
        let mut dropped = [0u64; 8];
        for (slot, reason) in dropped.iter_mut().zip(DropReason::ALL) {
            *slot = s.dropped(reason);
        }
        agentops_stats {
            delivered: s.delivered,
            queued: s.queued,
            queued_bytes: s.queued_bytes,
            retried: s.retried,
            dropped,
            dropped_total: s.dropped_total(),
            truncated: s.truncated,
            truncated_bytes: s.truncated_bytes,
        }
    }
}

/// The outcome of `agentops_shutdown`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct agentops_shutdown_report {
    /// Everything recorded before the shutdown was delivered.
    pub completed: bool,
    /// Events it could not deliver (each also counted under a drop reason).
    pub left: u64,
    pub stats: agentops_stats,
}

impl From<&ShutdownReport> for agentops_shutdown_report {
    fn from(r: &ShutdownReport) -> Self {
        agentops_shutdown_report {
            completed: r.completed,
            left: r.left,
            stats: agentops_stats::from(&r.stats),
        }
    }
}
