//! An instrumented LLM client call recorded from its HTTP bodies: the caller's thread
//! copies the two bodies and hands them to the core, which reads them into the `LLMEvent`'s
//! fields on the uploader's thread (see `agentops_core::LlmExchange`).

use agentops_core::{Event, EventKind, LlmApi, LlmExchange, LlmFields, Session, Timestamp};
use pyo3::prelude::*;

use crate::events::current_agent;
use crate::record::guarded;

/// Records the call into `session`: it started at `started` (epoch seconds) and ends now,
/// with the agent tracked in the caller's context. Never raises: problems are logged.
pub fn record_exchange(
    py: Python<'_>,
    session: &Session,
    api: &str,
    started: f64,
    request: Option<&[u8]>,
    response: &[u8],
) {
    guarded(|| {
        let Some(api) = LlmApi::parse(api) else {
            log::warn!("an LLM call was not recorded: unknown API {api:?}");
            return;
        };
        let exchange = LlmExchange::new(api, request.map(<[u8]>::to_vec), response.to_vec());
        let fields = LlmFields {
            exchange: Some(Box::new(exchange)),
            ..Default::default()
        };
        let init = if started.is_finite() {
            Timestamp::from_micros((started * 1e6).round() as i64)
        } else {
            Timestamp::now()
        };
        let mut event = Event::started_at(EventKind::Llm(Box::new(fields)), init);
        event.agent_id = current_agent(py);
        if let Err(err) = session.record(event) {
            session.log_refused_record(&err);
        }
    });
}
