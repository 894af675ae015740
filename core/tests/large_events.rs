//! No event is lost for its size: fields over `max_field_bytes` are cut with a marker that
//! says how much, an event larger than the whole buffer has its largest fields cut until
//! it fits, both are counted; fields below the bound arrive intact.

mod support;

use std::time::Duration;

use agentops_core::{Event, Json, LlmFields};
use serde_json::Value;
use support::{MockBackend, start};

const WAIT: Duration = Duration::from_secs(120);
const MB: usize = 1_000_000;

fn text(event: &Value, field: &str) -> String {
    match &event[field] {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap(),
    }
}

#[test]
fn a_70_mb_prompt_is_cut_to_fit_with_a_marker_delivered_and_counted() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |_| {});
    session
        .record(Event::llm(LlmFields {
            prompt: Some(Json::encode(&"p".repeat(70 * MB))),
            model: Some("m".into()),
            ..Default::default()
        }))
        .unwrap();
    assert!(client.flush(WAIT));
    let events = mock.session_events(&session.id().to_string());
    assert_eq!(events.len(), 1, "delivered, not dropped");
    let prompt = text(&events[0], "prompt");
    assert!(prompt.starts_with("ppp"), "a string keeps its characters");
    assert!(
        prompt.ends_with(&format!("of {} bytes cut>>", 70 * MB + 2)),
        "{}",
        &prompt[prompt.len() - 80..]
    );
    assert!(prompt.len() < 64 << 20);
    let stats = client.stats();
    assert_eq!((stats.truncated, stats.dropped_total()), (1, 0));
    assert!(stats.truncated_bytes > 2 * MB as u64, "{stats:?}");
}

#[test]
fn an_event_larger_than_the_buffer_has_its_largest_fields_cut_until_it_fits() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |_| {});
    let event = Event::llm(LlmFields {
        prompt: Some(Json::encode(&"p".repeat(50 * MB))),
        ..Default::default()
    })
    .with_params_of(&serde_json::json!({"context": "c".repeat(50 * MB)}));
    session.record(event).unwrap();
    assert!(client.flush(WAIT));
    let events = mock.session_events(&session.id().to_string());
    assert_eq!(events.len(), 1);
    let (prompt, params) = (text(&events[0], "prompt"), text(&events[0], "params"));
    assert!(prompt.ends_with("bytes cut>>") && params.ends_with("bytes cut>>"));
    assert!(prompt.len() + params.len() <= 64 << 20);
    assert!(
        prompt.len() > 20 * MB && params.len() > 20 * MB,
        "the cut is shared"
    );
    let stats = client.stats();
    assert_eq!((stats.truncated, stats.dropped_total()), (1, 0));
}

#[test]
fn fields_of_10_and_50_mb_below_the_bound_arrive_intact() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |_| {});
    for size in [10 * MB, 50 * MB] {
        session
            .record(Event::action("big").with_params_of(&"x".repeat(size)))
            .unwrap();
        assert!(client.flush(WAIT));
    }
    let events = mock.session_events(&session.id().to_string());
    let lengths: Vec<usize> = events
        .iter()
        .map(|e| e["params"].as_str().unwrap().len())
        .collect();
    assert_eq!(lengths, [10 * MB, 50 * MB]);
    assert!(
        events
            .iter()
            .all(|e| e["params"].as_str().unwrap().bytes().all(|b| b == b'x'))
    );
    let stats = client.stats();
    assert_eq!((stats.truncated, stats.dropped_total()), (0, 0));
}

#[test]
fn the_field_bound_is_an_option() {
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| c.max_field_bytes = 1000);
    let failed = agentops_core::ErrorFields {
        details: Some("d".repeat(5000)),
        ..Default::default()
    };
    session.record(Event::error(failed)).unwrap();
    session
        .record(Event::action("small").with_params_of(&"s".repeat(900)))
        .unwrap();
    assert!(client.flush(WAIT));
    let events = mock.session_events(&session.id().to_string());
    let details = events[0]["details"].as_str().unwrap();
    assert!(
        details.len() <= 1000 && details.ends_with("of 5000 bytes cut>>"),
        "{details}"
    );
    assert_eq!(events[1]["params"].as_str().unwrap().len(), 900);
    assert_eq!(client.stats().truncated, 1);
}

#[test]
fn an_llm_exchange_arrives_as_its_fields_and_one_over_the_bound_is_read_then_cut() {
    use agentops_core::{LlmApi, LlmExchange};
    let mock = MockBackend::start();
    let (client, session) = start(&mock, |c| c.max_field_bytes = 2000);
    let exchange = |content: &str| {
        let request =
            serde_json::json!({"model": "m", "messages": [{"role": "user", "content": content}]});
        let response = serde_json::json!({"model": "m-1", "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1}});
        let exchange = LlmExchange::new(
            LlmApi::OpenAiChat,
            Some(request.to_string().into_bytes()),
            response.to_string().into_bytes(),
        );
        Event::llm(LlmFields {
            exchange: Some(Box::new(exchange)),
            ..Default::default()
        })
    };
    session.record(exchange("short")).unwrap();
    session.record(exchange(&"x".repeat(5000))).unwrap();
    assert!(client.flush(WAIT));
    let events = mock.session_events(&session.id().to_string());
    assert_eq!(events.len(), 2, "both delivered");
    let small = &events[0];
    assert_eq!(
        small["prompt"],
        serde_json::json!([{"role": "user", "content": "short"}])
    );
    assert_eq!(
        (small["model"].as_str(), small["prompt_tokens"].as_u64()),
        (Some("m-1"), Some(3))
    );
    assert_eq!(small["completion"]["content"], "ok");
    let large = &events[1];
    assert_eq!(large["model"], "m-1", "read before it was cut");
    assert!(
        text(large, "params").ends_with("bytes cut>>")
            && text(large, "prompt").ends_with("bytes cut>>")
    );
    assert_eq!(client.stats().truncated, 1, "one event was cut");
}
