//! One request out, and what its answer means for the session. Each `send_*` decides the
//! request's fate: `None` when it is resolved, `Some(request)` to put it back at the head
//! of the session's queue (to retry or to resend after re-authorising).

use std::time::{Duration, Instant};

use super::Worker;
use crate::export::{Accepted, ExportError, SessionRecord, SessionRef};
use crate::uploader::EndDelivery;
use crate::uploader::session_queue::{PendingBatch, Phase, Request, SessionQueue};
use crate::uploader::state::SessionStatus;
use crate::uploader::stats::DropReason;

/// What every attempt needs to know about its moment.
#[derive(Clone, Copy)]
pub(super) struct Attempt {
    pub seq: u64,
    pub now: Instant,
    pub timeout: Duration,
    /// The shutdown deadline, if a shutdown is under way: no retry may start after it.
    pub hard_deadline: Option<Instant>,
}

impl Worker {
    /// Round-robin over sessions: the next ready one after the last served.
    fn pick_ready(&self, now: Instant) -> Option<u64> {
        let ready = self
            .sessions
            .iter()
            .filter(|(_, q)| q.is_ready(now))
            .map(|(k, _)| *k);
        let (after, first) = ready.fold((None::<u64>, None::<u64>), |(after, first), k| {
            let after = match k > self.last_served {
                true => Some(after.map_or(k, |a| a.min(k))),
                false => after,
            };
            (after, Some(first.map_or(k, |f| f.min(k))))
        });
        after.or(first)
    }

    fn request_timeout(&self, now: Instant) -> Duration {
        match &self.shutdown {
            Some(s) => self
                .settings
                .request_timeout
                .min(s.deadline.saturating_duration_since(now)),
            None => self.settings.request_timeout,
        }
    }

    pub(super) fn send_one(&mut self, now: Instant) {
        let Some(key) = self.pick_ready(now) else {
            return;
        };
        self.last_served = key;
        let timeout = self.request_timeout(now);
        if timeout.is_zero() {
            return; // the shutdown deadline has passed; finish_shutdown_if_due reports it
        }
        let Some(mut q) = self.sessions.remove(&key) else {
            return;
        };
        let Some((seq, request)) = q.pop_front() else {
            self.sessions.insert(key, q);
            return;
        };
        let attempt = Attempt {
            seq,
            now,
            timeout,
            hard_deadline: self.shutdown.as_ref().map(|s| s.deadline),
        };
        let unresolved = match request {
            Request::Start(record) => self.send_start(&mut q, record, attempt),
            Request::Reauthorize => self.send_reauthorize(&mut q, attempt),
            Request::Events(batch) => self.send_events(&mut q, batch, attempt),
            Request::Agent { id, name } => self.send_agent(&mut q, id, name, attempt),
            Request::Update {
                record,
                end_reply,
                ending,
            } => self.send_update(&mut q, record, end_reply, ending, attempt),
        };
        if let Some(request) = unresolved {
            q.push_front(seq, request);
        }
        if !(q.ended && q.is_idle()) {
            self.sessions.insert(key, q); // otherwise finished: forget the session
        }
    }

    fn send_start(
        &mut self,
        q: &mut SessionQueue,
        record: SessionRecord,
        at: Attempt,
    ) -> Option<Request> {
        match self.exporter.start_session(&record, at.timeout) {
            Ok(started) => {
                q.token = started.token;
                q.phase = Phase::Active;
                q.state.set_status(SessionStatus::Running);
                q.retry.reset();
                q.answer_start(Ok(()));
                None
            }
            // While the caller still waits, an HTTP error answer is a definite refusal.
            Err(ExportError::Transient {
                status: Some(s), ..
            }) if q.caller_waiting(at.now) && s != 408 && s != 429 => {
                let why = format!("HTTP {s}");
                self.refuse(q, DropReason::Rejected, &why, Some(s), at.now);
                None
            }
            Err(err @ ExportError::Transient { .. }) => {
                self.retry_or(q, Request::Start(record), &err, at, |w, q| {
                    w.refuse(
                        q,
                        DropReason::RetriesExhausted,
                        err.why(),
                        err.status(),
                        at.now,
                    )
                })
            }
            Err(err @ ExportError::Unauthorized { .. }) => {
                let why = format!("invalid API key ({})", err.why());
                self.refuse(q, DropReason::AuthFailed, &why, err.status(), at.now);
                None
            }
            Err(err) => {
                self.refuse(q, DropReason::Rejected, err.why(), err.status(), at.now);
                None
            }
        }
    }

    fn send_reauthorize(&mut self, q: &mut SessionQueue, at: Attempt) -> Option<Request> {
        match self.exporter.reauthorize(&q.id(), at.timeout) {
            Ok(started) => {
                q.token = started.token;
                q.phase = Phase::Active;
                q.fresh_token = true;
                q.state.set_status(SessionStatus::Running);
                q.retry.reset();
                None
            }
            Err(err @ ExportError::Transient { .. }) => {
                self.retry_or(q, Request::Reauthorize, &err, at, |w, q| {
                    w.refuse(
                        q,
                        DropReason::RetriesExhausted,
                        err.why(),
                        err.status(),
                        at.now,
                    )
                })
            }
            Err(err) => {
                let why = format!("re-authorisation refused ({})", err.why());
                self.refuse(q, DropReason::AuthFailed, &why, err.status(), at.now);
                None
            }
        }
    }

    fn send_events(
        &mut self,
        q: &mut SessionQueue,
        mut batch: PendingBatch,
        at: Attempt,
    ) -> Option<Request> {
        batch.encode(self.exporter.as_ref(), &q.id());
        let token = q.token.clone();
        let id = q.id();
        let session = SessionRef {
            id: &id,
            token: token.as_deref(),
        };
        let result = match batch.encoded() {
            Some(encoded) => self.exporter.send_events(session, encoded, at.timeout),
            None => Ok(Accepted::default()),
        };
        match result {
            Ok(accepted) => {
                if accepted.rejected == 0 {
                    self.settle_delivered(&batch);
                } else {
                    self.settle_partly_rejected(&batch, accepted, q);
                }
                q.retry.reset();
                q.fresh_token = false;
                None
            }
            Err(err @ ExportError::Transient { .. }) => {
                self.retry_or(q, Request::Events(batch), &err, at, |_, q| {
                    log::warn!(
                        "session {}: giving up on a batch of events ({})",
                        q.id(),
                        err.why()
                    )
                })
            }
            Err(err @ ExportError::Unauthorized { .. }) => {
                self.reauthorize_then(q, Request::Events(batch), err.why(), at)
            }
            Err(ExportError::TooLarge) => match batch.split_half() {
                Some(second) => {
                    q.push_front(at.seq, Request::Events(second));
                    q.retry.reset();
                    Some(Request::Events(batch))
                }
                None => {
                    log::warn!(
                        "session {}: an event is larger than the backend accepts (HTTP 413); dropped",
                        q.id()
                    );
                    self.settle_dropped(&batch, DropReason::Rejected, q);
                    q.retry.reset();
                    None
                }
            },
            Err(err) => {
                log::warn!(
                    "session {}: the backend rejected a batch of {} events ({})",
                    q.id(),
                    batch.len(),
                    err.why()
                );
                self.settle_dropped(&batch, DropReason::Rejected, q);
                q.retry.reset();
                None
            }
        }
    }

    fn send_agent(
        &mut self,
        q: &mut SessionQueue,
        id: uuid::Uuid,
        name: String,
        at: Attempt,
    ) -> Option<Request> {
        let token = q.token.clone();
        let session_id = q.id();
        let session = SessionRef {
            id: &session_id,
            token: token.as_deref(),
        };
        match self.exporter.create_agent(session, &id, &name, at.timeout) {
            Ok(()) => {
                q.retry.reset();
                None
            }
            Err(err @ ExportError::Unauthorized { .. }) => {
                self.reauthorize_then(q, Request::Agent { id, name }, err.why(), at)
            }
            Err(err @ ExportError::Transient { .. }) => {
                self.retry_or(q, Request::Agent { id, name }, &err, at, |_, q| {
                    log::warn!(
                        "session {}: could not create an agent ({})",
                        q.id(),
                        err.why()
                    )
                })
            }
            Err(_) => {
                log::warn!("session {}: the backend refused to create an agent", q.id());
                q.retry.reset();
                None
            }
        }
    }

    fn send_update(
        &mut self,
        q: &mut SessionQueue,
        record: SessionRecord,
        end_reply: Option<crossbeam_channel::Sender<EndDelivery>>,
        ending: bool,
        at: Attempt,
    ) -> Option<Request> {
        let token = q.token.clone();
        let id = q.id();
        let session = SessionRef {
            id: &id,
            token: token.as_deref(),
        };
        let result = self
            .exporter
            .update_session(session, &record, ending, at.timeout);
        let request = |record, end_reply| Request::Update {
            record,
            end_reply,
            ending,
        };
        match result {
            Ok(updated) => {
                if let Some(cost) = updated.token_cost {
                    q.state.set_token_cost(cost);
                }
                if let Some(reply) = end_reply {
                    let delivered = !q.state.lost_events();
                    let _ = reply.try_send(EndDelivery {
                        delivered,
                        token_cost: updated.token_cost,
                    });
                }
                q.retry.reset();
                None
            }
            Err(err @ ExportError::Unauthorized { .. }) => {
                self.reauthorize_then(q, request(record, end_reply), err.why(), at)
            }
            Err(err @ ExportError::Transient { .. }) => {
                self.retry_or(q, request(record, end_reply), &err, at, |_, q| {
                    log::warn!(
                        "session {}: could not update the session ({})",
                        q.id(),
                        err.why()
                    )
                })
            }
            Err(_) => {
                log::warn!("session {}: the backend refused the session update", q.id());
                if let Some(reply) = end_reply {
                    let _ = reply.try_send(EndDelivery::default());
                }
                q.retry.reset();
                None
            }
        }
    }
}
