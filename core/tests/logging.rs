//! No log line ever carries the API key or a JWT — through refusals, 401s and retries.

mod support;

use std::sync::Mutex;
use std::time::Duration;

use agentops_core::{Client, Config, Event, StartOptions};
use serde_json::json;
use support::{API_KEY, MockBackend, config};

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        LINES
            .lock()
            .unwrap()
            .push(format!("{} {}", record.level(), record.args()));
    }
    fn flush(&self) {}
}

#[test]
fn secrets_never_reach_the_logs() {
    static CAPTURE: Capture = Capture;
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let mock = MockBackend::start();

    // A refused start, a 401 with re-authorisation, a refused key, a drop, a shutdown.
    mock.script("/v2/create_session", json!([{"status": 401}]));
    let client = Client::new(config(&mock.url())).unwrap();
    assert!(client.start_session(StartOptions::default()).is_err());
    let session = client.start_session(StartOptions::default()).unwrap();
    mock.expire_jwt(&session.id().to_string());
    session.record(Event::action("x")).unwrap();
    assert!(client.flush(Duration::from_secs(20)));
    mock.script(
        "/v2/create_events",
        json!([{"status": 401}, {"status": 401}, {"status": 500}]),
    );
    session.record(Event::action("y")).unwrap();
    client.flush(Duration::from_secs(20));
    let bad = Config {
        api_key: Some("secret-not-a-uuid".into()),
        ..config(&mock.url())
    };
    let err = Client::new(bad).err().unwrap();
    log::error!("{err}"); // what a binding would log
    client.shutdown(Duration::from_secs(5));

    // Many drops: the first is logged once, the total at shutdown.
    let tiny = Client::new(Config {
        max_buffered_events: 2,
        max_queue_size: 1,
        ..config(&mock.url())
    })
    .unwrap();
    mock.rules("/v2/create_events", json!({"down": true}));
    let tiny_session = tiny.start_session(StartOptions::default()).unwrap();
    let dropped = (0..10)
        .filter(|_| tiny_session.record(Event::action("z")).is_err())
        .count();
    assert!(dropped >= 8);
    tiny.shutdown(Duration::from_millis(500));

    let jwts: Vec<String> = mock
        .requests(None)
        .iter()
        .filter_map(|r| {
            r["headers"]["authorization"]
                .as_str()
                .map(|a| a.trim_start_matches("Bearer ").to_owned())
        })
        .collect();
    assert!(!jwts.is_empty());
    let lines = LINES.lock().unwrap();
    assert!(
        lines.iter().any(|l| l.contains("could not start session")),
        "the refusal is logged: {lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("refused by the backend")),
        "the later refusal is logged: {lines:?}"
    );
    let first_drop = lines
        .iter()
        .filter(|l| l.contains("dropping events (queue_full)"))
        .count();
    assert_eq!(first_drop, 1, "the first drop is logged once: {lines:?}");
    let summary = lines
        .iter()
        .find(|l| l.contains("shutdown:") && l.contains("queue_full="))
        .expect("a shutdown summary");
    assert!(
        summary.contains(&format!("queue_full={dropped}")),
        "{summary}"
    );
    for line in lines.iter() {
        assert!(!line.contains(API_KEY), "API key in log: {line}");
        assert!(
            !line.contains("secret-not-a-uuid"),
            "invalid key echoed: {line}"
        );
        for jwt in &jwts {
            assert!(!line.contains(jwt.as_str()), "JWT in log: {line}");
        }
    }
}
