//! When a request fails: retry it later, re-authorise and resend, refuse the whole
//! session, or give up on it. Every event given up on is settled here, under one reason.

use std::time::Instant;

use super::Worker;
use super::send::Attempt;
use crate::error::{Error, ErrorKind};
use crate::export::{Accepted, ExportError};
use crate::uploader::EndDelivery;
use crate::uploader::retry::GiveUp;
use crate::uploader::session_queue::{PendingBatch, Phase, Request, SessionQueue};
use crate::uploader::state::SessionStatus;
use crate::uploader::stats::DropReason;

impl Worker {
    /// Schedules a retry of `request`, or gives up on it (calling `give_up`, dropping the
    /// events it carries and answering an end waiter).
    pub(super) fn retry_or(
        &mut self,
        q: &mut SessionQueue,
        request: Request,
        err: &ExportError,
        at: Attempt,
        give_up: impl FnOnce(&mut Self, &mut SessionQueue),
    ) -> Option<Request> {
        let retry_after = match err {
            ExportError::Transient { retry_after, .. } => *retry_after,
            _ => None,
        };
        let reason =
            match q
                .retry
                .schedule(&self.settings.retry, at.now, retry_after, at.hard_deadline)
            {
                Ok(()) => {
                    self.counters().count_retry();
                    return Some(request);
                }
                Err(GiveUp::Exhausted) => DropReason::RetriesExhausted,
                Err(GiveUp::Deadline) => DropReason::ShutdownDeadline,
            };
        give_up(self, q);
        self.abandon_request(request, reason, q);
        q.retry.reset();
        None
    }

    /// A 401: get a fresh JWT and resend — unless the token was just refreshed, in which
    /// case the backend refuses the key itself.
    pub(super) fn reauthorize_then(
        &mut self,
        q: &mut SessionQueue,
        request: Request,
        why: &str,
        at: Attempt,
    ) -> Option<Request> {
        q.push_front(at.seq, request);
        if q.fresh_token {
            let why = format!("still unauthorised after re-authorising ({why})");
            self.refuse(q, DropReason::AuthFailed, &why, None, at.now);
            return None;
        }
        q.token = None;
        q.phase = Phase::Starting;
        q.retry.reset();
        q.push_front(at.seq, Request::Reauthorize);
        None
    }

    /// The backend will not take this session: drop (and count) everything it holds and
    /// everything it is sent later, and say so once.
    pub(super) fn refuse(
        &mut self,
        q: &mut SessionQueue,
        reason: DropReason,
        why: &str,
        http_status: Option<u16>,
        now: Instant,
    ) {
        q.phase = Phase::Refused(reason);
        q.state.set_status(SessionStatus::Refused);
        if q.caller_waiting(now) {
            log::error!("could not start session {}: {why}", q.id());
        } else {
            log::error!(
                "session {} was refused by the backend ({why}); its events are dropped and counted as {}",
                q.id(),
                reason.as_str()
            );
        }
        let refused = Error::new(
            ErrorKind::SessionRefused,
            format!("the backend refused the session: {why}"),
        );
        q.answer_start(Err(refused.with_http_status(http_status)));
        q.seal();
        for request in q.take_requests() {
            self.abandon_request(request, reason, q);
        }
        q.state.mark_lost_events();
        q.retry.reset();
    }

    /// Gives up on a request: its events are dropped (counted under `reason`) and an end
    /// waiter learns the end was not delivered.
    pub(super) fn abandon_request(
        &mut self,
        request: Request,
        reason: DropReason,
        q: &SessionQueue,
    ) {
        match request {
            Request::Events(batch) => self.settle_dropped(&batch, reason, q),
            Request::Update {
                end_reply: Some(reply),
                ..
            } => {
                let _ = reply.try_send(EndDelivery::default());
            }
            _ => {}
        }
    }

    pub(super) fn settle_delivered(&mut self, batch: &PendingBatch) {
        self.release_held(batch);
        self.counters()
            .settle_delivered(batch.len() as u64, batch.reserved_bytes);
    }

    pub(super) fn settle_dropped(
        &mut self,
        batch: &PendingBatch,
        reason: DropReason,
        q: &SessionQueue,
    ) {
        self.release_held(batch);
        self.counters()
            .settle_dropped(reason, batch.len() as u64, batch.reserved_bytes);
        q.state.mark_lost_events();
        self.mark_flushes_failed(batch.first_seq);
    }

    /// The backend took the request but refused `accepted.rejected` of its events: those
    /// are dropped (reason "rejected"), the rest delivered; bytes are split in proportion.
    pub(super) fn settle_partly_rejected(
        &mut self,
        batch: &PendingBatch,
        accepted: Accepted,
        q: &SessionQueue,
    ) {
        let events = batch.len() as u64;
        let rejected = (accepted.rejected as u64).min(events);
        let rejected_bytes = batch.reserved_bytes * rejected / events.max(1);
        log::warn!(
            "session {}: the backend rejected {rejected} of a batch of {events} events ({})",
            q.id(),
            accepted.why.as_deref().unwrap_or("no reason given")
        );
        self.release_held(batch);
        let counters = self.counters();
        counters.settle_delivered(events - rejected, batch.reserved_bytes - rejected_bytes);
        counters.settle_dropped(DropReason::Rejected, rejected, rejected_bytes);
        q.state.mark_lost_events();
        self.mark_flushes_failed(batch.first_seq);
    }

    fn release_held(&mut self, batch: &PendingBatch) {
        self.held.events -= batch.len() as u64;
        self.held.bytes -= batch.reserved_bytes;
    }
}
