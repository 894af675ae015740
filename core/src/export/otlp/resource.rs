//! The envelope of every request: one `resourceSpans` entry with the process's resource
//! (`service.name`, `telemetry.sdk.*`, `OTEL_RESOURCE_ATTRIBUTES`) and one scope, around
//! the spans of a batch. Encoded once per exporter, in the body's encoding.

use super::json::write_string_attributes;
use super::protobuf::{InstrumentationScope, ProtoEnvelope, Resource, string_attributes};
use crate::config::{KeyValues, Protocol};

pub const SDK_NAME: &str = "agentops";
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

pub enum Envelope {
    /// A body is `prefix`, the spans (comma-separated), `suffix`.
    Json {
        prefix: Vec<u8>,
        suffix: &'static [u8],
    },
    Protobuf(ProtoEnvelope),
}

/// `telemetry.sdk.language` for the host language a binding names.
fn sdk_language(language: &str) -> &str {
    match language {
        "javascript" => "nodejs",
        other => other,
    }
}

/// The default `service.name` of the OTel resource spec: `unknown_service:<executable>`.
fn unknown_service() -> String {
    let executable = std::env::current_exe()
        .ok()
        .and_then(|path| path.file_name()?.to_str().map(str::to_owned));
    match executable {
        Some(name) => format!("unknown_service:{name}"),
        None => "unknown_service".to_owned(),
    }
}

impl Envelope {
    /// `service_name` (`OTEL_SERVICE_NAME`) wins over a `service.name` in `attributes`.
    pub fn new(
        protocol: Protocol,
        service_name: Option<&str>,
        attributes: &KeyValues,
        language: &str,
    ) -> Self {
        let mut resource = attributes.clone();
        let service = service_name
            .map(str::to_owned)
            .or_else(|| attributes.get("service.name").map(str::to_owned))
            .unwrap_or_else(unknown_service);
        let sdk = [
            ("service.name", service.as_str()),
            ("telemetry.sdk.name", SDK_NAME),
            ("telemetry.sdk.language", sdk_language(language)),
            ("telemetry.sdk.version", SDK_VERSION),
        ];
        for (key, value) in sdk {
            resource.insert(key.to_owned(), value.to_owned());
        }
        let pairs = || {
            resource
                .0
                .iter()
                .map(|(k, v)| (k.as_str(), Some(v.as_str())))
        };
        match protocol {
            Protocol::HttpJson => {
                let mut prefix = b"{\"resourceSpans\":[{\"resource\":{".to_vec();
                write_string_attributes(&mut prefix, pairs());
                prefix.extend_from_slice(b"},\"scopeSpans\":[{\"scope\":{\"name\":\"");
                prefix.extend_from_slice(SDK_NAME.as_bytes());
                prefix.extend_from_slice(b"\",\"version\":\"");
                prefix.extend_from_slice(SDK_VERSION.as_bytes());
                prefix.extend_from_slice(b"\"},\"spans\":[");
                Envelope::Json {
                    prefix,
                    suffix: b"]}]}]}",
                }
            }
            Protocol::HttpProtobuf => Envelope::Protobuf(ProtoEnvelope::new(
                Resource {
                    attributes: string_attributes(pairs()),
                },
                InstrumentationScope {
                    name: SDK_NAME.to_owned(),
                    version: SDK_VERSION.to_owned(),
                },
            )),
        }
    }

    /// The request body around a batch's encoded spans.
    pub fn body(&self, spans: &[u8]) -> Vec<u8> {
        match self {
            Envelope::Json { prefix, suffix } => [prefix.as_slice(), spans, suffix].concat(),
            Envelope::Protobuf(envelope) => envelope.body(spans),
        }
    }
}
