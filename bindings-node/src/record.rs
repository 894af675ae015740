//! Record time: the JSON text of an event (written by `JSON.stringify` in `lib/events.js`)
//! becomes a core event and is recorded. Nothing here throws into user code: problems are
//! logged, and a panic is caught and logged too.

use std::panic::{AssertUnwindSafe, catch_unwind};

use agentops_core::{Event, Session};

/// Records the event written in `event` into `session`; an error event with the text of
/// its not yet recorded `trigger` records the trigger first and links the two.
pub fn record_json(session: &Session, event: &str, trigger: Option<&str>) {
    let recorded = catch_unwind(AssertUnwindSafe(|| {
        let Some(event) = decode(event) else { return };
        let result = match trigger.and_then(decode) {
            Some(trigger) => session.record_error(event, Some(trigger)),
            None => session.record(event),
        };
        if let Err(err) = result {
            session.log_refused_record(&err);
        }
    }));
    if recorded.is_err() {
        log::error!("an event could not be recorded (a bug in agentops); it was dropped");
    }
}

fn decode(text: &str) -> Option<Event> {
    Event::from_json(text)
        .map_err(|err| log::warn!("Could not record event - {}", err.message()))
        .ok()
}
