//! Option values as bindings hand them over (a Python `int`, a JS `number`, a C string, an
//! environment variable), and their conversion into the typed fields of [`super::Config`].

use std::path::PathBuf;
use std::time::Duration;

use uuid::Uuid;

use super::ExporterKind;
use super::otlp::{Compression, KeyValues, Protocol};
use crate::error::{Error, ErrorKind, Result};

/// A value for one option, before it is checked against the option's type.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<String>),
    /// A mapping (a Python `dict`, a JS object), for `key=value` options.
    Map(Vec<(String, String)>),
}

impl From<&str> for OptionValue {
    fn from(v: &str) -> Self {
        OptionValue::Text(v.to_owned())
    }
}

impl From<String> for OptionValue {
    fn from(v: String) -> Self {
        OptionValue::Text(v)
    }
}

impl From<i64> for OptionValue {
    fn from(v: i64) -> Self {
        OptionValue::Int(v)
    }
}

impl From<f64> for OptionValue {
    fn from(v: f64) -> Self {
        OptionValue::Float(v)
    }
}

impl From<bool> for OptionValue {
    fn from(v: bool) -> Self {
        OptionValue::Bool(v)
    }
}

impl From<Vec<String>> for OptionValue {
    fn from(v: Vec<String>) -> Self {
        OptionValue::List(v)
    }
}

/// Names the option (or environment variable) in messages; never echoes secrets.
pub(super) struct Source<'a> {
    pub name: &'a str,
    pub secret: bool,
}

impl Source<'_> {
    fn bad(&self, expected: &str, value: &OptionValue) -> Error {
        let message = if self.secret {
            format!("{} must be {expected}", self.name)
        } else {
            format!("{} must be {expected}, got {}", self.name, shown(value))
        };
        Error::new(ErrorKind::InvalidConfig, message)
    }

    fn text<'v>(&self, value: &'v OptionValue, expected: &str) -> Result<&'v str> {
        match value {
            OptionValue::Text(t) => Ok(t.trim()),
            other => Err(self.bad(expected, other)),
        }
    }

    pub fn secret(&self, value: &OptionValue) -> Result<Option<String>> {
        let text = self.text(value, "a UUID")?;
        if text.is_empty() {
            return Ok(None);
        }
        Uuid::parse_str(text)
            .map(|_| Some(text.to_owned()))
            .map_err(|_| {
                Error::new(
                    ErrorKind::InvalidConfig,
                    format!("{} is not a valid UUID", self.name),
                )
            })
    }

    pub fn url(&self, value: &OptionValue) -> Result<String> {
        let text = self.text(value, "an http(s) URL")?;
        if is_http_url(text) {
            Ok(text.to_owned())
        } else {
            Err(self.bad("an http(s) URL", value))
        }
    }

    pub fn path(&self, value: &OptionValue) -> Result<PathBuf> {
        match self.text(value, "a directory path")? {
            "" => Err(self.bad("a non-empty directory path", value)),
            text => Ok(PathBuf::from(text)),
        }
    }

    pub fn exporter(&self, value: &OptionValue) -> Result<ExporterKind> {
        let text = self.text(value, "an exporter name")?;
        ExporterKind::parse(text).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidConfig,
                format!(
                    "{}: unknown exporter {text:?} (expected {})",
                    self.name,
                    ExporterKind::NAMES
                ),
            )
        })
    }

    /// An http(s) URL, or empty text for "unset".
    pub fn optional_url(&self, value: &OptionValue) -> Result<Option<String>> {
        match self.text(value, "an http(s) URL")? {
            "" => Ok(None),
            _ => self.url(value).map(Some),
        }
    }

    /// Text, or empty text for "unset".
    pub fn optional_text(&self, value: &OptionValue) -> Result<Option<String>> {
        let text = self.text(value, "text")?;
        Ok((!text.is_empty()).then(|| text.to_owned()))
    }

    /// A mapping, or text `k1=v1,k2=v2`.
    pub fn key_values(&self, value: &OptionValue) -> Result<KeyValues> {
        let expected = "key=value pairs separated by commas";
        let parsed = match value {
            OptionValue::Map(pairs) => {
                let mut kv = KeyValues::default();
                pairs
                    .iter()
                    .try_for_each(|(k, v)| kv.insert(k.trim().to_owned(), v.trim().to_owned()))
                    .map(|()| kv)
            }
            OptionValue::Text(text) => KeyValues::parse(text),
            _ => None,
        };
        parsed.ok_or_else(|| self.bad(expected, value))
    }

    pub fn compression(&self, value: &OptionValue) -> Result<Compression> {
        Compression::parse(self.text(value, "\"gzip\" or \"none\"")?)
            .ok_or_else(|| self.bad("\"gzip\" or \"none\"", value))
    }

    pub fn protocol(&self, value: &OptionValue) -> Result<Protocol> {
        Protocol::parse(self.text(value, Protocol::NAMES)?)
            .ok_or_else(|| self.bad(Protocol::NAMES, value))
    }

    pub fn count(&self, value: &OptionValue) -> Result<usize> {
        let expected = "a non-negative integer";
        let n = match value {
            OptionValue::Int(n) => u64::try_from(*n).ok(),
            OptionValue::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f < u64::MAX as f64 => {
                Some(*f as u64)
            }
            OptionValue::Text(t) => t.trim().parse::<u64>().ok(),
            _ => None,
        };
        n.and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| self.bad(expected, value))
    }

    pub fn flag(&self, value: &OptionValue) -> Result<bool> {
        let b = match value {
            OptionValue::Bool(b) => Some(*b),
            OptionValue::Int(0) => Some(false),
            OptionValue::Int(1) => Some(true),
            OptionValue::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Some(true),
                "false" | "0" | "no" | "off" => Some(false),
                _ => None,
            },
            _ => None,
        };
        b.ok_or_else(|| self.bad("true or false", value))
    }

    /// A number of `unit`s (seconds or milliseconds).
    pub fn duration(&self, value: &OptionValue, unit: Duration) -> Result<Duration> {
        let amount = match value {
            OptionValue::Int(n) => Some(*n as f64),
            OptionValue::Float(f) => Some(*f),
            OptionValue::Text(t) => t.trim().parse::<f64>().ok(),
            _ => None,
        };
        amount
            .filter(|a| a.is_finite() && *a >= 0.0)
            .and_then(|a| Duration::try_from_secs_f64(a * unit.as_secs_f64()).ok())
            .ok_or_else(|| self.bad("a non-negative number", value))
    }

    /// A list, or text: a JSON array, or comma-separated. Items are trimmed; empty ones dropped.
    pub fn tags(&self, value: &OptionValue) -> Result<Vec<String>> {
        let items = match value {
            OptionValue::List(items) => items.clone(),
            OptionValue::Text(t) if t.trim_start().starts_with('[') => {
                serde_json::from_str::<Vec<serde_json::Value>>(t)
                    .map_err(|_| self.bad("a JSON array or comma-separated tags", value))?
                    .into_iter()
                    .map(|v| match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    })
                    .collect()
            }
            OptionValue::Text(t) => t.split(',').map(str::to_owned).collect(),
            other => return Err(self.bad("a list of tags", other)),
        };
        Ok(items
            .into_iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect())
    }
}

fn shown(value: &OptionValue) -> String {
    match value {
        OptionValue::Text(t) => format!("{t:?}"),
        OptionValue::Int(n) => n.to_string(),
        OptionValue::Float(f) => f.to_string(),
        OptionValue::Bool(b) => b.to_string(),
        OptionValue::List(items) => format!("{items:?}"),
        OptionValue::Map(pairs) => format!("{pairs:?}"),
    }
}

pub(super) fn is_http_url(url: &str) -> bool {
    let Ok(uri) = url.parse::<ureq::http::Uri>() else {
        return false;
    };
    matches!(uri.scheme_str(), Some("http") | Some("https"))
        && uri.host().is_some_and(|h| !h.is_empty())
}
