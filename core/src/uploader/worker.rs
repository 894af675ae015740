//! The uploader thread. It alone talks to the exporter; callers only see atomics.
//!
//! Each turn it takes messages off the channel (encoding events into their session's
//! open batch at once, so buffered events are compact bytes), seals batches that are full
//! or old enough, makes at most one request, then answers flushes and shutdown. Backoff
//! never sleeps: a retrying session just is not ready until its time, and the others go on.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::retry::{GiveUp, RetryPolicy};
use super::session_queue::{PendingBatch, Phase, Request, SessionQueue};
use super::stats::{Counters, DropReason};
use super::{Control, EndOutcome, Message, ShutdownReport};
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::export::{Exporter, Outcome, SessionRef};
use crate::session::SessionStatus;

/// A request body is sealed before it exceeds this, whatever `max_queue_size` says.
const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// How long a turn may spend taking messages off the channel before the next request:
/// the bound keeps requests flowing under a sustained flood.
const DRAIN_PER_TURN: Duration = Duration::from_millis(50);
/// The longest the worker sleeps with nothing scheduled.
const IDLE_WAKE: Duration = Duration::from_secs(1);

struct FlushWaiter {
    /// Events and requests with a sequence number below this came before the flush.
    target: u64,
    deadline: Instant,
    all_delivered: bool,
    reply: Sender<bool>,
}

pub(crate) struct Worker {
    rx: Receiver<Message>,
    exporter: Box<dyn Exporter>,
    counters: Arc<Counters>,
    sessions: HashMap<u64, SessionQueue>,
    next_seq: u64,
    last_served: u64,
    flushes: Vec<FlushWaiter>,
    shutdown: Option<(Instant, Sender<ShutdownReport>)>,
    channel_closed: bool,
    batch_size: usize,
    max_wait: Duration,
    request_timeout: Duration,
    retry: RetryPolicy,
    default_shutdown: Duration,
}

impl Worker {
    pub fn new(
        config: &Config,
        exporter: Box<dyn Exporter>,
        rx: Receiver<Message>,
        counters: Arc<Counters>,
    ) -> Self {
        Worker {
            rx,
            exporter,
            counters,
            sessions: HashMap::new(),
            next_seq: 0,
            last_served: 0,
            flushes: Vec::new(),
            shutdown: None,
            channel_closed: false,
            batch_size: config.max_queue_size,
            max_wait: config.max_wait_time,
            request_timeout: config.request_timeout,
            retry: RetryPolicy {
                initial: config.retry_initial_backoff,
                max: config.retry_max_backoff,
                max_total: config.max_retry_time,
            },
            default_shutdown: config.shutdown_timeout,
        }
    }

    pub fn run(mut self) {
        loop {
            let now = Instant::now();
            let wait = self.next_wake(now).saturating_duration_since(now);
            if self.channel_closed {
                std::thread::sleep(wait);
            } else {
                match self.rx.recv_timeout(wait) {
                    Ok(message) => {
                        self.handle(message);
                        self.drain_channel();
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => self.on_channel_closed(),
                }
            }
            let now = Instant::now();
            self.seal_due(now);
            self.send_one(now);
            self.answer_flushes(Instant::now());
            if self.finish_shutdown_if_due(Instant::now()) {
                return;
            }
        }
    }

    fn drain_channel(&mut self) {
        let until = Instant::now() + DRAIN_PER_TURN;
        // Check the clock every 256 messages only: reading it costs as much as encoding.
        'drain: loop {
            for _ in 0..256 {
                match self.rx.try_recv() {
                    Ok(message) => self.handle(message),
                    Err(_) => break 'drain,
                }
            }
            if Instant::now() >= until {
                break;
            }
        }
    }

    /// Every client handle is gone without a shutdown: shut down with the default deadline.
    fn on_channel_closed(&mut self) {
        self.channel_closed = true;
        if self.shutdown.is_none() {
            let (reply, _) = crossbeam_channel::bounded(1);
            self.begin_shutdown(Instant::now() + self.default_shutdown, reply);
        }
    }

    fn take_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq - 1
    }

    fn next_wake(&self, now: Instant) -> Instant {
        let mut wake = now + IDLE_WAKE;
        for q in self.sessions.values() {
            if q.is_ready(now) {
                return now;
            }
            if let Some((_, opened)) = &q.open {
                wake = wake.min(*opened + self.max_wait);
            }
            if let (Some(at), true) = (q.retry.next_at, q.has_requests()) {
                wake = wake.min(at);
            }
        }
        for f in &self.flushes {
            wake = wake.min(f.deadline);
        }
        if let Some((deadline, _)) = &self.shutdown {
            wake = wake.min(*deadline);
        }
        wake
    }

    fn handle(&mut self, message: Message) {
        match message {
            Message::Event {
                session,
                bytes,
                event,
            } => {
                let seq = self.take_seq();
                let Some(q) = self.sessions.get_mut(&session) else {
                    log::debug!("event for an unknown or finished session dropped");
                    self.counters.release(1, bytes as u64);
                    self.counters.drop_events(DropReason::Rejected, 1);
                    return;
                };
                if let Phase::Refused(reason) = q.phase {
                    self.counters.release(1, bytes as u64);
                    self.counters.drop_events(reason, 1);
                    return;
                }
                let (batch, _) = q
                    .open
                    .get_or_insert_with(|| (PendingBatch::new(seq), Instant::now()));
                batch.push(event, bytes);
                if batch.len() >= self.batch_size || batch.reserved_bytes >= MAX_BATCH_BYTES as u64
                {
                    q.seal();
                }
            }
            Message::Control(control) => self.handle_control(*control),
        }
    }

    fn handle_control(&mut self, control: Control) {
        // Every control message takes a place in the sequence, so a flush waits for the
        // session updates and agents queued before it, not only for events.
        let seq = self.take_seq();
        match control {
            Control::Start {
                shared,
                record,
                reply,
                caller_waits_until,
            } => {
                let key = shared.key;
                let mut q = SessionQueue::new(shared, seq, Request::Start(record));
                q.start_reply = Some((reply, caller_waits_until));
                self.sessions.insert(key, q);
            }
            Control::Adopt { shared } => {
                let key = shared.key;
                self.sessions
                    .insert(key, SessionQueue::new(shared, seq, Request::Reauthorize));
            }
            Control::CreateAgent {
                session,
                agent_id,
                name,
            } => {
                if let Some(q) = self.sessions.get_mut(&session) {
                    // Events recorded before stay before: the agent must exist before any
                    // event that references it (reference issue #386).
                    q.seal();
                    q.push_back(seq, Request::Agent { id: agent_id, name });
                }
            }
            Control::Update { session, record } => {
                if let Some(q) = self.sessions.get_mut(&session) {
                    q.push_back(
                        seq,
                        Request::Update {
                            record,
                            end_reply: None,
                            ending: false,
                        },
                    );
                }
            }
            Control::End {
                session,
                record,
                reply,
            } => {
                let Some(q) = self.sessions.get_mut(&session) else {
                    if let Some(reply) = reply {
                        let _ = reply.try_send(EndOutcome::default());
                    }
                    return;
                };
                q.seal();
                q.ended = true;
                if matches!(q.phase, Phase::Refused(_)) {
                    if let Some(reply) = reply {
                        let _ = reply.try_send(EndOutcome::default());
                    }
                    self.sessions.remove(&session);
                } else {
                    q.push_back(
                        seq,
                        Request::Update {
                            record,
                            end_reply: reply,
                            ending: true,
                        },
                    );
                }
            }
            Control::Flush { deadline, reply } => {
                self.sessions.values_mut().for_each(SessionQueue::seal);
                self.flushes.push(FlushWaiter {
                    target: self.next_seq,
                    deadline,
                    all_delivered: true,
                    reply,
                });
            }
            Control::Shutdown { deadline, reply } => self.begin_shutdown(deadline, reply),
        }
    }

    fn begin_shutdown(&mut self, deadline: Instant, reply: Sender<ShutdownReport>) {
        self.sessions.values_mut().for_each(SessionQueue::seal);
        self.shutdown = Some((deadline, reply));
    }

    fn seal_due(&mut self, now: Instant) {
        let everything = self.shutdown.is_some();
        for q in self.sessions.values_mut() {
            if q.open
                .as_ref()
                .is_some_and(|(_, opened)| everything || now >= *opened + self.max_wait)
            {
                q.seal();
            }
        }
    }

    /// Round-robin over sessions: the next ready one after the last served.
    fn pick_ready(&self, now: Instant) -> Option<u64> {
        let ready = self
            .sessions
            .iter()
            .filter(|(_, q)| q.is_ready(now))
            .map(|(k, _)| *k);
        let (after, first) = ready.fold(
            (None, None),
            |(after, first): (Option<u64>, Option<u64>), k| {
                let after = if k > self.last_served {
                    Some(after.map_or(k, |a: u64| a.min(k)))
                } else {
                    after
                };
                (after, Some(first.map_or(k, |f: u64| f.min(k))))
            },
        );
        after.or(first)
    }

    fn request_timeout(&self, now: Instant) -> Duration {
        match &self.shutdown {
            Some((deadline, _)) => self
                .request_timeout
                .min(deadline.saturating_duration_since(now)),
            None => self.request_timeout,
        }
    }

    fn send_one(&mut self, now: Instant) {
        let Some(key) = self.pick_ready(now) else {
            return;
        };
        self.last_served = key;
        let timeout = self.request_timeout(now);
        if timeout.is_zero() {
            return; // the shutdown deadline has passed; finish_shutdown_if_due reports it
        }
        let hard_deadline = self.shutdown.as_ref().map(|(d, _)| *d);
        let Some(mut q) = self.sessions.remove(&key) else {
            return;
        };
        let Some((seq, request)) = q.pop_front() else {
            self.sessions.insert(key, q);
            return;
        };
        let token = q.token.clone();
        let session = SessionRef {
            id: &q.shared.id,
            token: token.as_deref(),
        };
        // Each arm decides the request's fate; `None` means "resolved, do not put it back".
        let unresolved: Option<Request> = match request {
            Request::Start(record) => match self.exporter.start_session(&record, timeout) {
                Outcome::Done(started) => {
                    q.token = started.token;
                    q.phase = Phase::Active;
                    q.shared.set_status(SessionStatus::Running);
                    q.retry.reset();
                    q.answer_start(Ok(()));
                    None
                }
                // While the caller still waits, an HTTP error answer is a definite refusal.
                Outcome::Retry {
                    status: Some(s),
                    why,
                    ..
                } if q.caller_waiting(now) && s != 408 && s != 429 => {
                    self.refuse(&mut q, DropReason::Rejected, &why);
                    None
                }
                Outcome::Retry { after, why, .. } => self.retry_or(
                    &mut q,
                    Request::Start(record),
                    after,
                    hard_deadline,
                    now,
                    |w, q| w.refuse(q, DropReason::RetriesExhausted, &why),
                ),
                Outcome::Unauthorized { why } => {
                    self.refuse(
                        &mut q,
                        DropReason::AuthFailed,
                        &format!("invalid API key ({why})"),
                    );
                    None
                }
                Outcome::TooLarge => {
                    self.refuse(&mut q, DropReason::Rejected, "HTTP 413");
                    None
                }
                Outcome::Rejected { why } => {
                    self.refuse(&mut q, DropReason::Rejected, &why);
                    None
                }
            },
            Request::Reauthorize => match self.exporter.reauthorize(&q.shared.id, timeout) {
                Outcome::Done(started) => {
                    q.token = started.token;
                    q.phase = Phase::Active;
                    q.fresh_token = true;
                    q.shared.set_status(SessionStatus::Running);
                    q.retry.reset();
                    None
                }
                Outcome::Retry { after, why, .. } => self.retry_or(
                    &mut q,
                    Request::Reauthorize,
                    after,
                    hard_deadline,
                    now,
                    |w, q| w.refuse(q, DropReason::RetriesExhausted, &why),
                ),
                Outcome::Unauthorized { why } | Outcome::Rejected { why } => {
                    self.refuse(
                        &mut q,
                        DropReason::AuthFailed,
                        &format!("re-authorisation refused ({why})"),
                    );
                    None
                }
                Outcome::TooLarge => {
                    self.refuse(
                        &mut q,
                        DropReason::AuthFailed,
                        "re-authorisation refused (HTTP 413)",
                    );
                    None
                }
            },
            Request::Events(mut batch) => {
                batch.encode(self.exporter.as_ref(), &q.shared.id);
                match self.exporter.send_events(session, batch.encoded(), timeout) {
                    Outcome::Done(()) => {
                        self.counters
                            .delivered
                            .fetch_add(batch.len() as u64, std::sync::atomic::Ordering::Relaxed);
                        self.counters
                            .release(batch.len() as u64, batch.reserved_bytes);
                        q.retry.reset();
                        q.fresh_token = false;
                        None
                    }
                    Outcome::Retry { after, why, .. } => self.retry_or(
                        &mut q,
                        Request::Events(batch),
                        after,
                        hard_deadline,
                        now,
                        |_, q| {
                            log::warn!("session {}: giving up on a batch of events ({why})", q.id())
                        },
                    ),
                    Outcome::Unauthorized { why } => {
                        self.reauthorize_then(&mut q, seq, Request::Events(batch), &why)
                    }
                    Outcome::TooLarge if batch.len() >= 2 => {
                        let second = batch.split_half();
                        q.push_front(seq, Request::Events(second));
                        q.retry.reset();
                        Some(Request::Events(batch))
                    }
                    Outcome::TooLarge => {
                        log::warn!(
                            "session {}: an event is larger than the backend accepts (HTTP 413); dropped",
                            q.id()
                        );
                        self.drop_batch(&batch, DropReason::Rejected);
                        q.retry.reset();
                        None
                    }
                    Outcome::Rejected { why } => {
                        log::warn!(
                            "session {}: the backend rejected a batch of {} events ({why})",
                            q.id(),
                            batch.len()
                        );
                        self.drop_batch(&batch, DropReason::Rejected);
                        q.retry.reset();
                        None
                    }
                }
            }
            Request::Agent { id, name } => {
                match self.exporter.create_agent(session, &id, &name, timeout) {
                    Outcome::Done(()) => {
                        q.retry.reset();
                        None
                    }
                    Outcome::Unauthorized { why } => {
                        self.reauthorize_then(&mut q, seq, Request::Agent { id, name }, &why)
                    }
                    Outcome::Retry { after, why, .. } => self.retry_or(
                        &mut q,
                        Request::Agent { id, name },
                        after,
                        hard_deadline,
                        now,
                        |_, q| log::warn!("session {}: could not create an agent ({why})", q.id()),
                    ),
                    Outcome::TooLarge | Outcome::Rejected { .. } => {
                        log::warn!("session {}: the backend refused to create an agent", q.id());
                        q.retry.reset();
                        None
                    }
                }
            }
            Request::Update {
                record,
                end_reply,
                ending,
            } => {
                match self
                    .exporter
                    .update_session(session, &record, ending, timeout)
                {
                    Outcome::Done(updated) => {
                        if let Some(cost) = updated.token_cost {
                            q.shared.set_token_cost(cost);
                        }
                        if let Some(reply) = end_reply {
                            let delivered = !q.shared.lost_events();
                            let _ = reply.try_send(EndOutcome {
                                delivered,
                                token_cost: updated.token_cost,
                            });
                        }
                        q.retry.reset();
                        None
                    }
                    Outcome::Unauthorized { why } => self.reauthorize_then(
                        &mut q,
                        seq,
                        Request::Update {
                            record,
                            end_reply,
                            ending,
                        },
                        &why,
                    ),
                    Outcome::Retry { after, why, .. } => {
                        let request = Request::Update {
                            record,
                            end_reply,
                            ending,
                        };
                        self.retry_or(&mut q, request, after, hard_deadline, now, |_, q| {
                            log::warn!("session {}: could not update the session ({why})", q.id())
                        })
                    }
                    Outcome::TooLarge | Outcome::Rejected { .. } => {
                        log::warn!("session {}: the backend refused the session update", q.id());
                        if let Some(reply) = end_reply {
                            let _ = reply.try_send(EndOutcome::default());
                        }
                        q.retry.reset();
                        None
                    }
                }
            }
        };
        if let Some(request) = unresolved {
            q.push_front(seq, request);
        }
        if q.ended && q.is_idle() {
            return; // finished: forget the session
        }
        self.sessions.insert(key, q);
    }

    /// Schedules a retry of `request`, or gives up on it (calling `give_up`, dropping the
    /// events it carries and answering an end waiter).
    fn retry_or(
        &mut self,
        q: &mut SessionQueue,
        request: Request,
        after: Option<Duration>,
        hard_deadline: Option<Instant>,
        now: Instant,
        give_up: impl FnOnce(&mut Self, &mut SessionQueue),
    ) -> Option<Request> {
        let reason = match q.retry.schedule(&self.retry, now, after, hard_deadline) {
            Ok(()) => {
                self.counters
                    .retried
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Some(request);
            }
            Err(GiveUp::Exhausted) => DropReason::RetriesExhausted,
            Err(GiveUp::Deadline) => DropReason::ShutdownDeadline,
        };
        give_up(self, q);
        self.abandon(request, reason, q);
        q.retry.reset();
        None
    }

    /// A 401: get a fresh JWT and resend — unless the token was just refreshed, in which
    /// case the backend refuses the key itself.
    fn reauthorize_then(
        &mut self,
        q: &mut SessionQueue,
        seq: u64,
        request: Request,
        why: &str,
    ) -> Option<Request> {
        if q.fresh_token {
            q.push_front(seq, request);
            self.refuse(
                q,
                DropReason::AuthFailed,
                &format!("still unauthorised after re-authorising ({why})"),
            );
            return None;
        }
        q.token = None;
        q.phase = Phase::Starting;
        q.retry.reset();
        q.push_front(seq, request);
        q.push_front(seq, Request::Reauthorize);
        None
    }

    /// The backend will not take this session: drop (and count) everything it holds and
    /// everything it is sent later, and say so once.
    fn refuse(&mut self, q: &mut SessionQueue, reason: DropReason, why: &str) {
        q.phase = Phase::Refused(reason);
        q.shared.set_status(SessionStatus::Refused);
        let caller_told = q
            .start_reply
            .as_ref()
            .is_some_and(|(_, until)| Instant::now() < *until);
        q.answer_start(Err(Error::new(
            ErrorKind::SessionRefused,
            format!("the backend refused the session: {why}"),
        )));
        if caller_told {
            log::error!("could not start session {}: {why}", q.id());
        } else {
            log::error!(
                "session {} was refused by the backend ({why}); its events are dropped and counted as {}",
                q.id(),
                reason.as_str()
            );
        }
        q.seal();
        for request in q.take_requests() {
            self.abandon(request, reason, q);
        }
        q.shared.mark_lost_events();
        q.retry.reset();
    }

    /// Gives up on a request: its events are dropped (counted under `reason`) and an end
    /// waiter learns the end was not delivered. Returns how many events were dropped.
    fn abandon(&mut self, request: Request, reason: DropReason, q: &SessionQueue) -> u64 {
        match request {
            Request::Events(batch) => {
                self.drop_batch(&batch, reason);
                q.shared.mark_lost_events();
                batch.len() as u64
            }
            Request::Update {
                end_reply: Some(reply),
                ..
            } => {
                let _ = reply.try_send(EndOutcome::default());
                0
            }
            _ => 0,
        }
    }

    fn drop_batch(&mut self, batch: &PendingBatch, reason: DropReason) {
        self.counters
            .release(batch.len() as u64, batch.reserved_bytes);
        self.counters.drop_events(reason, batch.len() as u64);
        self.mark_flushes_failed(batch.first_seq);
    }

    fn mark_flushes_failed(&mut self, first_seq: u64) {
        for f in &mut self.flushes {
            if first_seq < f.target {
                f.all_delivered = false;
            }
        }
    }

    fn answer_flushes(&mut self, now: Instant) {
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

    /// Ends the worker once everything is sent or the deadline has passed.
    fn finish_shutdown_if_due(&mut self, now: Instant) -> bool {
        let Some((deadline, _)) = &self.shutdown else {
            return false;
        };
        let all_sent = self.sessions.values().all(SessionQueue::is_idle);
        if !all_sent && now < *deadline {
            return false;
        }
        // Whatever is still here (or still in the channel) will not be delivered.
        let mut left = 0;
        while let Ok(message) = self.rx.try_recv() {
            if let Message::Event { bytes, .. } = message {
                self.counters.release(1, bytes as u64);
                left += 1;
            }
        }
        self.counters
            .drop_events(DropReason::ShutdownDeadline, left);
        for (_, mut q) in std::mem::take(&mut self.sessions) {
            q.seal();
            q.answer_start(Err(Error::new(
                ErrorKind::ShutDown,
                "the client shut down before the backend answered",
            )));
            for request in q.take_requests() {
                left += self.abandon(request, DropReason::ShutdownDeadline, &q);
            }
        }

        self.exporter.flush();
        for f in self.flushes.drain(..) {
            let _ = f.reply.try_send(left == 0 && f.all_delivered);
        }
        let stats = self.counters.snapshot();
        if stats.dropped_total() > 0 {
            let by_reason: Vec<String> = DropReason::ALL
                .iter()
                .filter(|r| stats.dropped(**r) > 0)
                .map(|r| format!("{}={}", r.as_str(), stats.dropped(*r)))
                .collect();
            log::warn!(
                "shutdown: {} events delivered, {} dropped ({})",
                stats.delivered,
                stats.dropped_total(),
                by_reason.join(", ")
            );
        } else {
            log::info!(
                "shutdown: {} events delivered, none dropped",
                stats.delivered
            );
        }
        if let Some((_, reply)) = self.shutdown.take() {
            let _ = reply.try_send(ShutdownReport {
                completed: left == 0,
                left,
                stats,
            });
        }
        true
    }
}
