//! Record time: the JSON text of an event (written field by field in `lib/events.js`)
//! becomes a core event and is recorded. The text is decoded on the uploader's thread
//! (`Session::record_encoded`); an error event with a trigger not yet recorded is decoded
//! here, to link the two. Nothing here throws into user code: problems are logged, and a
//! panic is caught and logged too.

use std::panic::{AssertUnwindSafe, catch_unwind};

use agentops_core::{Event, Session};

/// Records the event written in `event` into `session`.
pub fn record_json(session: &Session, event: String) {
    guarded(|| {
        if let Err(err) = session.record_encoded(event) {
            session.log_refused_record(&err);
        }
    });
}

/// Records an error event whose `trigger` was not recorded yet: the trigger first, then the
/// error linked to it.
pub fn record_error_json(session: &Session, error: &str, trigger: Option<&str>) {
    guarded(|| {
        let Some(error) = decode(error) else { return };
        if let Err(err) = session.record_error(error, trigger.and_then(decode)) {
            session.log_refused_record(&err);
        }
    });
}

fn guarded(record: impl FnOnce()) {
    if catch_unwind(AssertUnwindSafe(record)).is_err() {
        log::error!("an event could not be recorded (a bug in agentops); it was dropped");
    }
}

fn decode(text: &str) -> Option<Event> {
    Event::from_json(text)
        .map_err(|err| log::warn!("Could not record event - {}", err.message()))
        .ok()
}
