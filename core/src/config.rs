//! Configuration: the agentops 0.3 defaults, `AGENTOPS_*` environment variables, validation.
//!
//! Precedence (as in OpenTelemetry SDKs): values set in code > environment > defaults.
//! `Config::from_env()` gives defaults overlaid with the environment; callers then set
//! fields in code and `Client::new` validates the result.

use std::path::PathBuf;
use std::time::Duration;

use uuid::Uuid;

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
}

impl ExporterKind {
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "agentops" | "api" | "rest" => Ok(ExporterKind::AgentOps),
            "file" | "jsonl" => Ok(ExporterKind::File),
            other => Err(invalid(format!(
                "unknown exporter {other:?} (expected \"agentops\" or \"file\")"
            ))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Project API key (a UUID). Only sent on `create_session` and `reauthorize_jwt`.
    pub api_key: Option<String>,
    /// Parent (organisation) key (a UUID), sent only on `create_session`.
    pub parent_key: Option<String>,
    /// Backend base URL.
    pub endpoint: String,
    /// Time trigger: a session's pending events are sent at most this long after the first.
    pub max_wait_time: Duration,
    /// Size trigger and batch size: events per `create_events` request.
    pub max_queue_size: usize,
    /// Memory bound in events (everything recorded but not yet delivered); beyond it new
    /// events are dropped and counted, never blocked on.
    pub max_buffered_events: usize,
    /// Memory bound in (estimated, serialised) bytes.
    pub max_buffered_bytes: usize,
    /// Tags added to every session.
    pub default_tags: Vec<String>,
    /// `None` means "the AgentOps API if a key is set, otherwise nothing".
    pub exporter: Option<ExporterKind>,
    /// Directory of the file exporter.
    pub export_dir: PathBuf,
    /// Bound on every single HTTP call.
    pub request_timeout: Duration,
    /// Bound on the total time spent retrying one request.
    pub max_retry_time: Duration,
    /// First retry delay; it doubles per attempt (with ±20 % jitter) up to `retry_max_backoff`.
    pub retry_initial_backoff: Duration,
    pub retry_max_backoff: Duration,
    /// How long starting a session waits for the backend's answer before returning anyway.
    pub session_start_timeout: Duration,
    /// How long ending a session waits for its events and the final update to be delivered.
    pub session_end_timeout: Duration,
    /// Deadline of the shutdown that runs when the client is dropped / the process exits.
    pub shutdown_timeout: Duration,
    /// Do not send host environment details.
    pub env_data_opt_out: bool,
    /// agentops 0.3 switches, kept for the bindings.
    pub auto_start_session: bool,
    pub skip_auto_end_session: bool,
    pub instrument_llm_calls: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_key: None,
            parent_key: None,
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            max_wait_time: Duration::from_millis(5000),
            max_queue_size: 512,
            max_buffered_events: 131_072,
            max_buffered_bytes: 64 * 1024 * 1024,
            default_tags: Vec::new(),
            exporter: None,
            export_dir: PathBuf::from(DEFAULT_EXPORT_DIR),
            request_timeout: Duration::from_secs(10),
            max_retry_time: Duration::from_secs(60),
            retry_initial_backoff: Duration::from_millis(100),
            retry_max_backoff: Duration::from_secs(5),
            session_start_timeout: Duration::from_secs(2),
            session_end_timeout: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(5),
            env_data_opt_out: false,
            auto_start_session: true,
            skip_auto_end_session: false,
            instrument_llm_calls: true,
        }
    }
}

/// The environment variables read by [`Config::from_env`].
pub const ENV_VARS: &[&str] = &[
    "AGENTOPS_API_KEY",
    "AGENTOPS_PARENT_KEY",
    "AGENTOPS_API_ENDPOINT",
    "AGENTOPS_EXPORTER",
    "AGENTOPS_EXPORT_DIR",
    "AGENTOPS_MAX_WAIT_TIME",
    "AGENTOPS_MAX_QUEUE_SIZE",
    "AGENTOPS_ENV_DATA_OPT_OUT",
];

impl Config {
    /// Defaults overlaid with the `AGENTOPS_*` environment variables.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`Config::from_env`], reading variables through `lookup` (testable without
    /// touching the process environment).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut c = Config {
            api_key: get("AGENTOPS_API_KEY"),
            parent_key: get("AGENTOPS_PARENT_KEY"),
            ..Config::default()
        };
        if let Some(v) = get("AGENTOPS_API_ENDPOINT") {
            c.endpoint = v;
        }
        if let Some(v) = get("AGENTOPS_EXPORTER") {
            c.exporter = Some(ExporterKind::parse(&v)?);
        }
        if let Some(v) = get("AGENTOPS_EXPORT_DIR") {
            c.export_dir = PathBuf::from(v);
        }
        if let Some(v) = get("AGENTOPS_MAX_WAIT_TIME") {
            c.max_wait_time = Duration::from_millis(parse_number("AGENTOPS_MAX_WAIT_TIME", &v)?);
        }
        if let Some(v) = get("AGENTOPS_MAX_QUEUE_SIZE") {
            c.max_queue_size = parse_number("AGENTOPS_MAX_QUEUE_SIZE", &v)? as usize;
        }
        if let Some(v) = get("AGENTOPS_ENV_DATA_OPT_OUT") {
            c.env_data_opt_out = v.trim().eq_ignore_ascii_case("true") || v.trim() == "1";
        }
        Ok(c)
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

    /// Checks every value; messages never echo a key.
    pub fn validate(&self) -> Result<()> {
        let exporter = self.effective_exporter()?;
        if exporter == ExporterKind::AgentOps && self.api_key.is_none() {
            return Err(Error::new(
                ErrorKind::MissingApiKey,
                "the agentops exporter needs an API key",
            ));
        }
        if let Some(key) = &self.api_key {
            check_uuid("api_key", key)?;
        }
        if let Some(key) = &self.parent_key {
            check_uuid("parent_key", key)?;
        }
        if exporter == ExporterKind::AgentOps {
            check_url(&self.endpoint)?;
        }
        for (name, zero) in [
            ("max_queue_size", self.max_queue_size == 0),
            ("max_buffered_events", self.max_buffered_events == 0),
            ("max_buffered_bytes", self.max_buffered_bytes == 0),
            ("max_wait_time", self.max_wait_time.is_zero()),
            ("request_timeout", self.request_timeout.is_zero()),
            (
                "retry_initial_backoff",
                self.retry_initial_backoff.is_zero(),
            ),
        ] {
            if zero {
                return Err(invalid(format!("{name} must be greater than zero")));
            }
        }
        if self.max_buffered_bytes >= 1 << 32 {
            return Err(invalid("max_buffered_bytes must be below 4 GiB"));
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
        if exporter == ExporterKind::File && self.export_dir.as_os_str().is_empty() {
            return Err(invalid("export_dir must not be empty"));
        }
        Ok(())
    }

    /// The endpoint without a trailing slash.
    pub fn endpoint_base(&self) -> &str {
        self.endpoint.trim_end_matches('/')
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidConfig, message)
}

fn parse_number(name: &str, value: &str) -> Result<u64> {
    value.trim().parse::<u64>().map_err(|_| {
        invalid(format!(
            "{name} must be a non-negative integer, got {value:?}"
        ))
    })
}

fn check_uuid(name: &str, value: &str) -> Result<()> {
    Uuid::parse_str(value.trim())
        .map(|_| ())
        // Never echo the value: it is a secret.
        .map_err(|_| invalid(format!("{name} is not a valid UUID")))
}

fn check_url(url: &str) -> Result<()> {
    let bad = || invalid(format!("endpoint {url:?} is not an http(s) URL"));
    let uri: ureq::http::Uri = url.parse().map_err(|_| bad())?;
    match uri.scheme_str() {
        Some("http") | Some("https") if uri.host().is_some_and(|h| !h.is_empty()) => Ok(()),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "6f1c0e4e-8a54-4c0c-9d35-1b1f3b0c2a11";

    #[test]
    fn defaults_match_the_reference() {
        let c = Config::default();
        assert_eq!(c.endpoint, "https://api.agentops.ai");
        assert_eq!(c.max_wait_time, Duration::from_millis(5000));
        assert_eq!(c.max_queue_size, 512);
        assert!(c.auto_start_session && !c.skip_auto_end_session && c.instrument_llm_calls);
    }

    #[test]
    fn env_is_read_and_code_overrides_it() {
        let env = |k: &str| match k {
            "AGENTOPS_API_KEY" => Some(KEY.to_owned()),
            "AGENTOPS_API_ENDPOINT" => Some("http://127.0.0.1:9".to_owned()),
            "AGENTOPS_MAX_QUEUE_SIZE" => Some("7".to_owned()),
            "AGENTOPS_EXPORTER" => Some("file".to_owned()),
            _ => None,
        };
        let mut c = Config::from_lookup(env).unwrap();
        assert_eq!(c.api_key.as_deref(), Some(KEY));
        assert_eq!(c.endpoint, "http://127.0.0.1:9");
        assert_eq!(c.max_queue_size, 7);
        assert_eq!(c.exporter, Some(ExporterKind::File));
        c.max_queue_size = 9;
        assert_eq!(c.max_queue_size, 9);
        c.validate().unwrap();
    }

    #[test]
    fn bad_values_give_clear_errors_without_echoing_keys() {
        let err = Config::from_lookup(|k| (k == "AGENTOPS_MAX_QUEUE_SIZE").then(|| "many".into()))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        assert!(err.message().contains("AGENTOPS_MAX_QUEUE_SIZE"));

        let secret = "not-a-uuid-secret-value";
        let c = Config {
            api_key: Some(secret.into()),
            ..Config::default()
        };
        let err = c.validate().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        assert!(!err.to_string().contains(secret));

        let c = Config {
            api_key: Some(KEY.into()),
            endpoint: "ftp://x".into(),
            ..Config::default()
        };
        assert_eq!(c.validate().unwrap_err().kind(), ErrorKind::InvalidConfig);
        let c = Config {
            api_key: Some(KEY.into()),
            endpoint: "not a url".into(),
            ..Config::default()
        };
        assert_eq!(c.validate().unwrap_err().kind(), ErrorKind::InvalidConfig);

        let c = Config {
            api_key: Some(KEY.into()),
            max_queue_size: 0,
            ..Config::default()
        };
        assert!(
            c.validate()
                .unwrap_err()
                .message()
                .contains("max_queue_size")
        );
        let c = Config {
            api_key: Some(KEY.into()),
            max_buffered_bytes: 0,
            ..Config::default()
        };
        assert!(
            c.validate()
                .unwrap_err()
                .message()
                .contains("max_buffered_bytes")
        );

        let err = Config::from_lookup(|k| (k == "AGENTOPS_EXPORTER").then(|| "kafka".into()))
            .unwrap_err();
        assert!(err.message().contains("kafka"));
    }

    #[test]
    fn no_key_and_no_exporter_means_nothing_starts() {
        let err = Config::default().validate().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingApiKey);
        let file = Config {
            exporter: Some(ExporterKind::File),
            ..Config::default()
        };
        file.validate().unwrap();
    }
}
