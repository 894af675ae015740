//! The answer to a request the caller may wait for in slices (a binding lets its host's
//! signal handlers run between them): a flush, a session's end.

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

pub struct Waiter<T> {
    answer: Option<Receiver<T>>,
    deadline: Instant,
    /// What the wait gives when the deadline passes (or the worker is gone) unanswered.
    unanswered: T,
}

impl<T: Clone> Waiter<T> {
    pub(crate) fn new(answer: Option<Receiver<T>>, deadline: Instant, unanswered: T) -> Self {
        Waiter {
            answer,
            deadline,
            unanswered,
        }
    }

    /// Waits at most `up_to` (never past the deadline): the answer, or what an
    /// unanswered wait gives once the deadline has passed; `None` while it may still come.
    pub fn poll(&self, up_to: Duration) -> Option<T> {
        let Some(answer) = &self.answer else {
            return Some(self.unanswered.clone());
        };
        let until = self.deadline.min(Instant::now() + up_to);
        match answer.recv_deadline(until) {
            Ok(value) => Some(value),
            Err(RecvTimeoutError::Timeout) if Instant::now() < self.deadline => None,
            Err(_) => Some(self.unanswered.clone()),
        }
    }

    /// Waits until the answer or the deadline.
    pub fn wait(&self) -> T {
        loop {
            if let Some(value) = self.poll(Duration::from_secs(3600)) {
                return value;
            }
        }
    }

    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}
