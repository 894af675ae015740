//! One session as the worker sees it: its credentials, the batch being filled, and the
//! ordered requests still to make. Only the head request is ever in flight or retrying,
//! which is what keeps each session's order.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::Sender;
use uuid::Uuid;

use super::retry::RetryState;
use super::stats::DropReason;
use super::{EndOutcome, StartReply};
use crate::export::EncodedBatch;
use crate::session::SessionShared;
use crate::wire::SessionRecord;

/// Encoded events awaiting delivery, with what is needed to account for them.
pub(crate) struct PendingBatch {
    pub items: EncodedBatch,
    /// Worker sequence number of the first event (flush waits compare against it).
    pub first_seq: u64,
    /// Sum of the callers' size estimates, released from the memory bound on resolution.
    pub reserved_bytes: u64,
    /// Estimates per item, so a split batch releases exactly what it reserved.
    pub item_bytes: Vec<u32>,
}

impl PendingBatch {
    pub fn new(first_seq: u64) -> Self {
        PendingBatch {
            items: EncodedBatch::new(),
            first_seq,
            reserved_bytes: 0,
            item_bytes: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Splits off the second half, preserving order and accounting.
    pub fn split_half(&mut self) -> PendingBatch {
        let items = self.items.split_half();
        let item_bytes = self
            .item_bytes
            .split_off(self.item_bytes.len() - items.len());
        let moved: u64 = item_bytes.iter().map(|&b| b as u64).sum();
        self.reserved_bytes -= moved;
        PendingBatch {
            first_seq: self.first_seq + self.len() as u64,
            items,
            reserved_bytes: moved,
            item_bytes,
        }
    }
}

pub(crate) enum Request {
    Start(SessionRecord),
    Reauthorize,
    Events(PendingBatch),
    Agent {
        id: Uuid,
        name: String,
    },
    Update {
        record: SessionRecord,
        end_reply: Option<Sender<EndOutcome>>,
        ending: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Starting,
    Active,
    Refused(DropReason),
}

pub(crate) struct SessionQueue {
    pub shared: Arc<SessionShared>,
    pub token: Option<String>,
    pub phase: Phase,
    pub open: Option<(PendingBatch, Instant)>,
    pub requests: VecDeque<Request>,
    pub retry: RetryState,
    /// Set by a successful re-authorisation; a 401 right after it means the key itself
    /// is refused.
    pub fresh_token: bool,
    pub start_reply: Option<(Sender<StartReply>, Instant)>,
    pub ended: bool,
}

impl SessionQueue {
    pub fn new(shared: Arc<SessionShared>, first: Request) -> Self {
        SessionQueue {
            shared,
            token: None,
            phase: Phase::Starting,
            open: None,
            requests: VecDeque::from([first]),
            retry: RetryState::default(),
            fresh_token: false,
            start_reply: None,
            ended: false,
        }
    }

    pub fn id(&self) -> &Uuid {
        &self.shared.id
    }

    /// Moves the batch being filled to the end of the request queue.
    pub fn seal(&mut self) {
        if let Some((batch, _)) = self.open.take() {
            self.requests.push_back(Request::Events(batch));
        }
    }

    /// Sequence number of the oldest event not yet resolved.
    pub fn oldest_pending_seq(&self) -> Option<u64> {
        let queued = self.requests.iter().find_map(|r| match r {
            Request::Events(b) => Some(b.first_seq),
            _ => None,
        });
        queued.or_else(|| self.open.as_ref().map(|(b, _)| b.first_seq))
    }

    /// Nothing left to send for this session.
    pub fn is_idle(&self) -> bool {
        self.requests.is_empty() && self.open.is_none()
    }

    /// The head request may be attempted now.
    pub fn is_ready(&self, now: Instant) -> bool {
        let Some(head) = self.requests.front() else {
            return false;
        };
        if self.retry.is_waiting(now) || matches!(self.phase, Phase::Refused(_)) {
            return false;
        }
        match head {
            Request::Start(_) | Request::Reauthorize => true,
            _ => self.phase == Phase::Active,
        }
    }

    /// True while the caller of `start_session` still waits for the answer.
    pub fn caller_waiting(&self, now: Instant) -> bool {
        self.start_reply
            .as_ref()
            .is_some_and(|(_, until)| now < *until)
    }

    pub fn answer_start(&mut self, result: StartReply) {
        if let Some((reply, _)) = self.start_reply.take() {
            let _ = reply.try_send(result);
        }
    }
}
