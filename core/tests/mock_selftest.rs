//! Self-test of the mock AgentOps backend and its Rust client (tests/support).

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::MockBackend;

const T: Duration = Duration::from_secs(10);
const KEY: (&str, &str) = ("X-Agentops-Api-Key", "test-key");

fn create_session(mock: &MockBackend, sid: &str) -> String {
    let r = mock
        .post(
            "/v2/create_session",
            &[KEY],
            &json!({"session": {"session_id": sid}}).to_string(),
            T,
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["status"], "success");
    assert_eq!(
        v["session_url"],
        format!("https://app.agentops.ai/drilldown?session_id={sid}")
    );
    v["jwt"].as_str().expect("jwt").to_string()
}

fn post_events(
    mock: &MockBackend,
    jwt: &str,
    ids: &[&str],
    timeout: Duration,
) -> Result<support::RawResponse, ureq::Error> {
    let events: Vec<Value> = ids
        .iter()
        .map(|i| json!({"id": i, "event_type": "llms"}))
        .collect();
    let auth = format!("Bearer {jwt}");
    mock.post(
        "/v2/create_events",
        &[("Authorization", &auth)],
        &json!({"events": events}).to_string(),
        timeout,
    )
}

fn ids_of(events: &Value, sid: &str) -> Vec<String> {
    events["by_session"][sid]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn happy_path_records_everything() {
    let mock = MockBackend::start();
    assert!(mock.url().starts_with("http://127.0.0.1:"));
    let jwt = create_session(&mock, "s1");
    assert_eq!(
        post_events(&mock, &jwt, &["a", "b"], T).unwrap().status,
        200
    );
    assert_eq!(
        post_events(&mock, &jwt, &["c", "a"], T).unwrap().status,
        200
    );

    let auth = format!("Bearer {jwt}");
    let r = mock
        .post(
            "/v2/update_session",
            &[("Authorization", &auth)],
            &json!({"session": {"session_id": "s1", "end_state": "Success"}}).to_string(),
            T,
        )
        .unwrap();
    assert_eq!(r.json(), json!({"status": "success", "token_cost": 5}));
    let r = mock
        .post(
            "/v2/create_agent",
            &[("Authorization", &auth)],
            r#"{"id":"ag1","name":"bot"}"#,
            T,
        )
        .unwrap();
    assert_eq!(r.status, 200);

    let ev = mock.events();
    assert_eq!(ev["accepted"], 4);
    assert_eq!(ev["unique_ids"], 3);
    assert_eq!(ev["duplicates"], json!(["a"]));
    assert_eq!(ids_of(&ev, "s1"), ["a", "b", "c", "a"]);
    assert_eq!(
        mock.sessions(),
        json!({"s1": {"session_id": "s1", "end_state": "Success"}})
    );

    let all = mock.requests(None);
    let paths: Vec<&str> = all.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "/v2/create_session",
            "/v2/create_events",
            "/v2/create_events",
            "/v2/update_session",
            "/v2/create_agent"
        ]
    );
    let evreqs = mock.requests(Some("/v2/create_events"));
    assert_eq!(evreqs.len(), 2);
    assert_eq!(evreqs[0]["status"], 200);
    assert_eq!(evreqs[0]["session_id"], "s1");
    assert_eq!(evreqs[0]["headers"]["authorization"], auth.as_str());
    assert_eq!(evreqs[0]["body"]["events"][1]["id"], "b");
    assert!(evreqs[0]["t"].as_f64().unwrap() > 1.6e9);
    assert!(evreqs[0]["seq"].as_u64() < evreqs[1]["seq"].as_u64());

    mock.reset();
    assert!(mock.requests(None).is_empty());
    assert_eq!(mock.events()["accepted"], 0);
    assert_eq!(mock.sessions(), json!({}));
    // tokens are gone too
    assert_eq!(post_events(&mock, &jwt, &["x"], T).unwrap().status, 401);
}

#[test]
fn auth_errors_and_unknown_route() {
    let mock = MockBackend::start();
    let r = mock
        .post(
            "/v2/create_session",
            &[],
            r#"{"session":{"session_id":"s"}}"#,
            T,
        )
        .unwrap();
    assert_eq!(
        (r.status, r.json()),
        (401, json!({"error": "missing api key"}))
    );
    let r = mock
        .post("/v2/create_session", &[KEY], r#"{"nope":1}"#, T)
        .unwrap();
    assert_eq!(r.status, 400);
    let r = post_events(&mock, "jwt-unknown", &["a"], T).unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        json!({"error": "Invalid or expired JWT", "message": "Please reauthorize using /reauthorize_jwt"})
    );
    let r = mock
        .post("/v2/create_events", &[], r#"{"events":[]}"#, T)
        .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(mock.post("/v2/nope", &[KEY], "{}", T).unwrap().status, 404);
    let r = mock
        .post("/v2/create_session", &[KEY], "not json", T)
        .unwrap();
    assert_eq!(r.status, 400);
    let last = mock.requests(Some("/v2/create_session")).pop().unwrap();
    assert_eq!(last["raw"], "not json");
    assert_eq!(last["body"], Value::Null);
    assert_eq!(mock.events()["accepted"], 0);
}

#[test]
fn scripted_status_faults_then_normal() {
    let mock = MockBackend::start();
    let jwt = create_session(&mock, "s1");
    mock.script(
        "/v2/create_events",
        json!([{"status": 503, "retry_after": "2"}, {"status": 200, "body": "not json"}, {"status": 429}]),
    );
    let r = post_events(&mock, &jwt, &["a"], T).unwrap();
    assert_eq!(r.status, 503);
    assert_eq!(r.header("Retry-After"), Some("2"));
    let r = post_events(&mock, &jwt, &["a"], T).unwrap();
    assert_eq!((r.status, r.body.as_str()), (200, "not json"));
    assert_eq!(post_events(&mock, &jwt, &["a"], T).unwrap().status, 429);
    assert_eq!(
        mock.events()["accepted"],
        0,
        "faulted requests accept nothing"
    );
    assert_eq!(mock.pending_faults()["/v2/create_events"], json!([]));
    // script exhausted: normal again
    assert_eq!(post_events(&mock, &jwt, &["a"], T).unwrap().status, 200);
    assert_eq!(mock.events()["accepted"], 1);
    let statuses: Vec<Value> = mock
        .requests(Some("/v2/create_events"))
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, [json!(503), json!(200), json!(429), json!(200)]);

    // faults on create_session: 2xx without a jwt
    mock.script("/v2/create_session", json!([{"status": 200, "body": "{}"}]));
    let r = mock
        .post(
            "/v2/create_session",
            &[KEY],
            r#"{"session":{"session_id":"s2"}}"#,
            T,
        )
        .unwrap();
    assert_eq!((r.status, r.json()), (200, json!({})));
    assert!(mock.sessions().get("s2").is_none());
}

#[test]
fn reset_hang_and_delay_faults() {
    let mock = MockBackend::start();
    let jwt = create_session(&mock, "s1");
    mock.script(
        "/v2/create_events",
        json!([{"reset": true}, {"hang": 3.0}, {"delay": 0.3}]),
    );

    let e = post_events(&mock, &jwt, &["a"], T).unwrap_err();
    assert!(
        matches!(e, ureq::Error::Io(_)),
        "reset should be an io error, got {e:?}"
    );

    let t0 = Instant::now();
    let e = post_events(&mock, &jwt, &["a"], Duration::from_millis(500)).unwrap_err();
    assert!(
        matches!(e, ureq::Error::Timeout(_)),
        "hang should time out, got {e:?}"
    );
    assert!(t0.elapsed() < Duration::from_secs(2));

    let t0 = Instant::now();
    assert_eq!(post_events(&mock, &jwt, &["a"], T).unwrap().status, 200);
    assert!(t0.elapsed() >= Duration::from_millis(300), "delay applied");

    let statuses: Vec<Value> = mock
        .requests(Some("/v2/create_events"))
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, [json!("reset"), json!("hang"), json!(200)]);
    assert_eq!(mock.events()["accepted"], 1);
    assert_eq!(ids_of(&mock.events(), "s1"), ["a"]);
}

#[test]
fn rules_max_events_and_down() {
    let mock = MockBackend::start();
    let jwt = create_session(&mock, "s1");
    let rules = mock.rules("/v2/create_events", json!({"max_events_per_request": 2}));
    assert_eq!(rules["max_events_per_request"], 2);
    assert_eq!(
        post_events(&mock, &jwt, &["a", "b", "c"], T)
            .unwrap()
            .status,
        413
    );
    assert_eq!(
        post_events(&mock, &jwt, &["a", "b"], T).unwrap().status,
        200
    );
    assert_eq!(mock.events()["accepted"], 2);

    mock.rules(
        "/v2/create_events",
        json!({"max_events_per_request": null, "down": true}),
    );
    for _ in 0..3 {
        assert_eq!(post_events(&mock, &jwt, &["c"], T).unwrap().status, 503);
    }
    mock.rules("/v2/create_events", json!({"down": false}));
    assert_eq!(
        post_events(&mock, &jwt, &["c", "d", "e"], T)
            .unwrap()
            .status,
        200
    );
    assert_eq!(mock.events()["accepted"], 5);
}

#[test]
fn expire_jwt_then_reauthorize() {
    let mock = MockBackend::start();
    let jwt = create_session(&mock, "s1");
    assert_eq!(post_events(&mock, &jwt, &["a"], T).unwrap().status, 200);
    assert_eq!(mock.expire_jwt("s1"), 1);
    assert_eq!(post_events(&mock, &jwt, &["b"], T).unwrap().status, 401);

    let r = mock
        .post("/v2/reauthorize_jwt", &[KEY], r#"{"session_id":"s1"}"#, T)
        .unwrap();
    assert_eq!(r.status, 200);
    let jwt2 = r.json()["jwt"].as_str().unwrap().to_string();
    assert_ne!(jwt2, jwt);
    assert_eq!(post_events(&mock, &jwt2, &["b"], T).unwrap().status, 200);
    assert_eq!(
        post_events(&mock, &jwt, &["c"], T).unwrap().status,
        401,
        "old token stays invalid"
    );
    let r = mock
        .post("/v2/reauthorize_jwt", &[], r#"{"session_id":"s1"}"#, T)
        .unwrap();
    assert_eq!(r.status, 401, "reauthorize needs the api key");

    // a session this server never saw can be re-adopted
    let r = mock
        .post(
            "/v2/reauthorize_jwt",
            &[KEY],
            r#"{"session_id":"forked"}"#,
            T,
        )
        .unwrap();
    let jwt3 = r.json()["jwt"].as_str().unwrap().to_string();
    assert_eq!(post_events(&mock, &jwt3, &["z"], T).unwrap().status, 200);

    let ev = mock.events();
    assert_eq!(ids_of(&ev, "s1"), ["a", "b"]);
    assert_eq!(ids_of(&ev, "forked"), ["z"]);
    let last = mock.requests(Some("/v2/create_events")).pop().unwrap();
    assert_eq!(last["session_id"], "forked");
}

#[test]
fn wait_for_and_shutdown() {
    let mut mock = MockBackend::start();
    let jwt = create_session(&mock, "s1");
    let url = mock.url();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        agent
            .post(format!("{url}/v2/create_events"))
            .header("Authorization", format!("Bearer {jwt}"))
            .send(r#"{"events":[{"id":"late"}]}"#)
            .unwrap()
            .status()
            .as_u16()
    });
    assert!(mock.wait_for(Duration::from_secs(5), || mock.events()["accepted"] == 1));
    assert_eq!(t.join().unwrap(), 200);
    assert!(!mock.wait_for(Duration::from_millis(50), || mock.events()["accepted"] == 2));
    assert_eq!(mock.shutdown(), Some(0));
}
