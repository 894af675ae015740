//! Configuration: agentops 0.3's defaults, one option table ([`options::OPTIONS`]) through
//! which code, the environment and every binding set values, and validation.
//!
//! Precedence (as in OpenTelemetry SDKs): values set in code > environment > defaults.
//! [`Options`] collects values set in code (checked as they are set) and builds the
//! `Config` over the environment when the client starts.

mod builder;
pub mod options;
mod otlp;
mod value;

use std::path::PathBuf;
use std::time::Duration;

pub use builder::Options;
pub use options::{OPTIONS, OptionSpec, Unit, ValueType};
pub use otlp::{Compression, DEFAULT_OTLP_ENDPOINT, KeyValues, Protocol};
pub use value::OptionValue;

use crate::error::{Error, ErrorKind, Result};

pub const DEFAULT_ENDPOINT: &str = "https://api.agentops.ai";
pub const DEFAULT_EXPORT_DIR: &str = "agentops_sessions";

/// Where recorded sessions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExporterKind {
    /// AgentOps REST v2 (`/v2/create_session`, `/v2/create_events`, ...). Needs an API key.
    AgentOps,
    /// Local JSONL files, one per session, in `Config::export_dir`. Needs no key and no network.
    File,
    /// OTLP/HTTP JSON traces (`Config::otlp_traces_url`), one trace per session. Needs no key.
    Otlp,
}

impl ExporterKind {
    /// The accepted names, for messages.
    pub const NAMES: &'static str = "\"agentops\", \"file\" or \"otlp\"";

    pub fn as_str(self) -> &'static str {
        match self {
            ExporterKind::AgentOps => "agentops",
            ExporterKind::File => "file",
            ExporterKind::Otlp => "otlp",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "agentops" | "api" | "rest" => Some(ExporterKind::AgentOps),
            "file" | "jsonl" => Some(ExporterKind::File),
            "otlp" | "otel" | "opentelemetry" => Some(ExporterKind::Otlp),
            _ => None,
        }
    }
}

/// Every setting; see [`options::OPTIONS`] for their docs, units and environment variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub api_key: Option<String>,
    pub parent_key: Option<String>,
    pub endpoint: String,
    pub max_wait_time: Duration,
    pub max_queue_size: usize,
    pub default_tags: Vec<String>,
    pub instrument_llm_calls: bool,
    pub auto_start_session: bool,
    pub skip_auto_end_session: bool,
    pub env_data_opt_out: bool,
    /// `None` means "the AgentOps API if a key is set, otherwise nothing".
    pub exporter: Option<ExporterKind>,
    pub export_dir: PathBuf,
    pub otlp_endpoint: String,
    /// `None`: `otlp_endpoint` + `/v1/traces`.
    pub otlp_traces_endpoint: Option<String>,
    pub otlp_headers: KeyValues,
    pub otlp_timeout: Duration,
    pub otlp_compression: Compression,
    pub otlp_protocol: Protocol,
    /// `None`: `resource_attributes`' `service.name`, else `unknown_service:<executable>`.
    pub service_name: Option<String>,
    pub resource_attributes: KeyValues,
    pub max_buffered_events: usize,
    pub max_buffered_bytes: usize,
    pub max_field_bytes: usize,
    pub request_timeout: Duration,
    pub max_retry_time: Duration,
    pub retry_initial_backoff: Duration,
    pub retry_max_backoff: Duration,
    pub session_start_timeout: Duration,
    pub session_end_timeout: Duration,
    pub shutdown_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_key: None,
            parent_key: None,
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            max_wait_time: Duration::from_millis(5000),
            max_queue_size: 512,
            default_tags: Vec::new(),
            instrument_llm_calls: true,
            auto_start_session: true,
            skip_auto_end_session: false,
            env_data_opt_out: false,
            exporter: None,
            export_dir: PathBuf::from(DEFAULT_EXPORT_DIR),
            otlp_endpoint: DEFAULT_OTLP_ENDPOINT.to_owned(),
            otlp_traces_endpoint: None,
            otlp_headers: KeyValues::default(),
            otlp_timeout: Duration::from_secs(10),
            otlp_compression: Compression::None,
            otlp_protocol: Protocol::HttpJson,
            service_name: None,
            resource_attributes: KeyValues::default(),
            max_buffered_events: 131_072,
            max_buffered_bytes: 64 * 1024 * 1024,
            max_field_bytes: 64 * 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            max_retry_time: Duration::from_secs(60),
            retry_initial_backoff: Duration::from_millis(100),
            retry_max_backoff: Duration::from_secs(5),
            session_start_timeout: Duration::from_secs(2),
            session_end_timeout: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(5),
        }
    }
}

impl Config {
    /// Defaults overlaid with the environment variables of the option table.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`Config::from_env`], reading variables through `lookup` (testable without
    /// touching the process environment). Empty variables count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let mut config = Config::default();
        for option in &OPTIONS {
            if let Some(value) = lookup(option.env).filter(|v| !v.trim().is_empty()) {
                option.apply(&mut config, &OptionValue::Text(value), option.env)?;
            }
        }
        Ok(config)
    }

    /// Sets the option `key` (snake_case or camelCase) from a value of any type the option
    /// accepts; an unknown key or a bad value is an `InvalidConfig` error.
    pub fn set(&mut self, key: &str, value: impl Into<OptionValue>) -> Result<()> {
        let option = options::find(key)?;
        option.apply(self, &value.into(), option.name)
    }

    /// The exporter that will actually run, or `MissingApiKey` when nothing should start.
    pub fn effective_exporter(&self) -> Result<ExporterKind> {
        match self.exporter {
            Some(kind) => Ok(kind),
            None if self.api_key.is_some() => Ok(ExporterKind::AgentOps),
            None => Err(Error::new(
                ErrorKind::MissingApiKey,
                "no API key: set AGENTOPS_API_KEY or pass api_key (or choose exporter=\"file\" to record locally)",
            )),
        }
    }

    /// Checks what each value alone cannot: required values and bounds between values.
    /// Messages never echo a key.
    pub fn validate(&self) -> Result<()> {
        let exporter = self.effective_exporter()?;
        if exporter == ExporterKind::AgentOps && self.api_key.is_none() {
            return Err(Error::new(
                ErrorKind::MissingApiKey,
                "the agentops exporter needs an API key",
            ));
        }
        for (name, key) in [("api_key", &self.api_key), ("parent_key", &self.parent_key)] {
            if let Some(key) = key {
                if uuid::Uuid::parse_str(key.trim()).is_err() {
                    return Err(invalid(format!("{name} is not a valid UUID")));
                }
            }
        }
        if exporter == ExporterKind::AgentOps && !value::is_http_url(&self.endpoint) {
            return Err(invalid(format!(
                "endpoint {:?} is not an http(s) URL",
                self.endpoint
            )));
        }
        self.validate_bounds()?;
        if exporter == ExporterKind::File && self.export_dir.as_os_str().is_empty() {
            return Err(invalid("export_dir must not be empty"));
        }
        Ok(())
    }

    /// The checks of sizes, durations and their relations alone (for a caller-given
    /// exporter, which needs no key or endpoint).
    pub fn validate_bounds(&self) -> Result<()> {
        let zero = [
            ("max_queue_size", self.max_queue_size == 0),
            ("max_buffered_events", self.max_buffered_events == 0),
            ("max_buffered_bytes", self.max_buffered_bytes == 0),
            ("max_field_bytes", self.max_field_bytes == 0),
            ("max_wait_time", self.max_wait_time.is_zero()),
            ("request_timeout", self.request_timeout.is_zero()),
            ("otlp_timeout", self.otlp_timeout.is_zero()),
            (
                "retry_initial_backoff",
                self.retry_initial_backoff.is_zero(),
            ),
        ];
        if let Some((name, _)) = zero.iter().find(|(_, is_zero)| *is_zero) {
            return Err(invalid(format!("{name} must be greater than zero")));
        }
        if self.max_buffered_bytes >= 1 << 32 {
            return Err(invalid("max_buffered_bytes must be below 4 GiB"));
        }
        if self.max_buffered_events >= 1 << 30 {
            return Err(invalid("max_buffered_events must be below 2^30"));
        }
        if self.retry_initial_backoff > self.retry_max_backoff {
            return Err(invalid(
                "retry_initial_backoff must not exceed retry_max_backoff",
            ));
        }
        if self.max_queue_size > self.max_buffered_events {
            return Err(invalid(
                "max_queue_size must not exceed max_buffered_events",
            ));
        }
        Ok(())
    }

    /// The endpoint without a trailing slash.
    pub fn endpoint_base(&self) -> &str {
        self.endpoint.trim_end_matches('/')
    }
}

fn invalid(message: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::InvalidConfig, message)
}

#[cfg(test)]
mod tests;
