//! The value types of the OTLP exporter's options, read as the OpenTelemetry SDKs read
//! `OTEL_EXPORTER_OTLP_*`: `key=value` lists with percent-decoded parts, `gzip` or `none`.

use percent_encoding::percent_decode_str;

use super::Config;

pub const DEFAULT_OTLP_ENDPOINT: &str = "http://localhost:4318";

/// Whether OTLP request bodies are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    #[default]
    None,
    Gzip,
}

impl Compression {
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "none" => Some(Compression::None),
            "gzip" => Some(Compression::Gzip),
            _ => None,
        }
    }
}

/// How OTLP request bodies are encoded (`OTEL_EXPORTER_OTLP_PROTOCOL`). gRPC is not offered:
/// it would bring an HTTP/2 stack into every host process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    #[default]
    HttpJson,
    HttpProtobuf,
}

impl Protocol {
    pub const NAMES: &'static str = "\"http/json\" or \"http/protobuf\"";

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::HttpJson => "http/json",
            Protocol::HttpProtobuf => "http/protobuf",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "http/json" => Some(Protocol::HttpJson),
            "http/protobuf" => Some(Protocol::HttpProtobuf),
            _ => None,
        }
    }
}

/// Ordered `key=value` pairs (headers, resource attributes). A key set twice keeps the last.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyValues(pub Vec<(String, String)>);

impl KeyValues {
    /// Parses `k1=v1,k2=v2` (the W3C Baggage form the OTel variables use): keys and
    /// values trimmed and percent-decoded, empty items skipped. `None` when an item has
    /// no `=` or an empty key.
    pub fn parse(text: &str) -> Option<Self> {
        let mut pairs = KeyValues::default();
        for item in text.split(',').filter(|item| !item.trim().is_empty()) {
            let (key, value) = item.split_once('=')?;
            pairs.insert(decode(key)?, decode(value)?)?;
        }
        Some(pairs)
    }

    /// Adds a pair, replacing an earlier value of the same key; `None` for an empty key.
    pub fn insert(&mut self, key: String, value: String) -> Option<()> {
        if key.is_empty() {
            return None;
        }
        self.0.retain(|(k, _)| *k != key);
        self.0.push((key, value));
        Some(())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `k1=v1,k2=v2`, or `None` when empty.
    pub fn display(&self) -> Option<String> {
        self.joined(|(k, v)| format!("{k}={v}"))
    }

    /// The keys only (`k1=…,k2=…`): header values may be credentials.
    pub fn display_keys(&self) -> Option<String> {
        self.joined(|(k, _)| format!("{k}=…"))
    }

    fn joined(&self, item: impl Fn(&(String, String)) -> String) -> Option<String> {
        (!self.0.is_empty()).then(|| self.0.iter().map(item).collect::<Vec<_>>().join(","))
    }
}

fn decode(part: &str) -> Option<String> {
    percent_decode_str(part.trim())
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

impl Config {
    /// Where the OTLP exporter posts traces: `otlp_traces_endpoint` as given, else
    /// `otlp_endpoint` + `/v1/traces` (as the OTLP exporter spec says).
    pub fn otlp_traces_url(&self) -> String {
        match &self.otlp_traces_endpoint {
            Some(url) => url.clone(),
            None => format!("{}/v1/traces", self.otlp_endpoint.trim_end_matches('/')),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_values_are_read_as_the_otel_variables_write_them() {
        let kv = KeyValues::parse(" api-key = a%2Cb%3D ,x=1,, x=2 ,empty=").unwrap();
        assert_eq!(
            kv.0,
            [
                ("api-key".to_owned(), "a,b=".to_owned()),
                ("x".to_owned(), "2".to_owned()),
                ("empty".to_owned(), String::new()),
            ]
        );
        assert_eq!(kv.display_keys().unwrap(), "api-key=…,x=…,empty=…");
        assert_eq!(KeyValues::parse("novalue"), None);
        assert_eq!(KeyValues::parse("=v"), None);
        assert_eq!(KeyValues::parse("k=%FF"), None);
        assert_eq!(KeyValues::parse("").unwrap(), KeyValues::default());
    }

    #[test]
    fn the_traces_url_is_the_signal_endpoint_or_the_base_with_its_path() {
        let mut config = Config::default();
        assert_eq!(config.otlp_traces_url(), "http://localhost:4318/v1/traces");
        config.otlp_endpoint = "http://collector:4318/".into();
        assert_eq!(config.otlp_traces_url(), "http://collector:4318/v1/traces");
        config.otlp_traces_endpoint = Some("http://gw/custom".into());
        assert_eq!(config.otlp_traces_url(), "http://gw/custom");
        assert_eq!(Compression::parse(" GZIP "), Some(Compression::Gzip));
        assert_eq!(Compression::parse("zstd"), None);
    }
}
