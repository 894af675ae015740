//! An in-memory exporter whose answers are scripted per call, for tests that drive every
//! retry, 413, 401, refusal and panic path of the worker deterministically.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use uuid::Uuid;

use super::{
    Accepted, EncodedBatch, ExportError, ExportResult, Exporter, Framing, SessionRecord,
    SessionRef, Started, Updated,
};
use crate::event::Event;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    Start,
    Reauthorize,
    Events,
    Update,
    End,
    Agent,
}

/// One scripted answer; calls with nothing scripted succeed.
#[derive(Debug, Clone)]
pub enum Answer {
    Fail(ExportError),
    Panic,
}

#[derive(Default)]
pub struct Script {
    answers: HashMap<Call, VecDeque<Answer>>,
    /// Every call made, in order.
    pub calls: Vec<Call>,
    /// The event ids of every accepted batch, in order.
    pub delivered: Vec<String>,
    /// Batches larger than this are answered 413.
    pub max_events_per_request: Option<usize>,
    tokens_issued: u32,
}

impl Script {
    pub fn then(&mut self, call: Call, answer: Answer) -> &mut Self {
        self.answers.entry(call).or_default().push_back(answer);
        self
    }

    pub fn count(&self, call: Call) -> usize {
        self.calls.iter().filter(|c| **c == call).count()
    }

    fn answer(&mut self, call: Call) -> ExportResult<()> {
        self.calls.push(call);
        match self.answers.get_mut(&call).and_then(VecDeque::pop_front) {
            None => Ok(()),
            Some(Answer::Fail(err)) => Err(err),
            Some(Answer::Panic) => panic!("scripted exporter panic on {call:?}"),
        }
    }

    fn token(&mut self) -> Started {
        self.tokens_issued += 1;
        Started {
            token: Some(format!("jwt-{}", self.tokens_issued)),
        }
    }
}

/// The exporter; `script()` gives the shared script to set answers and read calls.
#[derive(Clone, Default)]
pub struct ScriptedExporter {
    script: Arc<Mutex<Script>>,
}

impl ScriptedExporter {
    pub fn script(&self) -> std::sync::MutexGuard<'_, Script> {
        self.script.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub fn transient(status: u16) -> Answer {
    Answer::Fail(ExportError::Transient {
        status: Some(status),
        retry_after: None,
        why: format!("HTTP {status}"),
    })
}

pub fn unauthorized() -> Answer {
    Answer::Fail(ExportError::Unauthorized {
        status: Some(401),
        why: "HTTP 401".into(),
    })
}

pub fn rejected(status: u16) -> Answer {
    Answer::Fail(ExportError::Rejected {
        status: Some(status),
        why: format!("HTTP {status}"),
    })
}

impl Exporter for ScriptedExporter {
    fn framing(&self) -> Framing {
        Framing {
            prefix: b"",
            separator: b"",
            suffix: b"",
        }
    }

    fn encode_event(&self, event: &Event, _session_id: &Uuid, out: &mut Vec<u8>) {
        out.extend_from_slice(event.id.to_string().as_bytes());
    }

    fn start_session(
        &mut self,
        _record: &SessionRecord,
        _timeout: Duration,
    ) -> ExportResult<Started> {
        let mut s = self.script();
        s.answer(Call::Start)?;
        Ok(s.token())
    }

    fn reauthorize(&mut self, _session_id: &Uuid, _timeout: Duration) -> ExportResult<Started> {
        let mut s = self.script();
        s.answer(Call::Reauthorize)?;
        Ok(s.token())
    }

    fn send_events(
        &mut self,
        _session: SessionRef<'_>,
        batch: &EncodedBatch,
        _timeout: Duration,
    ) -> ExportResult<Accepted> {
        let mut s = self.script();
        s.answer(Call::Events)?;
        if s.max_events_per_request
            .is_some_and(|max| batch.len() > max)
        {
            return Err(ExportError::TooLarge);
        }
        let ids: Vec<String> = batch
            .items()
            .map(|i| String::from_utf8_lossy(i).into_owned())
            .collect();
        s.delivered.extend(ids);
        Ok(Accepted::default())
    }

    fn update_session(
        &mut self,
        _session: SessionRef<'_>,
        _record: &SessionRecord,
        ending: bool,
        _timeout: Duration,
    ) -> ExportResult<Updated> {
        self.script()
            .answer(if ending { Call::End } else { Call::Update })?;
        Ok(Updated {
            token_cost: Some(1.5),
        })
    }

    fn create_agent(
        &mut self,
        _session: SessionRef<'_>,
        _agent_id: &Uuid,
        _name: &str,
        _timeout: Duration,
    ) -> ExportResult<()> {
        self.script().answer(Call::Agent)
    }
}
