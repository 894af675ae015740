//! OTLP/HTTP (`POST <endpoint>/v1/traces`) with JSON or protobuf bodies, optionally gzipped:
//! a session is a trace, each event a span (see [`span`]; [`encoder`] is what the mapping
//! writes, [`json`] and [`protobuf`] the two encodings). Nothing is sent when a session starts:
//! its events go out in batches as they come, its root span when it ends. The uploader's
//! retries, bounds and accounting apply unchanged; a `partialSuccess` answer's
//! `rejectedSpans` are counted as dropped.

mod encoder;
mod json;
mod protobuf;
mod resource;
pub mod span;

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use flate2::write::GzEncoder;
use serde_json::Value;
use uuid::Uuid;

use super::http::{HttpTransport, snippet};
use super::{
    Accepted, EncodedBatch, ExportError, ExportResult, Exporter, Framing, SessionRecord,
    SessionRef, Started, Updated,
};
use crate::config::{Compression, Config, Protocol};
use crate::event::Event;
use encoder::SpanEncoder;
use json::JsonSpan;
use protobuf::ProtoSpan;
use resource::Envelope;
use span::SessionContext;

pub struct OtlpExporter {
    http: HttpTransport,
    url: String,
    headers: Vec<(String, String)>,
    timeout: Duration,
    compression: Compression,
    protocol: Protocol,
    envelope: Envelope,
    /// The agents of each open session, for `gen_ai.agent.name` and the root span's name.
    agents: HashMap<Uuid, Vec<(Uuid, String)>>,
}

impl OtlpExporter {
    /// The exporter `config` describes; `language` is the host's `telemetry.sdk.language`.
    pub fn new(config: &Config, language: &str) -> Self {
        let mut headers = config.otlp_headers.0.clone();
        if config.otlp_compression == Compression::Gzip {
            headers.push(("Content-Encoding".to_owned(), "gzip".to_owned()));
        }
        OtlpExporter {
            http: HttpTransport::new(),
            url: config.otlp_traces_url(),
            headers,
            timeout: config.otlp_timeout,
            compression: config.otlp_compression,
            protocol: config.otlp_protocol,
            envelope: Envelope::new(
                config.otlp_protocol,
                config.service_name.as_deref(),
                &config.resource_attributes,
                language,
            ),
            agents: HashMap::new(),
        }
    }

    fn context<'a>(&'a self, session_id: &'a Uuid) -> SessionContext<'a> {
        SessionContext {
            session_id,
            agents: self.agents.get(session_id).map_or(&[], Vec::as_slice),
        }
    }

    /// Writes one span with the mapping `write`, in the body's encoding.
    fn encode(&self, out: &mut Vec<u8>, write: impl FnOnce(&mut dyn SpanEncoder)) {
        match self.protocol {
            Protocol::HttpJson => write(&mut JsonSpan::new(out)),
            Protocol::HttpProtobuf => write(&mut ProtoSpan::new(out)),
        }
    }

    /// The request body: the envelope around a batch's encoded spans.
    fn body(&self, spans: &[u8]) -> Vec<u8> {
        let body = self.envelope.body(spans);
        match self.compression {
            Compression::None => body,
            Compression::Gzip => {
                let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
                // Writing into a Vec cannot fail.
                let _ = gz.write_all(&body);
                gz.finish().unwrap_or_default()
            }
        }
    }

    fn content_type(&self) -> &'static str {
        match self.protocol {
            Protocol::HttpJson => "application/json",
            Protocol::HttpProtobuf => "application/x-protobuf",
        }
    }

    fn post(&self, spans: &[u8], timeout: Duration) -> ExportResult<Accepted> {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let reply = self.http.post(
            &self.url,
            self.content_type(),
            &headers,
            &self.body(spans),
            timeout.min(self.timeout),
        )?;
        Ok(match self.protocol {
            Protocol::HttpJson => partial_success(&reply.text()),
            Protocol::HttpProtobuf => {
                let (rejected, why) = protobuf::partial_success(&reply.body);
                accepted(rejected.max(0) as u64, &why)
            }
        })
    }
}

/// The spans a 2xx answer says it rejected (`partialSuccess.rejectedSpans`, an int64 that
/// arrives as a string or a number) and why; an empty or unreadable answer rejected none.
fn partial_success(body: &str) -> Accepted {
    let Ok(answer) = serde_json::from_str::<Value>(body) else {
        return Accepted::default();
    };
    let partial = &answer["partialSuccess"];
    let rejected = match &partial["rejectedSpans"] {
        Value::String(s) => s.trim().parse().unwrap_or(0),
        Value::Number(n) => n.as_u64().unwrap_or(0),
        _ => 0,
    };
    accepted(rejected, partial["errorMessage"].as_str().unwrap_or(""))
}

fn accepted(rejected: u64, why: &str) -> Accepted {
    Accepted {
        rejected: usize::try_from(rejected).unwrap_or(usize::MAX),
        why: Some(why).filter(|m| !m.is_empty()).map(snippet),
    }
}

impl Exporter for OtlpExporter {
    fn framing(&self) -> Framing {
        // Protobuf spans are fields of one message: they follow each other unseparated.
        let separator: &'static [u8] = match self.protocol {
            Protocol::HttpJson => b",",
            Protocol::HttpProtobuf => b"",
        };
        Framing {
            prefix: b"",
            separator,
            suffix: b"",
        }
    }

    fn encode_event(&self, event: &Event, session_id: &Uuid, out: &mut Vec<u8>) {
        let cx = self.context(session_id);
        self.encode(out, |span| span::write_event_span(event, &cx, span));
    }

    fn start_session(&mut self, record: &SessionRecord, _: Duration) -> ExportResult<Started> {
        self.agents.entry(record.session_id).or_default();
        Ok(Started { token: None })
    }

    fn reauthorize(&mut self, _: &Uuid, _: Duration) -> ExportResult<Started> {
        Ok(Started { token: None })
    }

    fn send_events(
        &mut self,
        _: SessionRef<'_>,
        batch: &EncodedBatch,
        timeout: Duration,
    ) -> ExportResult<Accepted> {
        self.post(batch.body(), timeout)
    }

    /// Tags are carried by the root span, sent once when the session ends.
    fn update_session(
        &mut self,
        session: SessionRef<'_>,
        record: &SessionRecord,
        ending: bool,
        timeout: Duration,
    ) -> ExportResult<Updated> {
        if !ending {
            return Ok(Updated::default());
        }
        let mut root = Vec::new();
        let cx = self.context(session.id);
        self.encode(&mut root, |span| {
            span::write_session_span(record, &cx, span)
        });
        let result = self.post(&root, timeout);
        let resend = matches!(
            result,
            Err(ExportError::Transient { .. } | ExportError::Unauthorized { .. })
        );
        if !resend {
            self.agents.remove(session.id);
        }
        match result? {
            Accepted { rejected: 0, .. } => Ok(Updated::default()),
            Accepted { why, .. } => Err(ExportError::Rejected {
                status: None,
                why: why.unwrap_or_else(|| "the root span was rejected".into()),
            }),
        }
    }

    fn create_agent(
        &mut self,
        session: SessionRef<'_>,
        agent_id: &Uuid,
        name: &str,
        _: Duration,
    ) -> ExportResult<()> {
        let agents = self.agents.entry(*session.id).or_default();
        agents.retain(|(id, _)| id != agent_id);
        agents.push((*agent_id, name.to_owned()));
        Ok(())
    }
}

#[cfg(test)]
mod tests;
