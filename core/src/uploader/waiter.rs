//! The answer to a request the caller may wait for in slices (a binding lets its host's
//! signal handlers run between them): a flush, a session's end.

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

/// A wait with a deadline that the caller may take in slices.
pub trait Wait {
    type Answer;

    /// Waits at most `up_to`: the answer, or `None` while it may still come.
    fn poll(&self, up_to: Duration) -> Option<Self::Answer>;

    /// Waits until the answer (at the latest, what the deadline gives).
    fn wait(&self) -> Self::Answer {
        loop {
            if let Some(answer) = self.poll(Duration::from_secs(3600)) {
                return answer;
            }
        }
    }
}

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

    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl<T: Clone> Wait for Waiter<T> {
    type Answer = T;

    /// Never past the deadline; once it has passed unanswered, what such a wait gives.
    fn poll(&self, up_to: Duration) -> Option<T> {
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
}
