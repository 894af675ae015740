//! The local JSONL exporter: a file per session, a line per start, event and end.

use std::time::Duration;

use agentops_core::{Client, Config, EndState, ErrorFields, Event, ExporterKind, StartOptions};
use serde_json::{Value, json};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("agentops-core-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn file_config(dir: &std::path::Path) -> Config {
    Config {
        exporter: Some(ExporterKind::File),
        export_dir: dir.to_owned(),
        ..Config::default()
    }
}

#[test]
fn a_session_round_trips_through_its_jsonl_file() {
    let dir = temp_dir("roundtrip");
    let client = Client::new(file_config(&dir)).expect("no key needed for files");
    let session = client
        .start_session(StartOptions {
            tags: vec!["offline".into()],
            ..Default::default()
        })
        .unwrap();
    let action = Event::action("search")
        .with_params(json!({"q": "rust"}))
        .with_returns(json!(["a", "b"]));
    let action_id = action.id;
    let error = Event::error(ErrorFields {
        error_type: Some("Timeout".into()),
        ..Default::default()
    })
    .triggered_by(&action);
    session.record(action).unwrap();
    session.record(Event::tool("browser")).unwrap();
    session.record(error).unwrap();
    let agent = session.create_agent("researcher", None);
    session
        .end(EndState::Success, Some("answered".into()))
        .unwrap();

    let path = dir.join(format!("{}.jsonl", session.id()));
    let lines: Vec<Value> = std::fs::read_to_string(&path)
        .expect("the session's file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "session_start",
            "event",
            "event",
            "event",
            "agent",
            "session_end"
        ]
    );
    assert_eq!(lines[0]["session"]["tags"], json!(["offline"]));
    assert_eq!(lines[1]["event"]["id"], action_id.to_string());
    assert_eq!(lines[1]["event"]["params"], json!({"q": "rust"}));
    assert_eq!(lines[2]["event"]["event_type"], "tools");
    assert_eq!(lines[3]["event"]["trigger_event_id"], action_id.to_string());
    assert_eq!(lines[4]["agent"]["id"], agent.to_string());
    assert_eq!(lines[5]["session"]["end_state"], "Success");
    assert_eq!(lines[5]["session"]["event_counts"]["actions"], 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn events_are_in_the_file_after_flush_even_while_the_session_is_open() {
    let dir = temp_dir("flush");
    let client = Client::new(Config {
        max_wait_time: Duration::from_secs(3600),
        ..file_config(&dir)
    })
    .unwrap();
    let session = client.start_session(StartOptions::default()).unwrap();
    session.record(Event::action("x")).unwrap();
    assert!(client.flush(Duration::from_secs(10)));
    let text = std::fs::read_to_string(dir.join(format!("{}.jsonl", session.id()))).unwrap();
    assert_eq!(text.lines().count(), 2, "start + event, flushed to disk");
    drop(client);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_a_key_or_an_explicit_exporter_nothing_starts_and_nothing_is_written() {
    let dir = temp_dir("nokey");
    let config = Config {
        export_dir: dir.clone(),
        ..Config::default()
    };
    let err = Client::new(config).err().expect("refused");
    assert_eq!(err.kind(), agentops_core::ErrorKind::MissingApiKey);
    assert!(!dir.exists(), "no directory or file was created");
}

/// The events of the session's file, in order.
fn events_in_file(session: &agentops_core::Session) -> Vec<Value> {
    let text = std::fs::read_to_string(session.export_path().unwrap()).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["type"] == "event")
        .map(|l| l["event"].clone())
        .collect()
}

#[test]
fn an_instant_event_ends_at_its_start_and_a_recorded_one_when_recorded() {
    let dir = temp_dir("instant");
    let client = Client::new(file_config(&dir)).unwrap();
    let session = client.start_session(StartOptions::default()).unwrap();
    let an_hour_ago = agentops_core::Timestamp::from_micros(
        agentops_core::Timestamp::now().as_micros() - 3_600_000_000,
    );
    let mut instant = Event::action("instant");
    instant.init_timestamp = an_hour_ago;
    let mut recorded = Event::action("recorded");
    recorded.init_timestamp = an_hour_ago;
    session.record_instant(instant).unwrap();
    session.record(recorded).unwrap();
    session.end(EndState::Success, None).unwrap();

    let events = events_in_file(&session);
    let start = an_hour_ago.to_iso();
    assert_eq!(events[0]["init_timestamp"], start);
    assert_eq!(events[0]["end_timestamp"], start);
    assert_eq!(events[1]["init_timestamp"], start);
    assert!(events[1]["end_timestamp"].as_str().unwrap() > start.as_str());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn event_text_is_decoded_by_the_uploader_and_ends_when_it_was_recorded() {
    let dir = temp_dir("encoded");
    let client = Client::new(file_config(&dir)).unwrap();
    let session = client.start_session(StartOptions::default()).unwrap();
    let before = agentops_core::Timestamp::now();
    let id = "3e0bfa67-fe3d-4b78-89c3-7b3f00000001";
    session
        .record_encoded(format!(
            r#"{{"kind":"action","id":"{id}","params":{{"a":1}},"init_timestamp":1000,"action_type":"x"}}"#
        ))
        .unwrap();
    let after = agentops_core::Timestamp::now();
    // Not a kind first: decoded now, so bad text is refused at once.
    let refused = session.record_encoded(r#"{"name":"n","kind":"tool",bad"#.to_owned());
    assert!(refused.is_err());
    // A kind first but broken after it: accepted, refused by the uploader, and counted.
    session
        .record_encoded(r#"{"kind":"tool","name":"n",bad"#.to_owned())
        .unwrap();
    assert!(client.flush(Duration::from_secs(10)));
    let stats = client.stats();
    assert_eq!(stats.dropped(agentops_core::DropReason::Rejected), 1);
    session.end(EndState::Success, None).unwrap();

    let events = events_in_file(&session);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["id"], id);
    assert_eq!(event["params"], json!({"a": 1}));
    assert_eq!(event["init_timestamp"], "1970-01-01T00:00:01.000000+00:00");
    let end = event["end_timestamp"].as_str().unwrap();
    assert!(
        before.to_iso().as_str() <= end && end <= after.to_iso().as_str(),
        "{end}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
