//! Sessions: a client-generated (or inherited) UUID, ordered de-duplicated tags, an end
//! state, event counts per type. Many can be open at once; each has its own JWT.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::client::ClientInner;
use crate::error::{Error, ErrorKind, Result};
use crate::event::{EndState, Event, EventCategory};
use crate::time::Timestamp;
use crate::uploader::{Control, EndOutcome};
use crate::wire::SessionRecord;

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// Created; the backend has not answered yet. Events are buffered meanwhile.
    Starting = 0,
    /// The backend accepted the session.
    Running = 1,
    /// The backend refused the session; its events are dropped and counted.
    Refused = 2,
    /// `end` was called.
    Ended = 3,
}

impl SessionStatus {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => SessionStatus::Starting,
            1 => SessionStatus::Running,
            2 => SessionStatus::Refused,
            _ => SessionStatus::Ended,
        }
    }
}

/// The part of a session both callers and the uploader thread see: atomics only.
pub(crate) struct SessionShared {
    /// Internal key (unique per client, unlike an inherited session id).
    pub key: u64,
    pub id: Uuid,
    pub init_timestamp: Timestamp,
    status: AtomicU8,
    counts: [AtomicU64; 5],
    token_cost_bits: AtomicU64,
    lost_events: AtomicBool,
    /// Carried into a forked child: the parent owns it, so the child never ends it.
    inherited: AtomicBool,
}

impl SessionShared {
    pub fn new(key: u64, id: Uuid) -> Self {
        SessionShared {
            key,
            id,
            init_timestamp: Timestamp::now(),
            status: AtomicU8::new(SessionStatus::Starting as u8),
            counts: Default::default(),
            token_cost_bits: AtomicU64::new(f64::NAN.to_bits()),
            lost_events: AtomicBool::new(false),
            inherited: AtomicBool::new(false),
        }
    }

    pub fn status(&self) -> SessionStatus {
        SessionStatus::from_u8(self.status.load(Relaxed))
    }

    /// Set by the uploader; `Ended` is final and is never overwritten.
    pub fn set_status(&self, status: SessionStatus) {
        let _ = self.status.fetch_update(Relaxed, Relaxed, |current| {
            (current != SessionStatus::Ended as u8).then_some(status as u8)
        });
    }

    /// Marks the session ended; returns the status it had.
    fn mark_ended(&self) -> SessionStatus {
        SessionStatus::from_u8(self.status.swap(SessionStatus::Ended as u8, Relaxed))
    }

    /// In a forked child: the session is re-adopted (back to `Starting` until its fresh
    /// JWT arrives) and marked as the parent's.
    pub fn adopt_after_fork(&self) {
        self.inherited.store(true, Relaxed);
        self.set_status(SessionStatus::Starting);
    }

    pub fn is_inherited(&self) -> bool {
        self.inherited.load(Relaxed)
    }

    pub fn counts(&self) -> [u64; 5] {
        let mut out = [0; 5];
        for (slot, counter) in out.iter_mut().zip(&self.counts) {
            *slot = counter.load(Relaxed);
        }
        out
    }

    pub fn set_token_cost(&self, cost: f64) {
        self.token_cost_bits.store(cost.to_bits(), Relaxed);
    }

    pub fn token_cost(&self) -> Option<f64> {
        Some(f64::from_bits(self.token_cost_bits.load(Relaxed))).filter(|c| !c.is_nan())
    }

    pub fn mark_lost_events(&self) {
        self.lost_events.store(true, Relaxed);
    }

    pub fn lost_events(&self) -> bool {
        self.lost_events.load(Relaxed)
    }
}

/// Caller-side state, never touched by the uploader thread.
struct SessionMeta {
    tags: Vec<String>,
    end_state: EndState,
    end_state_reason: Option<String>,
    end_timestamp: Option<Timestamp>,
    video: Option<String>,
}

pub(crate) struct SessionInner {
    pub(crate) shared: Arc<SessionShared>,
    client: Arc<ClientInner>,
    meta: Mutex<SessionMeta>,
}

/// Counts and cost of a session (agentops 0.3 `get_analytics`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Analytics {
    pub llm_calls: u64,
    pub tool_calls: u64,
    pub actions: u64,
    pub errors: u64,
    pub duration: Duration,
    pub token_cost: Option<f64>,
}

/// A handle to one session; cheap to clone, safe to share between threads.
#[derive(Clone)]
pub struct Session {
    inner: Arc<SessionInner>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id())
            .field("status", &self.status())
            .finish()
    }
}

/// Appends `new` tags that are not there yet, keeping first-seen order.
pub(crate) fn merge_tags(tags: &mut Vec<String>, new: impl IntoIterator<Item = String>) {
    for tag in new {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
}

impl Session {
    pub(crate) fn new(
        shared: Arc<SessionShared>,
        client: Arc<ClientInner>,
        tags: Vec<String>,
    ) -> Self {
        let meta = SessionMeta {
            tags,
            end_state: EndState::Indeterminate,
            end_state_reason: None,
            end_timestamp: None,
            video: None,
        };
        Session {
            inner: Arc::new(SessionInner {
                shared,
                client,
                meta: Mutex::new(meta),
            }),
        }
    }

    pub(crate) fn shared(&self) -> &Arc<SessionShared> {
        &self.inner.shared
    }

    pub(crate) fn same_as(&self, other: &Session) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    fn meta(&self) -> MutexGuard<'_, SessionMeta> {
        self.inner.meta.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn id(&self) -> Uuid {
        self.inner.shared.id
    }

    pub fn status(&self) -> SessionStatus {
        self.inner.shared.status()
    }

    /// Open and not refused (the backend may not have answered yet).
    pub fn is_running(&self) -> bool {
        matches!(
            self.status(),
            SessionStatus::Starting | SessionStatus::Running
        )
    }

    pub fn init_timestamp(&self) -> Timestamp {
        self.inner.shared.init_timestamp
    }

    pub fn session_url(&self) -> String {
        format!("https://app.agentops.ai/drilldown?session_id={}", self.id())
    }

    /// Records an event. Never blocks and never does I/O: the event is handed to the
    /// uploader thread. On a full buffer it is dropped and counted (`ErrorKind::QueueFull`).
    #[inline]
    pub fn record(&self, mut event: Event) -> Result<()> {
        let shared = &self.inner.shared;
        match shared.status() {
            SessionStatus::Ended => {
                return Err(Error::new(ErrorKind::SessionEnded, "the session has ended"));
            }
            SessionStatus::Refused => {
                return Err(Error::new(
                    ErrorKind::SessionRefused,
                    "the backend refused this session",
                ));
            }
            SessionStatus::Starting | SessionStatus::Running => {}
        }
        event.stamp_end();
        let category = event.kind.category();
        self.inner
            .client
            .pipeline()
            .submit(shared.key, event)
            .map_err(|kind| {
                let message = match kind {
                    ErrorKind::QueueFull => {
                        "the event buffer is full; the event was dropped and counted"
                    }
                    _ => "the client is shut down; the event was dropped and counted",
                };
                Error::new(kind, message)
            })?;
        shared.counts[category as usize].fetch_add(1, Relaxed);
        Ok(())
    }

    pub fn tags(&self) -> Vec<String> {
        self.meta().tags.clone()
    }

    /// Adds tags (ordered, de-duplicated) and sends the update.
    pub fn add_tags(&self, tags: impl IntoIterator<Item = String>) {
        let record = {
            let mut meta = self.meta();
            merge_tags(&mut meta.tags, tags);
            self.record_from(&meta)
        };
        self.send_update(record);
    }

    /// Replaces the tags and sends the update.
    pub fn set_tags(&self, tags: impl IntoIterator<Item = String>) {
        let record = {
            let mut meta = self.meta();
            meta.tags.clear();
            merge_tags(&mut meta.tags, tags);
            self.record_from(&meta)
        };
        self.send_update(record);
    }

    pub fn set_video(&self, url: Option<String>) {
        self.meta().video = url;
    }

    fn send_update(&self, record: SessionRecord) {
        if self.status() == SessionStatus::Ended {
            return;
        }
        let session = self.inner.shared.key;
        self.inner
            .client
            .pipeline()
            .control(Control::Update { session, record }, None);
    }

    /// Registers an agent; `POST /v2/create_agent` is sent before any event recorded after
    /// this call. Returns the agent id (generated unless given).
    pub fn create_agent(&self, name: &str, agent_id: Option<Uuid>) -> Uuid {
        let agent_id = agent_id.unwrap_or_else(crate::id::new_id);
        if self.is_running() {
            let control = Control::CreateAgent {
                session: self.inner.shared.key,
                agent_id,
                name: name.to_owned(),
            };
            self.inner.client.pipeline().control(control, None);
        }
        agent_id
    }

    /// The session object as sent to the backend.
    pub fn to_record(&self) -> SessionRecord {
        self.record_from(&self.meta())
    }

    fn record_from(&self, meta: &SessionMeta) -> SessionRecord {
        SessionRecord {
            session_id: self.id(),
            init_timestamp: self.inner.shared.init_timestamp,
            end_timestamp: meta.end_timestamp,
            end_state: meta.end_state,
            end_state_reason: meta.end_state_reason.clone(),
            tags: meta.tags.clone(),
            video: meta.video.clone(),
            event_counts: self.inner.shared.counts(),
            host_env: self.inner.client.host_env().cloned(),
        }
    }

    pub fn event_counts(&self) -> [u64; 5] {
        self.inner.shared.counts()
    }

    pub fn token_cost(&self) -> Option<f64> {
        self.inner.shared.token_cost()
    }

    pub fn analytics(&self) -> Analytics {
        let counts = self.event_counts();
        let meta = self.meta();
        let end = meta.end_timestamp.unwrap_or_else(Timestamp::now);
        let micros = (end.as_micros() - self.init_timestamp().as_micros()).max(0) as u64;
        Analytics {
            llm_calls: counts[EventCategory::Llms as usize],
            tool_calls: counts[EventCategory::Tools as usize],
            actions: counts[EventCategory::Actions as usize],
            errors: counts[EventCategory::Errors as usize],
            duration: Duration::from_micros(micros),
            token_cost: self.token_cost(),
        }
    }

    /// Ends the session: its pending events, then the final update, are sent. Waits at
    /// most `session_end_timeout` for that (the uploader keeps going afterwards).
    /// A second call is an error and sends nothing.
    pub fn end(&self, state: EndState, reason: Option<String>) -> Result<EndOutcome> {
        let timeout = self.inner.client.config().session_end_timeout;
        self.end_within(state, reason, Some(timeout))
    }

    /// As [`Session::end`], waiting at most `wait` (`None`: queue the end and return).
    pub fn end_within(
        &self,
        state: EndState,
        reason: Option<String>,
        wait: Option<Duration>,
    ) -> Result<EndOutcome> {
        let previous = self.inner.shared.mark_ended();
        if previous == SessionStatus::Ended {
            return Err(Error::new(
                ErrorKind::SessionEnded,
                "the session has already ended",
            ));
        }
        let record = {
            let mut meta = self.meta();
            meta.end_state = state;
            meta.end_state_reason = reason;
            meta.end_timestamp = Some(Timestamp::now());
            self.record_from(&meta)
        };
        self.inner.client.forget_session(self);
        if previous == SessionStatus::Refused {
            return Ok(EndOutcome::default());
        }
        let session = self.inner.shared.key;
        let pipeline = self.inner.client.pipeline();
        let Some(wait) = wait else {
            let deadline = Instant::now() + self.inner.client.config().session_end_timeout;
            pipeline.control(
                Control::End {
                    session,
                    record,
                    reply: None,
                },
                Some(deadline),
            );
            return Ok(EndOutcome::default());
        };
        let deadline = Instant::now() + wait;
        let (reply, answer) = crossbeam_channel::bounded(1);
        if !pipeline.control(
            Control::End {
                session,
                record,
                reply: Some(reply),
            },
            Some(deadline),
        ) {
            return Ok(EndOutcome::default());
        }
        Ok(answer.recv_deadline(deadline).unwrap_or_default())
    }
}
