//! The envelope of every request: one `resourceSpans` entry with the process's resource
//! (`service.name`, `telemetry.sdk.*`, `OTEL_RESOURCE_ATTRIBUTES`) and one scope, around
//! the spans of a batch. Written once per exporter; each body is prefix + spans + suffix.

use super::attributes::Attributes;
use crate::config::KeyValues;

pub const SDK_NAME: &str = "agentops";
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

pub struct Envelope {
    pub prefix: Vec<u8>,
    pub suffix: &'static [u8],
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
    pub fn new(service_name: Option<&str>, attributes: &KeyValues, language: &str) -> Self {
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
        let mut prefix = b"{\"resourceSpans\":[{\"resource\":{".to_vec();
        let mut a = Attributes::open(&mut prefix);
        for (key, value) in &resource.0 {
            a.str(key, Some(value));
        }
        a.end();
        prefix.extend_from_slice(b"},\"scopeSpans\":[{\"scope\":{\"name\":\"");
        prefix.extend_from_slice(SDK_NAME.as_bytes());
        prefix.extend_from_slice(b"\",\"version\":\"");
        prefix.extend_from_slice(SDK_VERSION.as_bytes());
        prefix.extend_from_slice(b"\"},\"spans\":[");
        Envelope {
            prefix,
            suffix: b"]}]}]}",
        }
    }
}
