//! The HTTP transport shared by network exporters: one pooled ureq agent, a timeout on
//! every call, and the mapping of answers to an [`ExportError`] for the retry policy.

mod resolver;

use std::time::Duration;

use ureq::Agent;
use ureq::unversioned::transport::DefaultConnector;

use super::{ExportError, ExportResult};
use resolver::CachingResolver;

/// Longest `Retry-After` we obey, so a hostile or buggy header cannot park the worker.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

pub struct HttpTransport {
    agent: Agent,
    resolver: CachingResolver,
}

/// A response with a 2xx status.
pub struct Reply {
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

impl HttpTransport {
    pub fn new() -> Self {
        let config = Agent::config_builder()
            // We classify statuses ourselves (and need the headers of a 429 / 5xx).
            .http_status_as_error(false)
            .user_agent(concat!("agentops-rs/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(2)
            .build();
        let resolver = CachingResolver::default();
        let agent = Agent::with_parts(config, DefaultConnector::new(), resolver.clone());
        HttpTransport { agent, resolver }
    }

    /// POSTs a JSON body. Non-2xx answers and transport errors come back as an
    /// [`ExportError`] ready for the retry policy. `headers` values are never logged.
    pub fn post_json(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> ExportResult<Reply> {
        let json = "application/json; charset=UTF-8";
        self.post(url, json, headers, body, timeout)
    }

    /// POSTs `body` as `content_type`; a 2xx answer is its body, any other a classified error.
    pub fn post(
        &self,
        url: &str,
        content_type: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> ExportResult<Reply> {
        let mut request = self
            .agent
            .post(url)
            .config()
            .timeout_global(Some(timeout.max(Duration::from_millis(1))))
            .build()
            .header("Content-Type", content_type);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut response = match request.send(body) {
            Ok(response) => response,
            Err(err) => {
                self.resolver.forget();
                return Err(classify_transport_error(&err));
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        // Bounded read: answers are small; a huge one is a broken server.
        let body = response
            .body_mut()
            .with_config()
            .limit(4 * 1024 * 1024)
            .read_to_vec()
            .unwrap_or_default();
        match status {
            200..=299 => Ok(Reply { body }),
            401 | 403 => Err(ExportError::Unauthorized {
                status: Some(status),
                why: format!("HTTP {status}"),
            }),
            413 => Err(ExportError::TooLarge),
            408 | 429 | 500..=599 => Err(ExportError::Transient {
                status: Some(status),
                retry_after,
                why: format!("HTTP {status}"),
            }),
            _ => Err(ExportError::Rejected {
                status: Some(status),
                why: format!(
                    "HTTP {status}: {}",
                    snippet(&String::from_utf8_lossy(&body))
                ),
            }),
        }
    }
}

impl Default for HttpTransport {
    fn default() -> Self {
        Self::new()
    }
}

fn classify_transport_error(err: &ureq::Error) -> ExportError {
    match err {
        ureq::Error::BadUri(_)
        | ureq::Error::Http(_)
        | ureq::Error::InvalidProxyUrl
        | ureq::Error::RequireHttpsOnly(_) => ExportError::Rejected {
            status: None,
            why: format!("request not sendable: {err}"),
        },
        // Connection refused/reset, timeouts, DNS, protocol errors: the backend may recover.
        _ => ExportError::Transient {
            status: None,
            retry_after: None,
            why: err.to_string(),
        },
    }
}

/// `Retry-After` as delta-seconds or an HTTP-date, clamped to [`MAX_RETRY_AFTER`].
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let delay = if let Ok(secs) = value.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return None;
        }
        Duration::from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64()))
    } else {
        let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
        let secs = (at.timestamp_millis() - chrono::Utc::now().timestamp_millis()).max(0) as u64;
        Duration::from_millis(secs)
    };
    Some(delay.min(MAX_RETRY_AFTER))
}

/// The start of a response body for an error message (bounded, single line).
pub fn snippet(body: &str) -> String {
    let line: String = body.chars().take(200).collect();
    line.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_dates_and_clamping() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("86400"), Some(MAX_RETRY_AFTER));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("soon"), None);
    }
}
