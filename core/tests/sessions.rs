//! Session lifecycle against the mock backend: creation, auth headers, refusals, slow
//! backends, tags, agents, several sessions at once, ending.

mod support;

use std::time::{Duration, Instant};

use agentops_core::{Client, Config, EndState, ErrorKind, Event, SessionStatus, StartOptions};
use serde_json::{Value, json};
use support::{API_KEY, MockBackend, config};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(20);
const PARENT_KEY: &str = "5c3e1f0a-9b8d-4e2c-8f7a-6d5c4b3a2e1f";

fn client(mock: &MockBackend, tweak: impl FnOnce(&mut Config)) -> Client {
    let mut c = config(&mock.url());
    tweak(&mut c);
    Client::new(c).expect("client")
}

fn header<'a>(request: &'a Value, name: &str) -> Option<&'a str> {
    request["headers"][name].as_str()
}

#[test]
fn the_api_key_travels_only_on_create_session_and_each_session_uses_its_own_jwt() {
    let mock = MockBackend::start();
    let client = client(&mock, |c| {
        c.parent_key = Some(PARENT_KEY.into());
        c.default_tags = vec!["default".into()];
    });
    let a = client
        .start_session(StartOptions {
            tags: vec!["a".into(), "default".into()],
            ..Default::default()
        })
        .unwrap();
    let b = client.start_session(StartOptions::default()).unwrap();
    assert_eq!(a.status(), SessionStatus::Running);
    a.create_agent("planner", None);
    for i in 0..4 {
        let (session, name) = if i % 2 == 0 { (&a, "a") } else { (&b, "b") };
        session.record(Event::action(name)).unwrap();
    }
    a.end(EndState::Success, None).unwrap();
    b.end(EndState::Fail, Some("why".into())).unwrap();

    let creates = mock.requests(Some("/v2/create_session"));
    assert_eq!(creates.len(), 2);
    for r in &creates {
        assert_eq!(header(r, "x-agentops-api-key"), Some(API_KEY));
        assert_eq!(header(r, "x-agentops-parent-key"), Some(PARENT_KEY));
        assert!(header(r, "authorization").is_none());
        let s = &r["body"]["session"];
        assert!(Uuid::parse_str(s["session_id"].as_str().unwrap()).is_ok());
        assert_eq!(s["end_state"], "Indeterminate");
        assert!(s["init_timestamp"].as_str().unwrap().ends_with("+00:00"));
        assert!(
            s.get("jwt").is_none(),
            "the session object never carries the JWT"
        );
    }
    assert_eq!(
        creates[0]["body"]["session"]["tags"],
        json!(["default", "a"]),
        "default ∪ start tags, ordered, deduped"
    );

    let mut seen_jwts = std::collections::HashSet::new();
    for r in mock
        .requests(None)
        .iter()
        .filter(|r| r["path"] != "/v2/create_session")
    {
        assert!(
            header(r, "x-agentops-api-key").is_none(),
            "{} carried the API key",
            r["path"]
        );
        assert!(
            header(r, "x-agentops-parent-key").is_none(),
            "{} carried the parent key",
            r["path"]
        );
        let auth = header(r, "authorization").expect("bearer");
        assert!(auth.starts_with("Bearer "));
        seen_jwts.insert((
            r["session_id"].as_str().unwrap().to_owned(),
            auth.to_owned(),
        ));
        if r["path"] == "/v2/create_events" {
            // Every event in a batch belongs to the session whose JWT sent it.
            for e in r["body"]["events"].as_array().unwrap() {
                assert_eq!(e["session_id"], r["session_id"]);
            }
        }
    }
    assert_eq!(seen_jwts.len(), 2, "one JWT per session: {seen_jwts:?}");
    assert_eq!(mock.accepted_for(&a.id().to_string()), 2);
    assert_eq!(mock.accepted_for(&b.id().to_string()), 2);
}

#[test]
fn a_definite_refusal_at_start_means_no_session_and_no_further_requests() {
    let mock = MockBackend::start();
    let client = client(&mock, |_| {});
    for fault in [
        json!({"status": 401}),
        json!({"status": 500}),
        json!({"status": 200, "body": "not json"}),
        json!({"status": 200, "body": "{}"}),
    ] {
        mock.reset();
        mock.script("/v2/create_session", json!([fault.clone()]));
        let began = Instant::now();
        let err = client.start_session(StartOptions::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SessionRefused, "{fault}: {err}");
        assert!(
            began.elapsed() < Duration::from_secs(3),
            "{fault}: refusal took {:?}",
            began.elapsed()
        );
        assert_eq!(
            mock.requests(None).len(),
            1,
            "{fault}: nothing after the refusal"
        );
    }
    assert!(client.sessions().is_empty());
}

#[test]
fn a_slow_backend_does_not_block_start_past_its_bound_and_early_events_arrive_later() {
    let mock = MockBackend::start();
    mock.script("/v2/create_session", json!([{"delay": 1.5}]));
    let client = client(&mock, |c| {
        c.session_start_timeout = Duration::from_millis(200)
    });
    let began = Instant::now();
    let session = client.start_session(StartOptions::default()).unwrap();
    let waited = began.elapsed();
    assert!(
        waited < Duration::from_secs(1),
        "start waited {waited:?} with a 200 ms bound"
    );
    assert_eq!(session.status(), SessionStatus::Starting);
    session.record(Event::action("before-jwt")).unwrap();
    assert!(client.flush(WAIT));
    assert_eq!(session.status(), SessionStatus::Running);
    assert_eq!(mock.accepted_for(&session.id().to_string()), 1);
}

#[test]
fn ending_never_blocks_past_its_bound_even_if_the_backend_hangs() {
    let mock = MockBackend::start();
    let client = client(&mock, |c| {
        c.session_end_timeout = Duration::from_millis(300);
        c.request_timeout = Duration::from_secs(30);
    });
    let session = client.start_session(StartOptions::default()).unwrap();
    mock.script("/v2/update_session", json!([{"hang": 5.0}]));
    let began = Instant::now();
    let outcome = session.end(EndState::Success, None).unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "end took {:?}",
        began.elapsed()
    );
    assert!(!outcome.delivered);
    let _ = client.shutdown(Duration::from_millis(200));
}

#[test]
fn ending_twice_sends_nothing_and_recording_after_end_is_refused() {
    let mock = MockBackend::start();
    let client = client(&mock, |_| {});
    let session = client.start_session(StartOptions::default()).unwrap();
    session.end(EndState::Success, None).unwrap();
    let requests = mock.requests(None).len();
    assert_eq!(
        session.end(EndState::Fail, None).unwrap_err().kind(),
        ErrorKind::SessionEnded
    );
    assert_eq!(
        session.record(Event::action("late")).unwrap_err().kind(),
        ErrorKind::SessionEnded
    );
    assert!(client.flush(WAIT));
    assert_eq!(mock.requests(None).len(), requests);
    assert!(client.sessions().is_empty());
}

#[test]
fn tags_are_ordered_deduplicated_and_sent_on_change() {
    let mock = MockBackend::start();
    let client = client(&mock, |_| {});
    let session = client.start_session(StartOptions::default()).unwrap();
    session.add_tags(["a".to_owned(), "b".to_owned()]);
    session.add_tags(["b".to_owned()]);
    session.add_tags(["c".to_owned()]);
    session.set_tags(["z".to_owned(), "z".to_owned(), "y".to_owned()]);
    assert!(client.flush(WAIT));
    assert!(
        mock.wait_for(WAIT, || mock.requests(Some("/v2/update_session")).len()
            == 4)
    );
    let tags: Vec<Value> = mock
        .requests(Some("/v2/update_session"))
        .iter()
        .map(|r| r["body"]["session"]["tags"].clone())
        .collect();
    assert_eq!(
        tags,
        [
            json!(["a", "b"]),
            json!(["a", "b"]),
            json!(["a", "b", "c"]),
            json!(["z", "y"])
        ]
    );
    assert_eq!(session.tags(), ["z", "y"]);
}

#[test]
fn an_agent_is_created_before_any_event_that_references_it() {
    let mock = MockBackend::start();
    let client = client(&mock, |c| c.max_wait_time = Duration::from_secs(3600));
    let session = client.start_session(StartOptions::default()).unwrap();
    session.record(Event::action("before")).unwrap();
    let agent = session.create_agent("planner", None);
    session
        .record(Event::action("by-agent").with_agent(agent))
        .unwrap();
    assert!(client.flush(WAIT));
    let order: Vec<String> = mock
        .requests(None)
        .iter()
        .filter(|r| r["path"] != "/v2/create_session")
        .map(|r| match r["path"].as_str().unwrap() {
            "/v2/create_agent" => format!("agent:{}", r["body"]["name"].as_str().unwrap()),
            _ => format!("events:{}", r["body"]["events"].as_array().unwrap().len()),
        })
        .collect();
    assert_eq!(order, ["events:1", "agent:planner", "events:1"]);
    let agent_request = &mock.requests(Some("/v2/create_agent"))[0]["body"];
    assert_eq!(
        agent_request,
        &json!({"id": agent.to_string(), "name": "planner"})
    );
    assert_eq!(
        mock.session_events(&session.id().to_string())[1]["agent_id"],
        agent.to_string()
    );
}

#[test]
fn an_inherited_session_id_is_used_as_is() {
    let mock = MockBackend::start();
    let client = client(&mock, |_| {});
    let inherited = Uuid::new_v4();
    let session = client
        .start_session(StartOptions {
            inherited_session_id: Some(inherited),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(session.id(), inherited);
    assert_eq!(
        mock.requests(Some("/v2/create_session"))[0]["body"]["session"]["session_id"],
        inherited.to_string()
    );
    assert!(client.get_session(inherited).is_some());
}

#[test]
fn single_session_lookup_names_the_problem() {
    let mock = MockBackend::start();
    let client = client(&mock, |_| {});
    assert!(
        client
            .only_session()
            .unwrap_err()
            .message()
            .contains("no sessions detected")
    );
    let a = client.start_session(StartOptions::default()).unwrap();
    assert_eq!(client.only_session().unwrap().id(), a.id());
    client.start_session(StartOptions::default()).unwrap();
    assert!(
        client
            .only_session()
            .unwrap_err()
            .message()
            .contains("multiple sessions detected (2)")
    );
    let ended = client.end_all_sessions(EndState::Indeterminate, None);
    assert_eq!(ended.len(), 2);
    assert!(
        ended
            .iter()
            .all(|r| r.delivered && r.end_state == EndState::Indeterminate)
    );
    assert!(client.sessions().is_empty());
}

#[test]
fn ending_reports_counts_duration_cost_delivery_and_where_to_see_the_session() {
    let mock = MockBackend::start();
    let client = client(&mock, |_| {});
    let session = client.start_session(StartOptions::default()).unwrap();
    session.record(Event::action("a")).unwrap();
    session.record(Event::tool("t")).unwrap();
    session.record(Event::llm(Default::default())).unwrap();
    session.record(Event::error(Default::default())).unwrap();
    let report = session.end(EndState::Success, Some("done".into())).unwrap();
    let c = report.stats.counts;
    assert_eq!((c.actions, c.tools, c.llms, c.errors), (1, 1, 1, 1));
    assert_eq!(report.stats.token_cost, Some(5.0));
    assert!(report.delivered);
    assert_eq!(
        (report.end_state, report.end_state_reason.as_deref()),
        (EndState::Success, Some("done"))
    );
    assert!(
        report
            .stats
            .stats_line()
            .starts_with("Session Stats - Duration: ")
    );
    assert!(
        report
            .stats
            .stats_line()
            .ends_with("| Cost: $5.000000 | LLMs: 1 | Tools: 1 | Actions: 1 | Errors: 1")
    );
    assert_eq!(
        report.replay.line(),
        format!(
            "Session Replay: https://app.agentops.ai/drilldown?session_id={}",
            session.id()
        )
    );
    assert_eq!(session.stats().counts, c, "the same numbers afterwards");
}

#[test]
fn an_invalid_end_state_is_refused_with_the_03_warning_and_the_session_stays_open() {
    let mock = MockBackend::start();
    let client = client(&mock, |_| {});
    let session = client.start_session(StartOptions::default()).unwrap();
    let err = session.end_named("Done", None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(
        err.message()
            .contains("Please use one of the EndState enums")
    );
    assert!(session.is_running());
    assert_eq!(
        session.end_named("success", None).unwrap().end_state,
        EndState::Success
    );
}

#[test]
fn agents_created_before_a_session_starts_are_registered_with_it_first() {
    let mock = MockBackend::start();
    let client = client(&mock, |_| {});
    let agent = client.create_agent("early", None);
    let session = client.start_session(StartOptions::default()).unwrap();
    session
        .record(Event::action("a").with_agent(agent))
        .unwrap();
    assert!(client.flush(WAIT));
    let paths: Vec<String> = mock
        .requests(None)
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .filter(|p| p != "/v2/create_session")
        .collect();
    assert_eq!(paths, ["/v2/create_agent", "/v2/create_events"]);
    assert_eq!(
        mock.requests(Some("/v2/create_agent"))[0]["body"]["id"],
        agent.to_string()
    );
}

#[test]
fn reconfiguring_applies_session_settings_at_once_and_restarts_the_uploader_only_when_idle() {
    let mock = MockBackend::start();
    let client = client(&mock, |_| {});
    let session = client.start_session(StartOptions::default()).unwrap();
    let mut tagged = config(&mock.url());
    tagged.default_tags = vec!["v2".into()];
    client.reconfigure(tagged.clone()).unwrap();
    let second = client.start_session(StartOptions::default()).unwrap();
    assert_eq!(
        second.tags(),
        ["v2"],
        "tags apply to the next session at once"
    );

    let mut batched = tagged.clone();
    batched.max_queue_size = 1;
    let err = client.reconfigure(batched.clone()).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::InvalidArgument,
        "an uploader setting waits for idle"
    );
    session.end(EndState::Success, None).unwrap();
    second.end(EndState::Success, None).unwrap();
    client.reconfigure(batched).unwrap();
    assert_eq!(client.config().max_queue_size, 1);
    let next = client.start_session(StartOptions::default()).unwrap();
    next.record(Event::action("after")).unwrap();
    assert!(
        mock.wait_for(WAIT, || mock.accepted_for(&next.id().to_string()) == 1),
        "sent at once: batches of 1"
    );
}

#[test]
fn bad_configuration_is_a_clear_error_and_starts_nothing() {
    let mock = MockBackend::start();
    let bad = |tweak: fn(&mut Config)| {
        let mut c = config(&mock.url());
        tweak(&mut c);
        Client::new(c).err().expect("must be refused")
    };
    assert_eq!(
        bad(|c| c.api_key = Some("nope".into())).kind(),
        ErrorKind::InvalidConfig
    );
    assert_eq!(bad(|c| c.api_key = None).kind(), ErrorKind::MissingApiKey);
    assert_eq!(
        bad(|c| c.endpoint = "localhost:1".into()).kind(),
        ErrorKind::InvalidConfig
    );
    assert_eq!(
        bad(|c| c.max_queue_size = 0).kind(),
        ErrorKind::InvalidConfig
    );
    assert_eq!(
        bad(|c| c.max_buffered_events = 0).kind(),
        ErrorKind::InvalidConfig
    );
    assert!(mock.requests(None).is_empty());
}
