//! One session as the worker sees it: its credentials, the batch being filled, and the
//! ordered requests still to make. Only the head request is ever in flight or retrying,
//! which is what keeps each session's order.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::Sender;
use uuid::Uuid;

use super::EndDelivery;
use super::retry::RetryState;
use super::state::SessionState;
use super::stats::DropReason;
use crate::error::Result;
use crate::event::Event;
use crate::export::{EncodedBatch, Exporter, SessionRecord};

/// Events awaiting delivery, with what is needed to account for them. They stay
/// structs until the first attempt to send them, then are encoded once (retries and
/// 413 splits reuse the encoding): a queued event is about as small as its JSON, and
/// holding one form at a time keeps a burst's peak memory down.
pub(crate) struct PendingBatch {
    // Boxed as they arrived: unboxing would copy each event and free its box on the worker.
    #[allow(clippy::vec_box)]
    events: Vec<Box<Event>>,
    encoded: Option<EncodedBatch>,
    /// Worker sequence number of the first event (flush waits compare against it).
    pub first_seq: u64,
    /// Sum of the callers' size estimates, released from the memory bound on resolution.
    pub reserved_bytes: u64,
    /// Estimates per item, so a split batch releases exactly what it reserved.
    item_bytes: Vec<u32>,
}

impl PendingBatch {
    pub fn new(first_seq: u64) -> Self {
        PendingBatch {
            events: Vec::new(),
            encoded: None,
            first_seq,
            reserved_bytes: 0,
            item_bytes: Vec::new(),
        }
    }

    pub fn push(&mut self, event: Box<Event>, estimated_bytes: u32) {
        self.events.push(event);
        self.item_bytes.push(estimated_bytes);
        self.reserved_bytes += estimated_bytes as u64;
    }

    pub fn len(&self) -> usize {
        self.item_bytes.len()
    }

    /// Encodes the events (once; later calls do nothing) and frees the structs.
    pub fn encode(&mut self, exporter: &dyn Exporter, session_id: &Uuid) {
        if self.encoded.is_some() {
            return;
        }
        let reserve = self.reserved_bytes as usize + self.reserved_bytes as usize / 10;
        let mut batch = EncodedBatch::new(exporter.framing(), reserve, self.events.len());
        for event in self.events.drain(..) {
            batch.push_with(|out| exporter.encode_event(&event, session_id, out));
        }
        batch.finish();
        self.events = Vec::new();
        self.encoded = Some(batch);
    }

    /// The encoded batch; `None` before [`PendingBatch::encode`].
    pub fn encoded(&self) -> Option<&EncodedBatch> {
        self.encoded.as_ref()
    }

    /// Splits off the second half (after a 413, so the batch is encoded and holds at
    /// least two events), preserving order and accounting. `None` if it cannot be split.
    pub fn split_half(&mut self) -> Option<PendingBatch> {
        let encoded = self.encoded.as_mut().filter(|e| e.len() >= 2)?;
        let items = encoded.split_half();
        let item_bytes = self
            .item_bytes
            .split_off(self.item_bytes.len() - items.len());
        let moved: u64 = item_bytes.iter().map(|&b| b as u64).sum();
        self.reserved_bytes -= moved;
        Some(PendingBatch {
            events: Vec::new(),
            encoded: Some(items),
            first_seq: self.first_seq + self.len() as u64,
            reserved_bytes: moved,
            item_bytes,
        })
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
        end_reply: Option<Sender<EndDelivery>>,
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
    pub state: Arc<SessionState>,
    pub token: Option<String>,
    pub phase: Phase,
    pub open: Option<(PendingBatch, Instant)>,
    /// Requests in order, each with the worker sequence number it was enqueued under
    /// (events: their first event's), so a flush can wait for everything before it.
    requests: VecDeque<(u64, Request)>,
    pub retry: RetryState,
    /// Set by a successful re-authorisation; a 401 right after it means the key itself
    /// is refused.
    pub fresh_token: bool,
    /// Answers the caller of `start_session`, who waits until the `Instant`.
    pub start_reply: Option<(Sender<Result<()>>, Instant)>,
    pub ended: bool,
}

impl SessionQueue {
    pub fn new(state: Arc<SessionState>, seq: u64, first: Request) -> Self {
        SessionQueue {
            state,
            token: None,
            phase: Phase::Starting,
            open: None,
            requests: VecDeque::from([(seq, first)]),
            retry: RetryState::default(),
            fresh_token: false,
            start_reply: None,
            ended: false,
        }
    }

    pub fn id(&self) -> Uuid {
        self.state.id()
    }

    /// Moves the batch being filled to the end of the request queue.
    pub fn seal(&mut self) {
        if let Some((batch, _)) = self.open.take() {
            self.requests
                .push_back((batch.first_seq, Request::Events(batch)));
        }
    }

    pub fn push_back(&mut self, seq: u64, request: Request) {
        self.requests.push_back((seq, request));
    }

    pub fn push_front(&mut self, seq: u64, request: Request) {
        self.requests.push_front((seq, request));
    }

    pub fn pop_front(&mut self) -> Option<(u64, Request)> {
        self.requests.pop_front()
    }

    pub fn take_requests(&mut self) -> Vec<Request> {
        self.requests
            .drain(..)
            .map(|(_, request)| request)
            .collect()
    }

    pub fn has_requests(&self) -> bool {
        !self.requests.is_empty()
    }

    /// Sequence number of the oldest request or event not yet resolved.
    pub fn oldest_pending_seq(&self) -> Option<u64> {
        let queued = self.requests.iter().map(|(seq, _)| *seq).min();
        let open = self.open.as_ref().map(|(b, _)| b.first_seq);
        queued.into_iter().chain(open).min()
    }

    /// Nothing left to send for this session.
    pub fn is_idle(&self) -> bool {
        self.requests.is_empty() && self.open.is_none()
    }

    /// The head request may be attempted now.
    pub fn is_ready(&self, now: Instant) -> bool {
        let Some((_, head)) = self.requests.front() else {
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

    pub fn answer_start(&mut self, result: Result<()>) {
        if let Some((reply, _)) = self.start_reply.take() {
            let _ = reply.try_send(result);
        }
    }
}
