//! Batching triggers, ordering and concurrency of the uploader, against the mock backend.

mod support;

use std::time::Duration;

use agentops_core::{EndState, Event};
use serde_json::json;
use support::{MockBackend, start};

const WAIT: Duration = Duration::from_secs(20);

fn batch_sizes(mock: &MockBackend) -> Vec<usize> {
    mock.requests(Some("/v2/create_events"))
        .iter()
        .filter(|r| r["status"] == 200)
        .map(|r| r["body"]["events"].as_array().map_or(0, Vec::len))
        .collect()
}

#[test]
fn size_trigger_sends_full_batches_without_waiting_for_the_timer() {
    let mock = MockBackend::start();
    let (_client, session) = start(&mock, |c| {
        c.max_queue_size = 10;
        c.max_wait_time = Duration::from_secs(3600);
    });
    let sid = session.id().to_string();
    for i in 0..25 {
        session.record(Event::action(format!("a{i}"))).unwrap();
    }
    assert!(
        mock.wait_for(WAIT, || mock.accepted_for(&sid) >= 20),
        "two full batches should go out on size alone"
    );
    assert_eq!(
        batch_sizes(&mock),
        vec![10, 10],
        "the 5 left over wait for the (hour-long) timer"
    );
}

#[test]
fn time_trigger_sends_a_partial_batch_after_max_wait_time() {
    let mock = MockBackend::start();
    let (_client, session) = start(&mock, |c| c.max_wait_time = Duration::from_millis(200));
    let sid = session.id().to_string();
    session.record(Event::action("only")).unwrap();
    assert!(
        mock.wait_for(WAIT, || mock.accepted_for(&sid) == 1),
        "no flush was called: the timer must send it"
    );
    assert_eq!(batch_sizes(&mock), vec![1]);
}

#[test]
fn nothing_is_sent_before_a_trigger_fires() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| c.max_wait_time = Duration::from_secs(3600));
    session.record(Event::action("held")).unwrap();
    // Bounded look for a premature send: none may happen with an hour-long timer.
    assert!(!mock.wait_for(Duration::from_millis(500), || {
        !mock.requests(Some("/v2/create_events")).is_empty()
    }));
    assert!(
        client.flush(WAIT),
        "explicit flush delivers and reports success"
    );
    assert_eq!(mock.accepted_for(&session.id().to_string()), 1);
    assert_eq!(client.stats().delivered, 1);
    assert_eq!(client.stats().queued, 0);
}

#[test]
fn ending_a_session_sends_its_events_before_the_final_update() {
    let mock = MockBackend::start();
    let (_client, session) = start(&mock, |c| c.max_wait_time = Duration::from_secs(3600));
    for i in 0..3 {
        session.record(Event::action(format!("a{i}"))).unwrap();
    }
    let outcome = session.end(EndState::Success, Some("done".into())).unwrap();
    assert!(outcome.delivered);
    assert_eq!(
        outcome.stats.token_cost,
        Some(5.0),
        "token cost from the end response is returned"
    );
    let paths: Vec<String> = mock
        .requests(None)
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/v2/create_session",
            "/v2/create_events",
            "/v2/update_session"
        ]
    );
    let update = &mock.requests(Some("/v2/update_session"))[0]["body"]["session"];
    assert_eq!(update["end_state"], "Success");
    assert_eq!(update["end_state_reason"], "done");
    assert_eq!(update["event_counts"]["actions"], 3);
    assert!(
        update["end_timestamp"].as_str().unwrap() >= update["init_timestamp"].as_str().unwrap()
    );
}

#[test]
fn shutdown_delivers_pending_events_and_ends_open_sessions() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| c.max_wait_time = Duration::from_secs(3600));
    for _ in 0..7 {
        session.record(Event::action("x")).unwrap();
    }
    let report = client.shutdown(WAIT);
    assert!(report.completed, "{report:?}");
    assert_eq!((report.left, report.stats.delivered), (0, 7));
    assert_eq!(mock.accepted_for(&session.id().to_string()), 7);
    let update = &mock.requests(Some("/v2/update_session"))[0]["body"]["session"];
    assert_eq!(update["end_state"], "Indeterminate");
    assert_eq!(update["end_state_reason"], agentops_core::EXIT_REASON);
    // After shutdown nothing is accepted, and that is counted.
    assert!(session.record(Event::action("late")).is_err());
}

#[test]
fn per_session_order_is_kept_across_batches() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| c.max_queue_size = 16);
    let names: Vec<String> = (0..500).map(|i| format!("step-{i}")).collect();
    for name in &names {
        session.record(Event::action(name.clone())).unwrap();
    }
    assert!(client.flush(WAIT));
    let got: Vec<String> = mock
        .session_events(&session.id().to_string())
        .iter()
        .map(|e| e["action_type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, names);
    assert!(batch_sizes(&mock).iter().all(|&n| n <= 16));
}

#[test]
fn eight_threads_recording_concurrently_deliver_every_event_once() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 5_000;
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |_| {});
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let session = session.clone();
            scope.spawn(move || {
                for i in 0..PER_THREAD {
                    session
                        .record(Event::action("work").with_params(json!({"t": t, "i": i})))
                        .unwrap();
                }
            });
        }
    });
    assert!(client.flush(Duration::from_secs(60)));
    let events = mock.events();
    assert_eq!(events["accepted"], THREADS * PER_THREAD);
    assert_eq!(events["unique_ids"], THREADS * PER_THREAD);
    assert_eq!(events["duplicates"], json!([]));
    // Each thread's own events arrive in the order that thread recorded them.
    let mut next = [0u64; THREADS];
    for e in mock.session_events(&session.id().to_string()) {
        let t = e["params"]["t"].as_u64().unwrap() as usize;
        assert_eq!(e["params"]["i"].as_u64().unwrap(), next[t]);
        next[t] += 1;
    }
    assert_eq!(
        session.event_counts().actions,
        (THREADS * PER_THREAD) as u64
    );
}

#[test]
fn dropping_the_client_delivers_pending_events_and_ends_open_sessions() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| c.max_wait_time = Duration::from_secs(3600));
    for _ in 0..3 {
        session.record(Event::action("x")).unwrap();
    }
    drop(client); // the session handle outlives it
    assert_eq!(mock.accepted_for(&session.id().to_string()), 3);
    let update = &mock.requests(Some("/v2/update_session"))[0]["body"]["session"];
    assert_eq!(update["end_state_reason"], agentops_core::EXIT_REASON);
    assert!(session.record(Event::action("late")).is_err());
}

#[test]
fn flush_waits_for_session_updates_and_ends_queued_before_it_not_only_events() {
    let mock = MockBackend::start();
    mock.script(
        "/v2/update_session",
        json!([{"delay": 0.5}, {"delay": 0.5}]),
    );
    let (client, session) = start(&mock, |_| {});
    session.add_tags(["t".to_owned()]);
    session.record(Event::action("x")).unwrap();
    session.end_within(EndState::Success, None, None).unwrap(); // queue the end, do not wait
    assert!(client.flush(WAIT));
    let updates = mock.requests(Some("/v2/update_session"));
    assert_eq!(
        updates.len(),
        2,
        "the tag update and the end were sent before flush returned"
    );
    assert!(updates.iter().all(|r| r["status"] == 200));
    assert_eq!(updates[1]["body"]["session"]["end_state"], "Success");
}

#[test]
fn skip_auto_end_session_delivers_at_shutdown_but_leaves_sessions_open() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| c.skip_auto_end_session = true);
    session.record(Event::action("x")).unwrap();
    assert!(client.shutdown(WAIT).completed);
    assert_eq!(mock.accepted_for(&session.id().to_string()), 1);
    assert!(mock.requests(Some("/v2/update_session")).is_empty());
}
