//! The messages callers send the worker, in one FIFO channel so each thread's events stay
//! ordered with the session changes it makes after them. Private to the uploader.

use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::Sender;
use uuid::Uuid;

use super::EndDelivery;
use super::state::SessionState;
use crate::error::Result;
use crate::event::{EncodedEvent, Event};
use crate::export::SessionRecord;

pub(super) enum Message {
    Event {
        session: u64,
        bytes: u32,
        event: Pending,
    },
    Control(Box<Control>),
}

/// An event as the caller handed it over: built, or still as text for the worker to decode.
pub(super) enum Pending {
    Ready(Box<Event>),
    Encoded(Box<EncodedEvent>),
}

impl Pending {
    pub fn into_event(self) -> Result<Box<Event>> {
        let mut event = match self {
            Pending::Ready(event) => event,
            Pending::Encoded(encoded) => Box::new(encoded.decode()?),
        };
        event.settle_exchange();
        Ok(event)
    }
}

pub(super) enum Control {
    /// Create the session at the backend; `reply` answers once it is known (or refused).
    Start {
        state: Arc<SessionState>,
        record: SessionRecord,
        reply: Sender<Result<()>>,
        caller_waits_until: Instant,
    },
    /// A forked child takes over a session it inherited: fresh credentials, same id.
    Adopt {
        state: Arc<SessionState>,
    },
    CreateAgent {
        session: u64,
        agent_id: Uuid,
        name: String,
    },
    Update {
        session: u64,
        record: SessionRecord,
    },
    End {
        session: u64,
        record: SessionRecord,
        reply: Option<Sender<EndDelivery>>,
    },
    Flush {
        deadline: Instant,
        reply: Sender<bool>,
    },
    /// `reply` says whether everything was delivered.
    Shutdown {
        deadline: Instant,
        reply: Sender<bool>,
    },
}
