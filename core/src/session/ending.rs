//! Ending a session: its pending events, then its final update, are sent; the caller may
//! wait for that at once, or in slices (a binding lets its host's signal handlers run in
//! between), and gets an [`EndReport`].

use std::time::Duration;

use super::{EndReport, Session, SessionStats};
use crate::error::{Error, ErrorKind, Result};
use crate::event::{EndState, time::Timestamp};
use crate::uploader::{EndDelivery, SessionStatus, Wait, Waiter};

/// A session's end under way.
pub struct EndWaiter {
    session: Session,
    state: EndState,
    reason: Option<String>,
    delivery: Waiter<EndDelivery>,
}

impl Wait for EndWaiter {
    type Answer = EndReport;

    /// The report once the end was delivered (or its wait is over).
    fn poll(&self, up_to: Duration) -> Option<EndReport> {
        self.delivery
            .poll(up_to)
            .map(|delivery| self.report(delivery))
    }
}

impl EndWaiter {
    fn report(&self, delivery: EndDelivery) -> EndReport {
        self.session
            .report(self.state, self.reason.clone(), delivery)
    }
}

/// Sessions ended together (`end_all_sessions`), whose delivery may be waited for in slices.
pub struct EndAllWaiter {
    pub(super) ended: Vec<Session>,
    pub(super) state: EndState,
    pub(super) reason: Option<String>,
    pub(super) flushed: Waiter<bool>,
}

impl EndAllWaiter {
    pub fn count(&self) -> usize {
        self.ended.len()
    }
}

impl Wait for EndAllWaiter {
    type Answer = Vec<EndReport>;

    /// The reports once everything was delivered (or the wait is over).
    fn poll(&self, up_to: Duration) -> Option<Vec<EndReport>> {
        if self.ended.is_empty() {
            return Some(Vec::new());
        }
        let flushed = self.flushed.poll(up_to)?;
        let reports = self.ended.iter().map(|session| {
            let delivery = EndDelivery {
                delivered: flushed && !session.data.state.lost_events(),
                token_cost: None,
            };
            session.report(self.state, self.reason.clone(), delivery)
        });
        Some(reports.collect())
    }
}

impl Session {
    fn report(&self, state: EndState, reason: Option<String>, delivery: EndDelivery) -> EndReport {
        EndReport {
            session_id: self.id(),
            end_state: state,
            end_state_reason: reason,
            stats: SessionStats {
                token_cost: delivery.token_cost.or_else(|| self.token_cost()),
                ..self.stats()
            },
            delivered: delivery.delivered,
            replay: self.replay(),
        }
    }

    /// Ends the session: its pending events, then the final update, are sent. Waits at
    /// most `session_end_timeout` for that (the uploader keeps going afterwards). A second
    /// call is a `SessionEnded` error and sends nothing.
    pub fn end(&self, state: EndState, reason: Option<String>) -> Result<EndReport> {
        let timeout = self.sessions.session_end_timeout();
        self.end_within(state, reason, Some(timeout))
    }

    /// As [`Session::end`] with an end state given as text (`"Success"`, `"Fail"`,
    /// `"Indeterminate"`, any case). Any other text is an `InvalidArgument` error with
    /// agentops 0.3's warning, and the session stays open.
    pub fn end_named(&self, state: &str, reason: Option<String>) -> Result<EndReport> {
        self.end(EndState::from_user(state)?, reason)
    }

    /// As [`Session::end`], waiting at most `wait` (`None`: queue the end and return).
    pub fn end_within(
        &self,
        state: EndState,
        reason: Option<String>,
        wait: Option<Duration>,
    ) -> Result<EndReport> {
        Ok(self.end_waiter(state, reason, wait)?.wait())
    }

    /// Ends the session and returns at once; the waiter gives the report once the end is
    /// delivered or `wait` is over (`None`: the end is only queued; the waiter answers at
    /// once, as not delivered).
    pub fn end_waiter(
        &self,
        state: EndState,
        reason: Option<String>,
        wait: Option<Duration>,
    ) -> Result<EndWaiter> {
        let previous = self.data.state.mark_ended();
        if previous == SessionStatus::Ended {
            return Err(Error::new(
                ErrorKind::SessionEnded,
                "the session has already ended",
            ));
        }
        let record = {
            let mut meta = self.data.meta();
            meta.end_state = state;
            meta.end_state_reason = reason.clone();
            meta.end_timestamp = Some(Timestamp::now());
            self.data.record_from(&meta)
        };
        self.sessions.forget(&self.data);
        // A refused session has nothing to deliver; the end only lets the worker forget it.
        let wait = wait.filter(|_| previous != SessionStatus::Refused);
        let delivery = self
            .sessions
            .uploader()
            .end_session(&self.data.state, record, wait);
        Ok(EndWaiter {
            session: self.clone(),
            state,
            reason,
            delivery,
        })
    }
}
