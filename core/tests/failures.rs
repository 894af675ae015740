//! Delivery through backend failures: retries, re-authorisation, 413 splits, outages,
//! hung backends, and the memory bound — each asserted on what the mock backend received.

mod support;

use std::time::{Duration, Instant};

use agentops_core::{Client, DropReason, Event, SessionStatus, StartOptions};
use serde_json::{Value, json};
use support::{MockBackend, config, record_n, start};

const WAIT: Duration = Duration::from_secs(30);

fn statuses(mock: &MockBackend, path: &str) -> Vec<Value> {
    mock.requests(Some(path))
        .iter()
        .map(|r| r["status"].clone())
        .collect()
}

#[test]
fn every_event_arrives_exactly_once_through_5xx_429_and_reset_storms() {
    let mock = MockBackend::start();
    mock.script(
        "/v2/create_events",
        json!([
            {"status": 503}, {"status": 429, "retry_after": "0.2"}, {"reset": true}, {"status": 500},
            {"status": 502}, {"reset": true}, {"status": 504}, {"status": 408}, {"status": 429},
            {"reset": true}, {"status": 503, "retry_after": "0"}, {"status": 500}
        ]),
    );
    let (client, session) = start(&mock, |c| c.max_queue_size = 20);
    let ids = record_n(&session, 300);
    assert!(client.flush(WAIT), "flush reports full delivery");
    let got: Vec<String> = mock
        .session_events(&session.id().to_string())
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, ids, "all events, once each, in order");
    assert_eq!(mock.events()["duplicates"], json!([]));
    let stats = client.stats();
    assert_eq!((stats.delivered, stats.dropped_total()), (300, 0));
    assert!(
        stats.retried >= 12,
        "each scripted fault was retried: {stats:?}"
    );
    let sent = statuses(&mock, "/v2/create_events");
    assert!(sent.contains(&json!("reset")) && sent.contains(&json!(429)));
}

#[test]
fn retry_after_is_honoured() {
    let mock = MockBackend::start();
    mock.script(
        "/v2/create_events",
        json!([{"status": 429, "retry_after": "1"}]),
    );
    let (client, session) = start(&mock, |_| {});
    record_n(&session, 1);
    assert!(client.flush(WAIT));
    let reqs = mock.requests(Some("/v2/create_events"));
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1]["t"].as_f64().unwrap() - reqs[0]["t"].as_f64().unwrap();
    assert!(gap >= 0.95, "resent {gap:.3}s after a 'Retry-After: 1'");
}

#[test]
fn an_expired_jwt_is_reauthorised_and_the_batch_resent() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |_| {});
    let sid = session.id().to_string();
    record_n(&session, 5);
    assert!(client.flush(WAIT));
    assert_eq!(mock.expire_jwt(&sid), 1);
    record_n(&session, 5);
    assert!(client.flush(WAIT), "delivered after re-authorising");
    assert_eq!(mock.accepted_for(&sid), 10);
    let reauth = mock.requests(Some("/v2/reauthorize_jwt"));
    assert_eq!(reauth.len(), 1);
    assert_eq!(reauth[0]["body"], json!({"session_id": sid}));
    assert!(
        reauth[0]["headers"]["x-agentops-api-key"].is_string(),
        "the key travels on reauthorize_jwt"
    );
    let events = mock.requests(Some("/v2/create_events"));
    let last_auth = events.last().unwrap()["headers"]["authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    let first_auth = events[0]["headers"]["authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(
        first_auth, last_auth,
        "the resent batch carries the new JWT"
    );
    assert_eq!(
        statuses(&mock, "/v2/create_events"),
        [json!(200), json!(401), json!(200)]
    );
}

#[test]
fn a_key_refused_even_after_reauthorising_drops_the_sessions_events_as_auth_failed() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |_| {});
    mock.script(
        "/v2/create_events",
        json!([{"status": 401}, {"status": 401}]),
    );
    record_n(&session, 4);
    assert!(!client.flush(WAIT), "flush reports the loss");
    assert_eq!(client.stats().dropped(DropReason::AuthFailed), 4);
    assert_eq!(session.status(), SessionStatus::Refused);
    assert!(session.record(Event::action("more")).is_err());
}

#[test]
fn a_413_splits_the_batch_until_the_backend_accepts_it() {
    let mock = MockBackend::start();
    mock.rules("/v2/create_events", json!({"max_events_per_request": 7}));
    let (client, session) = start(&mock, |c| c.max_queue_size = 50);
    let ids = record_n(&session, 50);
    assert!(client.flush(WAIT));
    let got: Vec<String> = mock
        .session_events(&session.id().to_string())
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        got, ids,
        "split halves keep the order; nothing lost or doubled"
    );
    assert!(statuses(&mock, "/v2/create_events").contains(&json!(413)));
    assert_eq!(client.stats().dropped_total(), 0);
}

#[test]
fn a_single_event_too_large_for_the_backend_is_dropped_as_rejected_without_blocking_others() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| c.max_queue_size = 1);
    mock.script(
        "/v2/create_events",
        json!([{"status": 413}, {"status": 400}]),
    );
    record_n(&session, 3);
    assert!(!client.flush(WAIT));
    assert_eq!(client.stats().dropped(DropReason::Rejected), 2);
    assert_eq!(
        mock.accepted_for(&session.id().to_string()),
        1,
        "the batch after them still went through"
    );
}

#[test]
fn shutdown_with_a_hung_backend_returns_within_its_deadline_and_reports_what_was_left() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| c.request_timeout = Duration::from_secs(30));
    mock.script("/v2/create_events", json!([{"hang": 60.0}]));
    record_n(&session, 10);
    let began = Instant::now();
    let report = client.shutdown(Duration::from_secs(1));
    let took = began.elapsed();
    // The bound under test is 1 s; the slack only absorbs scheduling on a loaded machine.
    assert!(took < Duration::from_secs(3), "shutdown took {took:?}");
    assert!(!report.completed);
    assert_eq!(report.left, 10);
    assert_eq!(report.stats.dropped(DropReason::ShutdownDeadline), 10);
}

#[test]
fn a_backend_that_is_down_then_up_gets_everything_within_the_retry_bound() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| c.max_queue_size = 25);
    mock.rules("/v2/create_events", json!({"down": true}));
    let ids = record_n(&session, 100);
    assert!(
        mock.wait_for(WAIT, || mock.requests(Some("/v2/create_events")).len() >= 3),
        "retrying while down"
    );
    mock.rules("/v2/create_events", json!({"down": false}));
    assert!(client.flush(WAIT));
    assert_eq!(mock.accepted_for(&session.id().to_string()), ids.len());
    assert_eq!(client.stats().dropped_total(), 0);
}

#[test]
fn retries_stop_at_max_retry_time_and_the_batch_is_counted_as_exhausted() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| c.max_retry_time = Duration::from_millis(800));
    mock.rules("/v2/create_events", json!({"down": true}));
    record_n(&session, 3);
    assert!(mock.wait_for(
        WAIT,
        || client.stats().dropped(DropReason::RetriesExhausted) == 3
    ));
    assert_eq!(client.stats().queued, 0);
}

#[test]
fn the_memory_bound_drops_and_counts_instead_of_blocking() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| {
        c.max_buffered_events = 100;
        c.max_queue_size = 10;
    });
    mock.rules("/v2/create_events", json!({"down": true}));
    let mut refused = 0;
    for _ in 0..1000 {
        if session.record(Event::action("x")).is_err() {
            refused += 1;
        }
    }
    let stats = client.stats();
    assert!(stats.queued <= 100, "{stats:?}");
    assert_eq!(stats.dropped(DropReason::QueueFull), refused);
    assert_eq!(stats.queued + stats.dropped(DropReason::QueueFull), 1000);
    client.shutdown(Duration::from_millis(200));

    // The byte bound: one large event fills it.
    let (client, session) = start(&mock, |c| c.max_buffered_bytes = 50_000);
    let big = || Event::action("big").with_params(json!({"prompt": "p".repeat(30_000)}));
    session.record(big()).unwrap();
    assert!(session.record(big()).is_err());
    assert_eq!(client.stats().dropped(DropReason::QueueFull), 1);
    // The backend is down: do not let the default shutdown deadline run out at drop.
    client.shutdown(Duration::from_millis(200));
}

#[test]
fn a_session_the_backend_refuses_after_the_start_bound_drops_its_events_and_counts_them() {
    let mock = MockBackend::start();
    // First attempt hangs past the caller's wait; the retry gets a definite 403.
    mock.script(
        "/v2/create_session",
        json!([{"hang": 1.0}, {"status": 403}]),
    );
    let mut c = config(&mock.url());
    c.session_start_timeout = Duration::from_millis(300);
    c.request_timeout = Duration::from_millis(700);
    let client = Client::new(c).unwrap();
    let began = Instant::now();
    let session = client
        .start_session(StartOptions::default())
        .expect("a slow backend still yields a session");
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "start waited {:?}",
        began.elapsed()
    );
    record_n(&session, 3).len();
    assert!(mock.wait_for(WAIT, || session.status() == SessionStatus::Refused));
    assert!(mock.wait_for(WAIT, || client.stats().dropped(DropReason::AuthFailed) == 3));
    assert!(mock.requests(Some("/v2/create_events")).is_empty());
}

/// Polls `f` every 10 ms for at most `timeout`.
fn poll(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + timeout;
    while Instant::now() < until {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    f()
}

#[test]
fn a_backend_refusing_connections_gets_everything_once_it_comes_up() {
    // A port with nothing listening: connections are refused until the mock takes it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut c = config(&format!("http://127.0.0.1:{port}"));
    c.session_start_timeout = Duration::from_millis(300);
    let client = Client::new(c).unwrap();
    let session = client
        .start_session(StartOptions::default())
        .expect("returned after its bound");
    let ids = record_n(&session, 20);
    assert!(
        poll(WAIT, || client.stats().retried >= 2),
        "connect errors are retried"
    );
    let mock = MockBackend::start_with_args(&["--port", &port.to_string()]);
    assert!(client.flush(WAIT));
    let got: Vec<String> = mock
        .session_events(&session.id().to_string())
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, ids);
}

#[test]
fn a_request_that_times_out_is_retried_and_delivered_once() {
    let mock = MockBackend::start();
    // The timeout must cut the hang short but never the (loopback-fast) retry.
    let (client, session) = start(&mock, |c| c.request_timeout = Duration::from_secs(2));
    mock.script("/v2/create_events", json!([{"hang": 6.0}]));
    let ids = record_n(&session, 5);
    assert!(client.flush(WAIT));
    assert_eq!(mock.accepted_for(&session.id().to_string()), ids.len());
    assert_eq!(
        statuses(&mock, "/v2/create_events"),
        [json!("hang"), json!(200)]
    );
    assert_eq!(client.stats().retried, 1);
}
