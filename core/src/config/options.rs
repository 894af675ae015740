//! The option table: every setting of the SDK, once, with its name in each language, its
//! environment variable, type, unit, default and a one-line doc. Setting a value by key
//! (`Config::set`), the environment overlay, the Python keywords, the Node options object,
//! the C setter, the generated docs and the README table all come from [`OPTIONS`].

use std::path::PathBuf;
use std::time::Duration;

use super::otlp::{Compression, KeyValues, Protocol};
use super::value::{OptionValue, Source};
use super::{Config, ExporterKind};
use crate::error::{Error, ErrorKind, Result};

/// How an option's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    None,
    Milliseconds,
    Seconds,
    Events,
    Bytes,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Milliseconds => "ms",
            Unit::Seconds => "s",
            Unit::Events => "events",
            Unit::Bytes => "bytes",
        }
    }
}

/// The type of an option's value, as the docs and typed bindings name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// A UUID key; never echoed in messages.
    Secret,
    Url,
    Path,
    Exporter,
    Integer,
    Boolean,
    Number,
    Tags,
    Text,
    /// `key=value,key=value` (or a mapping); values are never echoed (they may be secrets).
    Headers,
    /// `key=value,key=value` (or a mapping).
    Attributes,
    Compression,
    Protocol,
}

impl ValueType {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Secret => "UUID",
            ValueType::Url => "URL",
            ValueType::Path => "path",
            ValueType::Exporter => "exporter",
            ValueType::Integer => "integer",
            ValueType::Boolean => "boolean",
            ValueType::Number => "number",
            ValueType::Tags => "list of tags",
            ValueType::Text => "text",
            ValueType::Headers => "headers",
            ValueType::Attributes => "attributes",
            ValueType::Compression => "compression",
            ValueType::Protocol => "protocol",
        }
    }
}

/// Reads and writes one field of [`Config`].
struct Access<T> {
    get: fn(&Config) -> &T,
    set: fn(&mut Config) -> &mut T,
}

macro_rules! access {
    ($field:ident) => {
        Access {
            get: |c| &c.$field,
            set: |c| &mut c.$field,
        }
    };
}

enum Field {
    Secret(Access<Option<String>>),
    Url(Access<String>),
    OptionalUrl(Access<Option<String>>),
    Path(Access<PathBuf>),
    Exporter(Access<Option<ExporterKind>>),
    Count(Access<usize>),
    Flag(Access<bool>),
    Duration(Access<Duration>),
    Tags(Access<Vec<String>>),
    Text(Access<Option<String>>),
    Headers(Access<KeyValues>),
    Attributes(Access<KeyValues>),
    Compression(Access<Compression>),
    Protocol(Access<Protocol>),
}

/// One option of the table.
pub struct OptionSpec {
    /// snake_case: the Python keyword, the C key, the README name.
    pub name: &'static str,
    /// camelCase: the key of the Node options object.
    pub camel_name: &'static str,
    pub env: &'static str,
    pub unit: Unit,
    pub doc: &'static str,
    /// A keyword of agentops 0.3's `init()` / `configure()` (the rest are this SDK's own).
    pub agentops_03: bool,
    /// Shown instead of the default value when that needs words.
    default_text: Option<&'static str>,
    field: Field,
}

impl std::fmt::Debug for OptionSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl OptionSpec {
    pub fn value_type(&self) -> ValueType {
        match self.field {
            Field::Secret(_) => ValueType::Secret,
            Field::Url(_) | Field::OptionalUrl(_) => ValueType::Url,
            Field::Path(_) => ValueType::Path,
            Field::Exporter(_) => ValueType::Exporter,
            Field::Count(_) => ValueType::Integer,
            Field::Flag(_) => ValueType::Boolean,
            Field::Duration(_) => ValueType::Number,
            Field::Tags(_) => ValueType::Tags,
            Field::Text(_) => ValueType::Text,
            Field::Headers(_) => ValueType::Headers,
            Field::Attributes(_) => ValueType::Attributes,
            Field::Compression(_) => ValueType::Compression,
            Field::Protocol(_) => ValueType::Protocol,
        }
    }

    /// The option's value in `config`, as text in its unit (`None` when unset).
    pub fn display(&self, config: &Config) -> Option<String> {
        match &self.field {
            Field::Secret(a) => (a.get)(config).clone(),
            Field::Url(a) => Some((a.get)(config).clone()),
            Field::OptionalUrl(a) | Field::Text(a) => (a.get)(config).clone(),
            Field::Path(a) => Some((a.get)(config).display().to_string()),
            Field::Exporter(a) => (a.get)(config).map(|e| e.as_str().to_owned()),
            Field::Count(a) => Some((a.get)(config).to_string()),
            Field::Flag(a) => Some((a.get)(config).to_string()),
            Field::Duration(a) => {
                let d = (a.get)(config);
                Some(match self.unit {
                    Unit::Milliseconds => d.as_millis().to_string(),
                    _ => d.as_secs_f64().to_string(),
                })
            }
            Field::Tags(a) => Some((a.get)(config).join(",")),
            Field::Headers(a) => (a.get)(config).display_keys(),
            Field::Attributes(a) => (a.get)(config).display(),
            Field::Compression(a) => Some((a.get)(config).as_str().to_owned()),
            Field::Protocol(a) => Some((a.get)(config).as_str().to_owned()),
        }
    }

    /// The default, as the docs show it.
    pub fn default_text(&self) -> String {
        self.default_text
            .map(str::to_owned)
            .or_else(|| self.display(&Config::default()))
            .unwrap_or_else(|| "none".to_owned())
    }

    /// Checks `value` against the option's type and sets it; `source` names it in errors.
    pub(super) fn apply(
        &self,
        config: &mut Config,
        value: &OptionValue,
        source: &str,
    ) -> Result<()> {
        let src = Source {
            name: source,
            secret: matches!(self.field, Field::Secret(_) | Field::Headers(_)),
        };
        match &self.field {
            Field::Secret(a) => *(a.set)(config) = src.secret(value)?,
            Field::Url(a) => *(a.set)(config) = src.url(value)?,
            Field::OptionalUrl(a) => *(a.set)(config) = src.optional_url(value)?,
            Field::Path(a) => *(a.set)(config) = src.path(value)?,
            Field::Exporter(a) => *(a.set)(config) = Some(src.exporter(value)?),
            Field::Count(a) => *(a.set)(config) = src.count(value)?,
            Field::Flag(a) => *(a.set)(config) = src.flag(value)?,
            Field::Duration(a) => {
                let unit = match self.unit {
                    Unit::Milliseconds => Duration::from_millis(1),
                    _ => Duration::from_secs(1),
                };
                *(a.set)(config) = src.duration(value, unit)?;
            }
            Field::Tags(a) => *(a.set)(config) = src.tags(value)?,
            Field::Text(a) => *(a.set)(config) = src.optional_text(value)?,
            Field::Headers(a) | Field::Attributes(a) => *(a.set)(config) = src.key_values(value)?,
            Field::Compression(a) => *(a.set)(config) = src.compression(value)?,
            Field::Protocol(a) => *(a.set)(config) = src.protocol(value)?,
        }
        Ok(())
    }

    /// Whether setting this option again adds to its value instead of replacing it.
    pub(super) fn accumulates(&self) -> bool {
        matches!(self.field, Field::Tags(_))
    }

    pub(super) fn parse_tags(&self, value: &OptionValue) -> Result<Vec<String>> {
        let src = Source {
            name: self.name,
            secret: false,
        };
        src.tags(value)
    }
}

/// The option named `key` (snake_case or camelCase; surrounding spaces ignored).
pub fn find(key: &str) -> Result<&'static OptionSpec> {
    let key = key.trim();
    OPTIONS
        .iter()
        .find(|o| o.name == key || o.camel_name == key)
        .ok_or_else(|| Error::new(ErrorKind::InvalidConfig, format!("unknown option {key:?}")))
}

macro_rules! option {
    ($name:ident, $camel:literal, $env:literal, $unit:ident, $field:ident, $o3:literal, $doc:literal $(, default = $default:literal)?) => {
        OptionSpec {
            name: stringify!($name),
            camel_name: $camel,
            env: $env,
            unit: Unit::$unit,
            doc: $doc,
            agentops_03: $o3,
            default_text: option!(@default $($default)?),
            field: Field::$field(access!($name)),
        }
    };
    (@default) => { None };
    (@default $default:literal) => { Some($default) };
}

/// Every option, in the order the docs list them.
pub static OPTIONS: [OptionSpec; 30] = [
    option!(
        api_key,
        "apiKey",
        "AGENTOPS_API_KEY",
        None,
        Secret,
        true,
        "Project API key. Sent only to create and re-authorise sessions; never logged."
    ),
    option!(
        parent_key,
        "parentKey",
        "AGENTOPS_PARENT_KEY",
        None,
        Secret,
        true,
        "Parent (organisation) key, sent only when a session is created."
    ),
    option!(
        endpoint,
        "endpoint",
        "AGENTOPS_API_ENDPOINT",
        None,
        Url,
        true,
        "Base URL of the AgentOps backend."
    ),
    option!(
        max_wait_time,
        "maxWaitTime",
        "AGENTOPS_MAX_WAIT_TIME",
        Milliseconds,
        Duration,
        true,
        "A session's pending events are sent at most this long after the first of them."
    ),
    option!(
        max_queue_size,
        "maxQueueSize",
        "AGENTOPS_MAX_QUEUE_SIZE",
        Events,
        Count,
        true,
        "Events per request: a session's batch is sent as soon as it holds this many."
    ),
    option!(
        default_tags,
        "defaultTags",
        "AGENTOPS_DEFAULT_TAGS",
        None,
        Tags,
        true,
        "Tags of every session (comma-separated in the environment); setting them again adds to them.",
        default = "none"
    ),
    option!(
        instrument_llm_calls,
        "instrumentLlmCalls",
        "AGENTOPS_INSTRUMENT_LLM_CALLS",
        None,
        Flag,
        true,
        "Record LLM client calls automatically: openai and anthropic in Python, openai in Node."
    ),
    option!(
        auto_start_session,
        "autoStartSession",
        "AGENTOPS_AUTO_START_SESSION",
        None,
        Flag,
        true,
        "`init` starts a session."
    ),
    option!(
        skip_auto_end_session,
        "skipAutoEndSession",
        "AGENTOPS_SKIP_AUTO_END_SESSION",
        None,
        Flag,
        true,
        "Leave sessions open when the process exits (their events are still delivered)."
    ),
    option!(
        env_data_opt_out,
        "envDataOptOut",
        "AGENTOPS_ENV_DATA_OPT_OUT",
        None,
        Flag,
        true,
        "Send no host environment details with sessions."
    ),
    option!(
        exporter,
        "exporter",
        "AGENTOPS_EXPORTER",
        None,
        Exporter,
        false,
        "Where sessions go: `agentops` (the REST v2 API), `file` (local JSONL files, no key needed) or `otlp` (OTLP/HTTP traces to an OpenTelemetry Collector, no key needed).",
        default = "agentops when a key is set, else nothing starts"
    ),
    option!(
        export_dir,
        "exportDir",
        "AGENTOPS_EXPORT_DIR",
        None,
        Path,
        false,
        "Directory of the file exporter: one `<session id>.jsonl` per session."
    ),
    option!(
        otlp_endpoint,
        "otlpEndpoint",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        None,
        Url,
        false,
        "Base URL of the OTLP exporter; traces go to `<base>/v1/traces`."
    ),
    option!(
        otlp_traces_endpoint,
        "otlpTracesEndpoint",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        None,
        OptionalUrl,
        false,
        "Full URL the OTLP exporter posts traces to, used as given (overrides `otlp_endpoint`).",
        default = "otlp_endpoint + /v1/traces"
    ),
    option!(
        otlp_headers,
        "otlpHeaders",
        "OTEL_EXPORTER_OTLP_HEADERS",
        None,
        Headers,
        false,
        "Headers of every OTLP request, `key=value` pairs separated by commas (values percent-decoded; never logged)."
    ),
    option!(
        otlp_timeout,
        "otlpTimeout",
        "OTEL_EXPORTER_OTLP_TIMEOUT",
        Milliseconds,
        Duration,
        false,
        "Bound on every OTLP request."
    ),
    option!(
        otlp_compression,
        "otlpCompression",
        "OTEL_EXPORTER_OTLP_COMPRESSION",
        None,
        Compression,
        false,
        "`gzip` to compress OTLP request bodies, or `none`."
    ),
    option!(
        otlp_protocol,
        "otlpProtocol",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        None,
        Protocol,
        false,
        "OTLP request bodies: `http/json`, or `http/protobuf` (smaller, cheaper for a Collector to read)."
    ),
    option!(
        service_name,
        "serviceName",
        "OTEL_SERVICE_NAME",
        None,
        Text,
        false,
        "The `service.name` of the OTLP resource (overrides one in `resource_attributes`).",
        default = "unknown_service:<executable>"
    ),
    option!(
        resource_attributes,
        "resourceAttributes",
        "OTEL_RESOURCE_ATTRIBUTES",
        None,
        Attributes,
        false,
        "More OTLP resource attributes, `key=value` pairs separated by commas (percent-decoded)."
    ),
    option!(
        max_buffered_events,
        "maxBufferedEvents",
        "AGENTOPS_MAX_BUFFERED_EVENTS",
        Events,
        Count,
        false,
        "Bound on events recorded but not yet delivered; beyond it new events are dropped and counted, never waited for."
    ),
    option!(
        max_buffered_bytes,
        "maxBufferedBytes",
        "AGENTOPS_MAX_BUFFERED_BYTES",
        Bytes,
        Count,
        false,
        "Bound on the estimated size of those events."
    ),
    option!(
        max_field_bytes,
        "maxFieldBytes",
        "AGENTOPS_MAX_FIELD_BYTES",
        Bytes,
        Count,
        false,
        "A payload or text field longer than this is cut, with a marker saying how much; fields are also cut so that one event fits the buffer."
    ),
    option!(
        request_timeout,
        "requestTimeout",
        "AGENTOPS_REQUEST_TIMEOUT",
        Seconds,
        Duration,
        false,
        "Bound on every HTTP request."
    ),
    option!(
        max_retry_time,
        "maxRetryTime",
        "AGENTOPS_MAX_RETRY_TIME",
        Seconds,
        Duration,
        false,
        "Bound on the total time one request is retried before its events are dropped and counted."
    ),
    option!(
        retry_initial_backoff,
        "retryInitialBackoff",
        "AGENTOPS_RETRY_INITIAL_BACKOFF",
        Seconds,
        Duration,
        false,
        "First retry delay; it doubles per attempt (±20 % jitter) up to `retry_max_backoff`."
    ),
    option!(
        retry_max_backoff,
        "retryMaxBackoff",
        "AGENTOPS_RETRY_MAX_BACKOFF",
        Seconds,
        Duration,
        false,
        "Longest retry delay (a `Retry-After` answer is obeyed up to 30 s)."
    ),
    option!(
        session_start_timeout,
        "sessionStartTimeout",
        "AGENTOPS_SESSION_START_TIMEOUT",
        Seconds,
        Duration,
        false,
        "How long starting a session waits for the backend; a slow backend still yields a session."
    ),
    option!(
        session_end_timeout,
        "sessionEndTimeout",
        "AGENTOPS_SESSION_END_TIMEOUT",
        Seconds,
        Duration,
        false,
        "How long ending a session waits for its events and final update to be delivered."
    ),
    option!(
        shutdown_timeout,
        "shutdownTimeout",
        "AGENTOPS_SHUTDOWN_TIMEOUT",
        Seconds,
        Duration,
        false,
        "Bound on the delivery at exit, on a signal and when the client is dropped."
    ),
];
