//! Records a small agent session offline, with the local file exporter: no API key, no
//! network, no server. Prints the file the session went to.
//!
//!     cargo run --example quickstart
//!
//! `AGENTOPS_EXPORT_DIR` chooses the directory (default `./agentops_sessions`).

use std::time::Duration;

use agentops_core::{
    Client, Config, EndState, ErrorFields, Event, ExporterKind, LlmFields, StartOptions,
};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::from_env()?;
    config.exporter = Some(ExporterKind::File);
    let client = Client::new(config)?;
    let session = client.start_session(StartOptions {
        tags: vec!["quickstart".into()],
        ..Default::default()
    })?;

    // A tiny "agent": plan, call a tool, ask a model, hit an error, answer.
    let agent = session.create_agent("researcher", None);
    session.record(
        Event::action("plan")
            .with_agent(agent)
            .with_params(json!({"goal": "find the capital of France"})),
    )?;
    let search = Event::tool("web_search")
        .with_agent(agent)
        .with_params(json!({"q": "capital of France"}));
    session.record(search.with_returns(json!(["Paris is the capital of France."])))?;
    session.record(Event::llm(LlmFields {
        model: Some("gpt-4o-mini".into()),
        prompt: Some("Answer briefly: what is the capital of France?".into()),
        completion: Some("Paris".into()),
        prompt_tokens: Some(12),
        completion_tokens: Some(1),
        ..Default::default()
    }))?;
    let lookup = Event::action("double_check").with_agent(agent);
    let error = Event::error(ErrorFields {
        error_type: Some("TimeoutError".into()),
        details: Some("the second source did not answer".into()),
        ..Default::default()
    });
    session.record_error(error, Some(lookup))?; // the failed action first, then its error
    let ended = session.end(EndState::Success, Some("answered: Paris".into()))?;
    println!("{}", ended.stats.stats_line());

    let report = client.shutdown(Duration::from_secs(5));
    println!(
        "Recorded session {} ({} events): {}",
        session.id(),
        report.stats.delivered,
        ended.replay.line()
    );
    Ok(())
}
