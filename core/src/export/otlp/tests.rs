use serde_json::{Value, json};

use super::*;
use crate::config::Protocol;
use crate::event::time::Timestamp;
use crate::event::{EndState, ErrorFields, LlmFields};

fn config() -> Config {
    Config {
        service_name: Some("svc".into()),
        resource_attributes: crate::config::KeyValues::parse(
            "deployment.environment=test,service.name=ignored",
        )
        .unwrap(),
        ..Config::default()
    }
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_micros(1_700_000_000_000_000 + ms * 1000)
}

/// The request body of these events, as JSON.
fn body_of(exporter: &OtlpExporter, session: &Uuid, events: &[Event]) -> Value {
    let mut spans = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            spans.push(b',');
        }
        exporter.encode_event(e, session, &mut spans);
    }
    serde_json::from_slice(&exporter.body(&spans)).expect("valid JSON")
}

fn attribute<'a>(span: &'a Value, key: &str) -> &'a Value {
    span["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == key)
        .map_or(&Value::Null, |a| &a["value"])
}

#[test]
fn a_session_is_a_trace_and_events_are_genai_spans() {
    let mut exporter = OtlpExporter::new(&config(), "python");
    let session = Uuid::new_v4();
    let agent = Uuid::new_v4();
    let sref = SessionRef {
        id: &session,
        token: None,
    };
    exporter
        .create_agent(sref, &agent, "planner", Duration::ZERO)
        .unwrap();

    let mut llm = Event::llm(LlmFields {
        model: Some("gpt-4o".into()),
        prompt_tokens: Some(12),
        completion_tokens: Some(3),
        ..Default::default()
    })
    .with_agent(agent);
    (llm.init_timestamp, llm.end_timestamp) = (at(0), Some(at(250)));
    let mut tool = Event::tool("search").with_params(json!({"q": "x"}));
    (tool.init_timestamp, tool.end_timestamp) = (at(300), Some(at(400)));
    let error = Event::error(ErrorFields {
        error_type: Some("ValueError".into()),
        details: Some("bad".into()),
        ..Default::default()
    })
    .triggered_by(&tool);

    let body = body_of(
        &exporter,
        &session,
        &[llm.clone(), tool.clone(), error.clone()],
    );
    let resource = &body["resourceSpans"][0]["resource"];
    assert_eq!(
        attribute(resource, "service.name"),
        &json!({"stringValue": "svc"})
    );
    assert_eq!(
        attribute(resource, "deployment.environment"),
        &json!({"stringValue": "test"})
    );
    assert_eq!(
        attribute(resource, "telemetry.sdk.language"),
        &json!({"stringValue": "python"})
    );
    let spans = body["resourceSpans"][0]["scopeSpans"][0]["spans"]
        .as_array()
        .unwrap();
    let trace = session.simple().to_string();
    assert!(spans.iter().all(|s| s["traceId"] == trace.as_str()));

    let (chat, search, failed) = (&spans[0], &spans[1], &spans[2]);
    assert_eq!(chat["name"], "chat gpt-4o");
    assert_eq!(chat["kind"], 3);
    assert_eq!(chat["spanId"], span::span_id(&llm.id).as_str());
    assert_eq!(chat["parentSpanId"], span::span_id(&session).as_str());
    assert_eq!(chat["startTimeUnixNano"], "1700000000000000000");
    assert_eq!(chat["endTimeUnixNano"], "1700000000250000000");
    assert_eq!(
        attribute(chat, "gen_ai.operation.name"),
        &json!({"stringValue": "chat"})
    );
    assert_eq!(
        attribute(chat, "gen_ai.usage.input_tokens"),
        &json!({"intValue": "12"})
    );
    assert_eq!(
        attribute(chat, "gen_ai.agent.name"),
        &json!({"stringValue": "planner"})
    );
    assert_eq!(
        attribute(chat, "gen_ai.conversation.id"),
        &json!({"stringValue": session.to_string()})
    );

    assert_eq!(search["name"], "execute_tool search");
    assert_eq!(
        attribute(search, "gen_ai.tool.name"),
        &json!({"stringValue": "search"})
    );
    assert_eq!(
        attribute(search, "agentops.params"),
        &json!({"stringValue": "{\"q\":\"x\"}"})
    );

    assert_eq!(failed["status"], json!({"code": 2, "message": "bad"}));
    assert_eq!(failed["parentSpanId"], search["spanId"]);
    assert_eq!(failed["links"][0]["spanId"], search["spanId"]);
    assert_eq!(
        attribute(failed, "error.type"),
        &json!({"stringValue": "ValueError"})
    );
    assert_eq!(failed["events"][0]["name"], "exception");
}

#[test]
fn the_root_span_covers_the_session_with_its_end_state_and_tags() {
    let mut exporter = OtlpExporter::new(&config(), "javascript");
    let session = Uuid::new_v4();
    let record = SessionRecord {
        session_id: session,
        init_timestamp: at(0),
        end_timestamp: Some(at(5000)),
        end_state: EndState::Fail,
        end_state_reason: Some("crashed".into()),
        tags: vec!["prod".into()],
        video: None,
        event_counts: [1, 2, 3, 4, 0],
    };
    let mut root = Vec::new();
    span::write_session_span(
        &record,
        &exporter.context(&session),
        &mut JsonSpan::new(&mut root),
    );
    let span: Value = serde_json::from_slice(&root).unwrap();
    assert_eq!(span["name"], "invoke_agent");
    assert_eq!(span["spanId"], span::span_id(&session).as_str());
    assert!(span.get("parentSpanId").is_none());
    assert_eq!(span["endTimeUnixNano"], "1700000005000000000");
    assert_eq!(span["status"], json!({"code": 2, "message": "crashed"}));
    assert_eq!(
        attribute(&span, "agentops.session.tags"),
        &json!({"arrayValue": {"values": [{"stringValue": "prod"}]}})
    );
    assert_eq!(
        attribute(&span, "agentops.session.event_counts.errors"),
        &json!({"intValue": "4"})
    );
    let sref = SessionRef {
        id: &session,
        token: None,
    };
    exporter
        .create_agent(sref, &Uuid::new_v4(), "solo", Duration::ZERO)
        .unwrap();
    let mut named = Vec::new();
    span::write_session_span(
        &record,
        &exporter.context(&session),
        &mut JsonSpan::new(&mut named),
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&named).unwrap()["name"],
        "invoke_agent solo"
    );
}

#[test]
fn span_ids_are_distinct_for_sequential_ids_and_never_zero() {
    let base = Uuid::from_u64_pair(0x1234, 0);
    let ids: std::collections::HashSet<String> = (1..1000u64)
        .map(|n| span::span_id(&Uuid::from_u64_pair(0x1234, n)))
        .collect();
    assert_eq!(ids.len(), 999);
    assert_ne!(
        span::span_id(&Uuid::from_u64_pair(7, 7)),
        "0000000000000000"
    );
    assert_eq!(span::span_id(&base), "0000000000001234");
}

#[test]
fn partial_success_counts_come_as_strings_or_numbers() {
    assert_eq!(
        partial_success(r#"{"partialSuccess":{}}"#),
        Accepted::default()
    );
    assert_eq!(partial_success(""), Accepted::default());
    let a = partial_success(r#"{"partialSuccess":{"rejectedSpans":"3","errorMessage":"too old"}}"#);
    assert_eq!((a.rejected, a.why.as_deref()), (3, Some("too old")));
    assert_eq!(
        partial_success(r#"{"partialSuccess":{"rejectedSpans":2}}"#).rejected,
        2
    );
}

#[test]
fn gzip_bodies_decompress_to_the_same_request() {
    let plain = OtlpExporter::new(&config(), "c");
    let gzip = OtlpExporter::new(
        &Config {
            otlp_compression: Compression::Gzip,
            ..config()
        },
        "c",
    );
    let spans = b"{\"traceId\":\"00\"}";
    let mut decoded = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(gzip.body(spans).as_slice()),
        &mut decoded,
    )
    .unwrap();
    assert_eq!(decoded, plain.body(spans));
    assert!(
        gzip.headers
            .iter()
            .any(|(k, v)| k == "Content-Encoding" && v == "gzip")
    );
}

/// The request envelope, for decoding protobuf bodies here (the exporter writes it by hand).
mod request {
    use super::protobuf::{InstrumentationScope, Resource, Span};

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ExportTraceServiceRequest {
        #[prost(message, repeated, tag = "1")]
        pub resource_spans: Vec<ResourceSpans>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ResourceSpans {
        #[prost(message, optional, tag = "1")]
        pub resource: Option<Resource>,
        #[prost(message, repeated, tag = "2")]
        pub scope_spans: Vec<ScopeSpans>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ScopeSpans {
        #[prost(message, optional, tag = "1")]
        pub scope: Option<InstrumentationScope>,
        #[prost(message, repeated, tag = "2")]
        pub spans: Vec<Span>,
    }
}

#[test]
fn protobuf_bodies_carry_the_same_spans() {
    use prost::Message;
    use protobuf::any_value::Value as V;

    let config = Config {
        otlp_protocol: Protocol::HttpProtobuf,
        ..config()
    };
    let exporter = OtlpExporter::new(&config, "python");
    assert_eq!(exporter.framing().separator, b"");
    let session = Uuid::new_v4();
    let tool = Event::tool("search").with_params(json!({"q": "x"}));
    let error = Event::error(ErrorFields {
        error_type: Some("ValueError".into()),
        details: Some("bad".into()),
        ..Default::default()
    })
    .triggered_by(&tool);
    let mut spans = Vec::new();
    for e in [&tool, &error] {
        exporter.encode_event(e, &session, &mut spans);
    }
    let body = exporter.body(&spans);
    let request = request::ExportTraceServiceRequest::decode(body.as_slice()).unwrap();
    let resource_spans = &request.resource_spans[0];
    let resource = resource_spans.resource.as_ref().unwrap();
    assert!(resource.attributes.iter().any(|kv| kv.key == "service.name"
        && kv.value.as_ref().unwrap().value == Some(V::StringValue("svc".into()))));
    let scope = &resource_spans.scope_spans[0];
    assert_eq!(scope.scope.as_ref().unwrap().name, "agentops");
    let [search, failed] = scope.spans.as_slice() else {
        panic!("{:?}", scope.spans)
    };
    assert_eq!(search.trace_id, session.as_bytes().to_vec());
    assert_eq!(search.name, "execute_tool search");
    assert_eq!(hex(&search.span_id), span::span_id(&tool.id));
    assert_eq!(hex(&search.parent_span_id), span::span_id(&session));
    let params = search
        .attributes
        .iter()
        .find(|kv| kv.key == "agentops.params");
    assert_eq!(
        params.unwrap().value.as_ref().unwrap().value,
        Some(V::StringValue(r#"{"q":"x"}"#.into()))
    );
    assert_eq!(failed.parent_span_id, search.span_id);
    assert_eq!(failed.links[0].span_id, search.span_id);
    assert_eq!(failed.events[0].name, "exception");
    let status = failed.status.as_ref().unwrap();
    assert_eq!((status.code, status.message.as_str()), (2, "bad"));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
