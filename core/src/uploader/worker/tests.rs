//! The worker driven turn by turn with a scripted exporter and a fake clock: every retry,
//! 413, 401, refusal and give-up path, deterministically and without sleeping.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded};

use super::{Shared, Worker};
use crate::config::Config;
use crate::error::{ErrorKind, Result};
use crate::event::{EndState, Event, time::Timestamp};
use crate::export::SessionRecord;
use crate::export::scripted::{Answer, Call, ScriptedExporter, rejected, transient, unauthorized};
use crate::uploader::EndDelivery;
use crate::uploader::protocol::{Control, Message, Pending};
use crate::uploader::state::{SessionState, SessionStatus};
use crate::uploader::stats::{Counters, DropReason, Reservation};
use crate::uploader::wake::Wake;

struct Harness {
    worker: Worker,
    tx: Sender<Message>,
    exporter: ScriptedExporter,
    shared: Arc<Shared>,
    now: Instant,
    next_key: u64,
}

fn harness(tweak: impl FnOnce(&mut Config)) -> Harness {
    let mut config = Config {
        max_queue_size: 3,
        max_wait_time: Duration::from_secs(1),
        retry_initial_backoff: Duration::from_millis(100),
        retry_max_backoff: Duration::from_secs(1),
        max_retry_time: Duration::from_secs(5),
        ..Config::default()
    };
    tweak(&mut config);
    let (tx, rx) = bounded(1000);
    let shared = Arc::new(Shared {
        counters: Counters::default(),
        wake: Wake::new(),
        failed: AtomicBool::new(false),
    });
    let exporter = ScriptedExporter::default();
    let worker = Worker::new(&config, Box::new(exporter.clone()), rx, shared.clone());
    Harness {
        worker,
        tx,
        exporter,
        shared,
        now: Instant::now(),
        next_key: 1,
    }
}

fn record(id: uuid::Uuid) -> SessionRecord {
    SessionRecord {
        session_id: id,
        init_timestamp: Timestamp::now(),
        end_timestamp: None,
        end_state: EndState::Indeterminate,
        end_state_reason: None,
        tags: Vec::new(),
        video: None,
        event_counts: [0; 5],
    }
}

impl Harness {
    fn control(&self, control: Control) {
        self.tx.send(Message::Control(Box::new(control))).unwrap();
    }

    /// Starts a session whose caller waits 2 s (of fake time).
    fn start(&mut self) -> (Arc<SessionState>, Receiver<Result<()>>) {
        let state = Arc::new(SessionState::new(self.next_key, crate::event::id::new_id()));
        self.next_key += 1;
        let (reply, answer) = bounded(1);
        self.control(Control::Start {
            state: state.clone(),
            record: record(state.id()),
            reply,
            caller_waits_until: self.now + Duration::from_secs(2),
        });
        (state, answer)
    }

    /// What `Pipeline::submit` does: reserve, then hand over. Returns the event id.
    fn submit(&self, state: &SessionState) -> String {
        let event = Event::action("a");
        let id = event.id.to_string();
        let reserved = self.shared.counters.try_reserve(100, 1000, 1 << 20);
        assert!(matches!(reserved, Reservation::Reserved { .. }));
        let message = Message::Event {
            session: state.key,
            bytes: 100,
            event: Pending::Ready(Box::new(event)),
        };
        self.tx.send(message).unwrap();
        id
    }

    fn submit_n(&self, state: &SessionState, n: usize) -> Vec<String> {
        (0..n).map(|_| self.submit(state)).collect()
    }

    /// One turn at the current fake time; `true` when the worker finished.
    fn turn(&mut self) -> bool {
        let now = self.now;
        self.worker.turn(&move || now)
    }

    fn advance(&mut self, by: Duration) -> bool {
        self.now += by;
        self.turn()
    }

    fn turns(&mut self, n: usize) {
        for _ in 0..n {
            self.turn();
        }
    }

    fn stats(&self) -> crate::uploader::Stats {
        self.shared.counters.snapshot()
    }

    fn delivered(&self) -> Vec<String> {
        self.exporter.script().delivered.clone()
    }
}

#[test]
fn transient_failures_are_retried_after_their_backoff_and_delivered_once_in_order() {
    let mut h = harness(|_| {});
    h.exporter
        .script()
        .then(Call::Events, transient(503))
        .then(Call::Events, transient(429));
    let (state, answer) = h.start();
    let ids = h.submit_n(&state, 3);
    h.turn(); // start
    assert_eq!(answer.try_recv().unwrap(), Ok(()));
    assert_eq!(state.status(), SessionStatus::Running);
    h.turn(); // 503
    h.advance(Duration::from_millis(50));
    assert_eq!(
        h.exporter.script().count(Call::Events),
        1,
        "not before its backoff (80..120 ms)"
    );
    h.advance(Duration::from_millis(100)); // 429
    h.advance(Duration::from_millis(250)); // the second backoff is 160..240 ms
    assert_eq!(h.exporter.script().count(Call::Events), 3);
    assert_eq!(h.delivered(), ids);
    let s = h.stats();
    assert_eq!(
        (s.delivered, s.queued, s.retried, s.dropped_total()),
        (3, 0, 2, 0)
    );
}

#[test]
fn a_401_reauthorises_and_resends_and_a_second_401_refuses_the_key() {
    let mut h = harness(|_| {});
    let (state, _) = h.start();
    h.turn();
    h.exporter.script().then(Call::Events, unauthorized());
    let ids = h.submit_n(&state, 3);
    h.turns(3); // 401, reauthorise, resend
    assert_eq!(h.exporter.script().count(Call::Reauthorize), 1);
    assert_eq!(h.delivered(), ids);

    h.exporter
        .script()
        .then(Call::Events, unauthorized())
        .then(Call::Events, unauthorized());
    h.submit_n(&state, 3);
    h.turns(4); // 401, reauthorise, 401 right after a fresh token: the key is refused
    assert_eq!(state.status(), SessionStatus::Refused);
    assert_eq!(h.stats().dropped(DropReason::AuthFailed), 3);
    h.submit(&state);
    h.turn();
    assert_eq!(
        h.stats().dropped(DropReason::AuthFailed),
        4,
        "later events are dropped as they come"
    );
    assert_eq!(h.stats().queued, 0);
}

#[test]
fn a_413_splits_the_batch_until_it_fits_and_a_single_event_too_large_is_dropped() {
    let mut h = harness(|c| c.max_queue_size = 5);
    h.exporter.script().max_events_per_request = Some(2);
    let (state, _) = h.start();
    let ids = h.submit_n(&state, 5);
    h.turns(10);
    assert_eq!(
        h.delivered(),
        ids,
        "halves keep the order; nothing lost or doubled"
    );
    assert_eq!(h.stats().dropped_total(), 0);

    h.exporter.script().max_events_per_request = Some(0);
    h.submit_n(&state, 5);
    h.turns(12);
    assert_eq!(h.stats().dropped(DropReason::Rejected), 5);
    assert!(state.lost_events());
}

#[test]
fn a_rejected_batch_is_dropped_and_the_session_goes_on() {
    let mut h = harness(|_| {});
    h.exporter.script().then(Call::Events, rejected(400));
    let (state, _) = h.start();
    h.submit_n(&state, 3);
    let later = h.submit_n(&state, 3);
    h.turns(4);
    assert_eq!(h.stats().dropped(DropReason::Rejected), 3);
    assert_eq!(h.delivered(), later);
    assert_eq!(state.status(), SessionStatus::Running);
}

#[test]
fn an_http_error_while_the_caller_waits_refuses_the_session_with_its_status() {
    let mut h = harness(|_| {});
    h.exporter.script().then(Call::Start, transient(500));
    let (state, answer) = h.start();
    h.submit_n(&state, 2);
    h.turn();
    let err = answer.try_recv().unwrap().unwrap_err();
    assert_eq!(
        (err.kind(), err.http_status()),
        (ErrorKind::SessionRefused, Some(500))
    );
    assert_eq!(state.status(), SessionStatus::Refused);
    assert_eq!(h.stats().dropped(DropReason::Rejected), 2);
    assert_eq!(h.exporter.script().count(Call::Events), 0);
}

#[test]
fn after_the_callers_wait_a_5xx_at_start_is_retried() {
    let mut h = harness(|_| {});
    h.exporter.script().then(Call::Start, transient(503));
    let (state, _) = h.start();
    let ids = h.submit_n(&state, 3);
    h.advance(Duration::from_secs(3)); // past the caller's 2 s: retried, not refused
    h.advance(Duration::from_millis(200));
    h.turn();
    assert_eq!(state.status(), SessionStatus::Running);
    assert_eq!(h.delivered(), ids);
}

#[test]
fn retries_stop_at_max_retry_time_and_the_batch_is_counted_as_exhausted() {
    let mut h = harness(|c| c.max_retry_time = Duration::from_secs(1));
    let (state, _) = h.start();
    h.turn();
    for _ in 0..20 {
        h.exporter.script().then(Call::Events, transient(503));
    }
    h.submit_n(&state, 3);
    for _ in 0..20 {
        h.advance(Duration::from_millis(300));
    }
    assert_eq!(h.stats().dropped(DropReason::RetriesExhausted), 3);
    assert!(h.exporter.script().count(Call::Events) < 10, "backoff grew");
    assert_eq!(h.stats().queued, 0);
}

#[test]
fn an_end_waits_for_the_sessions_events_and_reports_the_cost() {
    let mut h = harness(|_| {});
    let (state, _) = h.start();
    let ids = h.submit_n(&state, 2);
    let (reply, answer) = bounded(1);
    h.control(Control::End {
        session: state.key,
        record: record(state.id()),
        reply: Some(reply),
    });
    h.turns(3);
    assert_eq!(
        h.delivered(),
        ids,
        "sealed by the end, before the final update"
    );
    assert_eq!(
        h.exporter.script().calls,
        [Call::Start, Call::Events, Call::End]
    );
    let delivery: EndDelivery = answer.try_recv().unwrap();
    assert!(delivery.delivered);
    assert_eq!(delivery.token_cost, Some(1.5));
    assert!(
        h.worker.sessions.is_empty(),
        "a finished session is forgotten"
    );
}

#[test]
fn a_shutdown_gives_up_at_its_deadline_and_counts_what_was_left() {
    let mut h = harness(|_| {});
    let (state, _) = h.start();
    h.turn();
    for _ in 0..50 {
        h.exporter.script().then(Call::Events, transient(503));
    }
    h.submit_n(&state, 2);
    let (reply, answer) = bounded(1);
    h.control(Control::Shutdown {
        deadline: h.now + Duration::from_millis(500),
        reply,
    });
    let mut finished = false;
    for _ in 0..20 {
        if h.advance(Duration::from_millis(100)) {
            finished = true;
            break;
        }
    }
    assert!(finished, "the worker ends at its deadline");
    assert_eq!(answer.try_recv(), Ok(false));
    let s = h.stats();
    assert_eq!((s.queued, s.dropped(DropReason::ShutdownDeadline)), (0, 2));
}

#[test]
fn a_flush_waits_for_everything_before_it_and_reports_losses() {
    let mut h = harness(|_| {});
    let (state, _) = h.start();
    h.submit(&state);
    let (reply, answer) = bounded(1);
    h.control(Control::Flush {
        deadline: h.now + Duration::from_secs(5),
        reply,
    });
    h.turn();
    assert!(
        answer.try_recv().is_err(),
        "not yet: the start and the event are pending"
    );
    h.turns(2);
    assert_eq!(answer.try_recv(), Ok(true));

    h.exporter.script().then(Call::Events, rejected(400));
    h.submit(&state);
    let (reply, answer) = bounded(1);
    h.control(Control::Flush {
        deadline: h.now + Duration::from_secs(5),
        reply,
    });
    h.turns(2);
    assert_eq!(
        answer.try_recv(),
        Ok(false),
        "the event before it was dropped"
    );
}

#[test]
fn a_panic_counts_what_was_held_and_answers_every_waiter() {
    let mut h = harness(|_| {});
    let (state, _) = h.start();
    h.turn();
    h.exporter.script().then(Call::Events, Answer::Panic);
    h.submit_n(&state, 3);
    h.submit(&state); // still in an open batch
    let (flush_reply, flush_answer) = bounded(1);
    h.control(Control::Flush {
        deadline: h.now + Duration::from_secs(60),
        reply: flush_reply,
    });
    let Harness {
        worker, tx, shared, ..
    } = h;
    let thread = std::thread::spawn(move || worker.run());
    assert_eq!(
        flush_answer.recv_timeout(Duration::from_secs(30)),
        Ok(false)
    );
    assert!(shared.failed.load(std::sync::atomic::Ordering::Relaxed));
    // Late arrivals are refused at once, and counted.
    let (reply, answer) = bounded(1);
    tx.send(Message::Control(Box::new(Control::Flush {
        deadline: Instant::now() + Duration::from_secs(60),
        reply,
    })))
    .unwrap();
    assert_eq!(answer.recv_timeout(Duration::from_secs(30)), Ok(false));
    drop(tx);
    thread.join().unwrap();
    let s = shared.counters.snapshot();
    assert_eq!((s.queued, s.dropped(DropReason::UploaderFailed)), (0, 4));
}
