//! Flush waiters: answered once everything enqueued before them is resolved, or at their
//! deadline.

use std::time::Instant;

use crossbeam_channel::Sender;

use super::Worker;
use crate::uploader::session_queue::SessionQueue;

pub(super) struct FlushWaiter {
    /// Events and requests with a sequence number below this came before the flush.
    target: u64,
    pub deadline: Instant,
    all_delivered: bool,
    reply: Sender<bool>,
}

impl Worker {
    pub(super) fn add_flush(&mut self, deadline: Instant, reply: Sender<bool>) {
        self.sessions.values_mut().for_each(SessionQueue::seal);
        self.flushes.push(FlushWaiter {
            target: self.next_seq,
            deadline,
            all_delivered: true,
            reply,
        });
    }

    /// Events from `first_seq` on were dropped: flushes waiting for them report a loss.
    pub(super) fn mark_flushes_failed(&mut self, first_seq: u64) {
        for f in &mut self.flushes {
            if first_seq < f.target {
                f.all_delivered = false;
            }
        }
    }

    pub(super) fn answer_flushes(&mut self, now: Instant) {
        if self.flushes.is_empty() {
            return;
        }
        let oldest = self
            .sessions
            .values()
            .filter_map(SessionQueue::oldest_pending_seq)
            .min();
        let done = |f: &FlushWaiter| oldest.is_none_or(|seq| seq >= f.target);
        if self.flushes.iter().any(done) {
            self.exporter.flush();
        }
        self.flushes.retain(|f| {
            if done(f) {
                let _ = f.reply.try_send(f.all_delivered);
                false
            } else if now >= f.deadline {
                let _ = f.reply.try_send(false);
                false
            } else {
                true
            }
        });
    }

    /// Answers every flush at once (the worker is finishing).
    pub(super) fn answer_all_flushes(&mut self, all_delivered: bool) {
        for f in self.flushes.drain(..) {
            let _ = f.reply.try_send(all_delivered && f.all_delivered);
        }
    }
}
