//! The end of the worker: a planned shutdown (deliver until the deadline, then drop and
//! count the rest), and the failure after a panic (count what was held, answer every
//! waiter, then refuse what still arrives).

use std::time::Instant;

use crossbeam_channel::Sender;

use super::{ShutdownWaiter, Worker};
use crate::error::{Error, ErrorKind};
use crate::uploader::EndDelivery;
use crate::uploader::protocol::{Control, Message};
use crate::uploader::session_queue::{Request, SessionQueue};
use crate::uploader::stats::DropReason;

impl Worker {
    pub(super) fn begin_shutdown(&mut self, deadline: Instant, reply: Sender<bool>) {
        self.sessions.values_mut().for_each(SessionQueue::seal);
        let lost_before = self.counters().snapshot().dropped_after_acceptance();
        self.shutdown = Some(ShutdownWaiter {
            deadline,
            reply,
            lost_before,
        });
    }

    /// Every client handle is gone without a shutdown: shut down with the default deadline.
    pub(super) fn on_channel_closed(&mut self) {
        self.channel_closed = true;
        if self.shutdown.is_none() {
            let (reply, _) = crossbeam_channel::bounded(1);
            self.begin_shutdown(Instant::now() + self.settings.default_shutdown, reply);
        }
    }

    /// Ends the worker once everything is sent or the deadline has passed; `true` then.
    pub(super) fn finish_shutdown_if_due(&mut self, now: Instant) -> bool {
        let Some(shutdown) = &self.shutdown else {
            return false;
        };
        let all_sent = self.sessions.values().all(SessionQueue::is_idle);
        if !all_sent && now < shutdown.deadline {
            return false;
        }
        let lost_before = shutdown.lost_before;
        // Whatever is still here (or still in the channel) will not be delivered.
        let left_in_channel = self.drop_channel(DropReason::ShutdownDeadline);
        self.drop_sessions(DropReason::ShutdownDeadline, ErrorKind::ShutDown);
        self.exporter.flush();
        let stats = self.counters().snapshot();
        let completed =
            all_sent && left_in_channel == 0 && stats.dropped_after_acceptance() == lost_before;
        self.answer_all_flushes(completed);
        log_summary(&stats);
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.reply.try_send(completed);
        }
        true
    }

    /// Drops every event still in the channel; returns how many.
    fn drop_channel(&mut self, reason: DropReason) -> u64 {
        let mut dropped = 0;
        while let Ok(message) = self.rx.try_recv() {
            match message {
                Message::Event { bytes, .. } => {
                    self.counters().settle_dropped(reason, 1, bytes as u64);
                    dropped += 1;
                }
                Message::Control(control) => answer_failed(*control, ErrorKind::ShutDown),
            }
        }
        dropped
    }

    /// Drops what every session holds and answers their waiters.
    fn drop_sessions(&mut self, reason: DropReason, kind: ErrorKind) {
        for (_, mut q) in std::mem::take(&mut self.sessions) {
            q.seal();
            q.answer_start(Err(Error::new(
                kind,
                "the uploader stopped before the backend answered",
            )));
            for request in q.take_requests() {
                self.abandon_request(request, reason, &q);
            }
        }
    }

    /// After a panic: what was held is counted as dropped and every waiter is answered.
    /// The worker's state may be torn; only `held` and the waiters are trusted.
    pub(super) fn fail(&mut self, panic: &str) {
        self.shared
            .failed
            .store(true, std::sync::atomic::Ordering::Relaxed);
        log::error!(
            "the agentops uploader thread failed ({panic}); events are dropped and counted as {} from now on",
            DropReason::UploaderFailed.as_str()
        );
        let held = std::mem::take(&mut self.held);
        self.counters()
            .settle_dropped(DropReason::UploaderFailed, held.events, held.bytes);
        for (_, mut q) in std::mem::take(&mut self.sessions) {
            q.answer_start(Err(Error::new(
                ErrorKind::UploaderFailed,
                "the uploader thread failed",
            )));
            for request in q.take_requests() {
                if let Request::Update {
                    end_reply: Some(reply),
                    ..
                } = request
                {
                    let _ = reply.try_send(EndDelivery::default());
                }
            }
        }
        self.answer_all_flushes(false);
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.reply.try_send(false);
        }
    }

    /// After [`Worker::fail`]: refuses (and counts) whatever still arrives, answering at
    /// once, until a shutdown or until every sender is gone.
    pub(super) fn refuse_until_closed(self) {
        while let Ok(message) = self.rx.recv() {
            match message {
                Message::Event { bytes, .. } => {
                    self.counters()
                        .settle_dropped(DropReason::UploaderFailed, 1, bytes as u64);
                }
                Message::Control(control) => {
                    let stop = matches!(*control, Control::Shutdown { .. });
                    answer_failed(*control, ErrorKind::UploaderFailed);
                    if stop {
                        return;
                    }
                }
            }
        }
    }
}

/// Answers a control message that will not be carried out.
fn answer_failed(control: Control, kind: ErrorKind) {
    match control {
        Control::Start { reply, .. } => {
            let _ = reply.try_send(Err(Error::new(kind, "the uploader is not running")));
        }
        Control::End {
            reply: Some(reply), ..
        } => {
            let _ = reply.try_send(EndDelivery::default());
        }
        Control::Flush { reply, .. } | Control::Shutdown { reply, .. } => {
            let _ = reply.try_send(false);
        }
        _ => {}
    }
}

fn log_summary(stats: &crate::uploader::Stats) {
    if stats.dropped_total() > 0 {
        log::warn!(
            "shutdown: {} events delivered, {} dropped ({})",
            stats.delivered,
            stats.dropped_total(),
            stats.drops_summary()
        );
    } else {
        log::info!(
            "shutdown: {} events delivered, none dropped",
            stats.delivered
        );
    }
}
