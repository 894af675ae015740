//! The OTLP exporter against the mock backend's `/v1/traces`: a session arrives as one
//! trace (its events as spans, then its root span), with the configured headers, gzip,
//! no API key; and the uploader's guarantees hold as for the REST exporter — retries,
//! `partialSuccess` rejections and other 4xx counted as dropped under "rejected".

mod support;

use std::time::Duration;

use agentops_core::config::{Compression, KeyValues};
use agentops_core::{Client, Config, DropReason, EndState, StartOptions};
use serde_json::json;
use support::{MockBackend, config, record_n};

const WAIT: Duration = Duration::from_secs(30);
const TRACES: &str = "/v1/traces";

fn otlp_config(mock: &MockBackend) -> Config {
    Config {
        api_key: None,
        exporter: Some(agentops_core::config::ExporterKind::Otlp),
        otlp_endpoint: mock.url(),
        ..config(&mock.url())
    }
}

/// The `agentops.event.id` of each span the mock accepted for the session, in order.
fn event_ids(mock: &MockBackend, session: &agentops_core::Session) -> Vec<String> {
    mock.session_events(&session.id().to_string())
        .iter()
        .filter_map(|span| {
            span["attributes"]
                .as_array()?
                .iter()
                .find(|a| a["key"] == "agentops.event.id")
                .and_then(|a| a["value"]["stringValue"].as_str())
                .map(str::to_owned)
        })
        .collect()
}

#[test]
fn a_session_arrives_as_one_trace_with_headers_and_gzip_and_no_api_key() {
    let mock = MockBackend::start();
    let mut c = otlp_config(&mock);
    c.otlp_headers = KeyValues::parse("x-tenant=acme,authorization=Bearer%20t0ken").unwrap();
    c.otlp_compression = Compression::Gzip;
    let client = Client::new(c).expect("no key is needed");
    let session = client.start_session(StartOptions::default()).unwrap();
    let ids = record_n(&session, 5);
    let report = session.end(EndState::Success, None).unwrap();
    assert!(report.delivered, "{report:?}");
    assert!(
        report
            .replay
            .line()
            .contains(&session.id().simple().to_string())
    );

    assert_eq!(
        event_ids(&mock, &session),
        ids,
        "every event once, in order"
    );
    let spans = mock.session_events(&session.id().to_string());
    let root = spans.last().unwrap();
    assert_eq!(root["name"], "invoke_agent");
    assert_eq!(root["status"]["code"], 1);
    let requests = mock.requests(Some(TRACES));
    assert!(
        requests.iter().all(|r| {
            let h = &r["headers"];
            h["x-tenant"] == "acme"
                && h["authorization"] == "Bearer t0ken"
                && h["content-encoding"] == "gzip"
                && h.get("x-agentops-api-key").is_none()
        }),
        "{requests:?}"
    );
    assert!(mock.requests(Some("/v2/create_session")).is_empty());
}

#[test]
fn transient_failures_are_retried_until_every_span_arrives_once() {
    let mock = MockBackend::start();
    mock.script(
        TRACES,
        json!([{"status": 503, "retry_after": "0.2"}, {"status": 429}, {"reset": true},
               {"status": 502}, {"status": 504}]),
    );
    let client = Client::new(Config {
        max_queue_size: 10,
        ..otlp_config(&mock)
    })
    .unwrap();
    let session = client.start_session(StartOptions::default()).unwrap();
    let ids = record_n(&session, 50);
    assert!(client.flush(WAIT));
    assert_eq!(event_ids(&mock, &session), ids);
    assert_eq!(mock.events()["duplicates"], json!([]));
    let stats = client.stats();
    assert_eq!((stats.delivered, stats.dropped_total()), (50, 0));
    assert!(stats.retried >= 5, "{stats:?}");
}

#[test]
fn rejected_spans_of_a_partial_success_and_a_400_are_counted_as_rejected() {
    let mock = MockBackend::start();
    let partial = json!({"partialSuccess": {"rejectedSpans": "2", "errorMessage": "too old"}});
    mock.script(
        TRACES,
        json!([{"status": 200, "body": partial}, {"status": 400, "body": {"code": 3}}]),
    );
    // Batches of exactly 4 (no timer flush in between), whatever the machine's load.
    let client = Client::new(Config {
        max_queue_size: 4,
        max_wait_time: Duration::from_secs(600),
        ..otlp_config(&mock)
    })
    .unwrap();
    let session = client.start_session(StartOptions::default()).unwrap();
    // A batch of 4 goes out as soon as it is full (the flush may come after it settled, so
    // its answer is not asserted: the counters are).
    for _ in 0..3 {
        record_n(&session, 4);
        client.flush(WAIT);
    }
    let stats = client.stats();
    assert_eq!(stats.dropped(DropReason::Rejected), 2 + 4, "{stats:?}");
    assert_eq!(stats.delivered, 2 + 4);
    assert_eq!(stats.dropped_total(), 6);
    assert_eq!(mock.accepted_for(&session.id().to_string()), 4);
}

#[test]
fn the_otel_environment_variables_configure_the_exporter() {
    let env = |name: &str| -> Option<String> {
        let value = match name {
            "AGENTOPS_EXPORTER" => "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT" => "http://127.0.0.1:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" => "http://127.0.0.1:9/custom/traces",
            "OTEL_EXPORTER_OTLP_HEADERS" => "api-key=s%3Dcret",
            "OTEL_EXPORTER_OTLP_TIMEOUT" => "2500",
            "OTEL_EXPORTER_OTLP_COMPRESSION" => "gzip",
            "OTEL_SERVICE_NAME" => "checkout-agent",
            "OTEL_RESOURCE_ATTRIBUTES" => "deployment.environment=prod",
            _ => return None,
        };
        Some(value.to_owned())
    };
    let c = Config::from_lookup(env).unwrap();
    c.validate().expect("valid without an API key");
    assert_eq!(c.otlp_traces_url(), "http://127.0.0.1:9/custom/traces");
    assert_eq!(c.otlp_headers.get("api-key"), Some("s=cret"));
    assert_eq!(c.otlp_timeout, Duration::from_millis(2500));
    assert_eq!(c.otlp_compression, Compression::Gzip);
    assert_eq!(c.service_name.as_deref(), Some("checkout-agent"));
    assert_eq!(
        c.resource_attributes.get("deployment.environment"),
        Some("prod")
    );

    let bad = |var: &'static str, value: &'static str| {
        Config::from_lookup(|name| (name == var).then(|| value.to_owned()))
            .unwrap_err()
            .message()
            .to_owned()
    };
    let message = bad("OTEL_EXPORTER_OTLP_HEADERS", "api-key");
    assert!(
        message.contains("OTEL_EXPORTER_OTLP_HEADERS") && !message.contains("api-key"),
        "{message}"
    );
    assert!(bad("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd").contains("gzip"));
    assert!(bad("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318").contains("URL"));
}

#[test]
fn options_set_by_key_take_mappings_and_text() {
    let mut c = Config::default();
    c.set(
        "otlp_headers",
        agentops_core::OptionValue::Map(vec![("k".into(), "v".into())]),
    )
    .unwrap();
    c.set("resourceAttributes", "a=1,b=2").unwrap();
    c.set("exporter", "otlp").unwrap();
    assert_eq!(c.otlp_headers.get("k"), Some("v"));
    assert_eq!(c.resource_attributes.display().as_deref(), Some("a=1,b=2"));
    let shown = agentops_core::config::options::find("otlp_headers")
        .unwrap()
        .display(&c);
    assert_eq!(
        shown.as_deref(),
        Some("k=…"),
        "header values are never shown"
    );
}

#[test]
fn shutdown_with_a_hung_collector_is_bounded_and_counts_what_was_left() {
    let mock = MockBackend::start();
    let client = Client::new(Config {
        otlp_timeout: Duration::from_secs(30),
        ..otlp_config(&mock)
    })
    .unwrap();
    let session = client.start_session(StartOptions::default()).unwrap();
    mock.script(TRACES, json!([{"hang": 60.0}]));
    record_n(&session, 10);
    let began = std::time::Instant::now();
    let report = client.shutdown(Duration::from_secs(1));
    let took = began.elapsed();
    // The bound under test is 1 s; the slack only absorbs scheduling on a loaded machine.
    assert!(took < Duration::from_secs(3), "shutdown took {took:?}");
    assert!(!report.completed);
    assert_eq!(report.left, 10);
    assert_eq!(report.stats.dropped(DropReason::ShutdownDeadline), 10);
}
