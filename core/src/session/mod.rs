//! Sessions: a client-generated (or inherited) UUID, ordered de-duplicated tags, an end
//! state, event counts per type. Many can be open at once; each has its own credentials.
//!
//! - [`Session`]: a handle to one session (recording, tags, agents, ending).
//! - `registry.rs`: [`Sessions`], the open sessions of a client and the uploader they
//!   record through — the only list of sessions there is.
//! - `report.rs`: what a session amounts to, and the agentops 0.3 texts about it.

mod ending;
mod registry;
mod report;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use uuid::Uuid;

use crate::error::{Error, ErrorKind, Result};
use crate::event::{EncodedEvent, EndState, Event, EventCategory, time::Timestamp};
use crate::export::SessionRecord;
use crate::uploader::{SessionState, SessionStatus};
pub use ending::{EndAllWaiter, EndWaiter};
pub(crate) use registry::Sessions;
pub use registry::StartOptions;
pub use report::{EndReport, EventCounts, Replay, SessionStats};

/// The end-state reason for sessions still open at exit (agentops 0.3's wording).
pub const EXIT_REASON: &str = "N/A (process exited without calling agentops.end_session(...))";

/// Caller-side state, never touched by the uploader thread.
struct SessionMeta {
    tags: Vec<String>,
    end_state: EndState,
    end_state_reason: Option<String>,
    end_timestamp: Option<Timestamp>,
    video: Option<String>,
}

/// One session's data. The registry holds these (never handles), so a session never keeps
/// its client alive.
pub(crate) struct SessionData {
    state: Arc<SessionState>,
    init_timestamp: Timestamp,
    counts: [AtomicU64; 5],
    /// Carried into a forked child: the parent owns it, so the child never ends it.
    inherited: AtomicBool,
    meta: Mutex<SessionMeta>,
}

impl SessionData {
    fn meta(&self) -> MutexGuard<'_, SessionMeta> {
        self.meta.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn counts(&self) -> [u64; 5] {
        let mut out = [0; 5];
        for (slot, counter) in out.iter_mut().zip(&self.counts) {
            *slot = counter.load(Relaxed);
        }
        out
    }

    fn record_from(&self, meta: &SessionMeta) -> SessionRecord {
        SessionRecord {
            session_id: self.state.id(),
            init_timestamp: self.init_timestamp,
            end_timestamp: meta.end_timestamp,
            end_state: meta.end_state,
            end_state_reason: meta.end_state_reason.clone(),
            tags: meta.tags.clone(),
            video: meta.video.clone(),
            event_counts: self.counts(),
        }
    }
}

/// A handle to one session; cheap to clone, safe to share between threads.
#[derive(Clone)]
pub struct Session {
    data: Arc<SessionData>,
    sessions: Arc<Sessions>,
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
    pub fn id(&self) -> Uuid {
        self.data.state.id()
    }

    pub fn status(&self) -> SessionStatus {
        self.data.state.status()
    }

    /// Open and not refused (the backend may not have answered yet).
    pub fn is_running(&self) -> bool {
        matches!(
            self.status(),
            SessionStatus::Starting | SessionStatus::Running
        )
    }

    pub fn is_inherited(&self) -> bool {
        self.data.inherited.load(Relaxed)
    }

    pub fn init_timestamp(&self) -> Timestamp {
        self.data.init_timestamp
    }

    pub fn session_url(&self) -> String {
        format!("https://app.agentops.ai/drilldown?session_id={}", self.id())
    }

    /// How long ending the session waits by default (`session_end_timeout`).
    pub fn end_timeout(&self) -> Duration {
        self.sessions.session_end_timeout()
    }

    /// The bound on one payload or text field (`max_field_bytes`), for bindings that
    /// convert payloads themselves.
    pub fn max_field_bytes(&self) -> usize {
        self.sessions.uploader().max_field_bytes()
    }

    /// The JSONL file the session is written to (file exporter only).
    pub fn export_path(&self) -> Option<PathBuf> {
        self.sessions.export_path(&self.id())
    }

    /// Where to look at the session: its file, its OTLP trace, or its dashboard URL.
    pub fn replay(&self) -> Replay {
        if let Some(path) = self.export_path() {
            return Replay::File(path);
        }
        match self.sessions.otlp_traces_url() {
            Some(url) => Replay::Trace {
                trace_id: crate::export::otlp::span::trace_id(&self.id()),
                url,
            },
            None => Replay::Url(self.session_url()),
        }
    }

    /// Records an event; its end time is stamped now unless it was given one (see
    /// [`Event::stamp_end`]). Never blocks and never does I/O: the event is handed to the
    /// uploader thread. An event that cannot be taken (full buffer, shut down) is dropped,
    /// counted, and reported here.
    #[inline]
    pub fn record(&self, event: Event) -> Result<()> {
        // Boxed once, here: the event then moves as a pointer.
        self.record_boxed(Box::new(event))
    }

    /// As [`Session::record`], for an event already on the heap.
    pub fn record_boxed(&self, mut event: Box<Event>) -> Result<()> {
        event.stamp_end();
        self.submit(event)
    }

    /// Records an event that took no time, such as a C one-shot call: it ends at its
    /// `init_timestamp`, which spares a second clock read (~20 ns) on the caller's thread.
    pub fn record_instant(&self, mut event: Event) -> Result<()> {
        event.end_timestamp = Some(event.init_timestamp);
        self.submit(Box::new(event))
    }

    /// Records an event written as JSON text ([`Event::from_json`]'s shape). Text that names
    /// its kind first, as the bindings write it, is decoded on the uploader's thread (see
    /// [`EncodedEvent`]); its end time is the time of this call. Other text is decoded now.
    pub fn record_encoded(&self, text: String) -> Result<()> {
        let uploader = self.sessions.uploader();
        match EncodedEvent::new(text, uploader.max_encoded_len()) {
            Ok(event) => self.hand_over(event.category(), |state| {
                uploader.submit_encoded(state, event)
            }),
            Err(text) => self.record(Event::from_json(&text)?),
        }
    }

    /// Hands an event with final timestamps to the uploader.
    fn submit(&self, event: Box<Event>) -> Result<()> {
        let uploader = self.sessions.uploader();
        self.hand_over(event.kind.category(), |state| uploader.submit(state, event))
    }

    /// Checks that the session takes events, gives one to `submit`, and counts it.
    fn hand_over(
        &self,
        category: EventCategory,
        submit: impl FnOnce(&SessionState) -> Result<()>,
    ) -> Result<()> {
        let uploader = self.sessions.uploader();
        if uploader.is_shut_down() {
            // The process is exiting: counted (and logged once), whatever the session's state.
            return Err(uploader.refuse_after_shutdown());
        }
        match self.status() {
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
        submit(&self.data.state)?;
        self.data.counts[category as usize].fetch_add(1, Relaxed);
        Ok(())
    }

    /// Records an error event after the event that failed (if it was not recorded yet),
    /// linking the two by `trigger_event_id`. Both are attempted; the first failure is
    /// returned.
    pub fn record_error(&self, error: Event, trigger: Option<Event>) -> Result<()> {
        let Some(trigger) = trigger else {
            return self.record(error);
        };
        let error = error.triggered_by(&trigger);
        let first = self.record(trigger);
        let second = self.record(error);
        first.and(second)
    }

    /// Logs why an event was not recorded, for bindings whose `record` never raises: a
    /// warning for an ended or refused session, else debug (the drop is counted in stats,
    /// and the first one logged by the uploader).
    pub fn log_refused_record(&self, err: &Error) {
        match err.kind() {
            ErrorKind::SessionEnded => {
                log::warn!("Could not record event - session {} has ended", self.id())
            }
            ErrorKind::SessionRefused => log::warn!(
                "Could not record event - the backend refused session {}",
                self.id()
            ),
            _ => log::debug!("event not recorded: {}", err.message()),
        }
    }

    pub fn tags(&self) -> Vec<String> {
        self.data.meta().tags.clone()
    }

    /// Adds tags (ordered, de-duplicated) and sends the update.
    pub fn add_tags(&self, tags: impl IntoIterator<Item = String>) {
        self.update(|meta| merge_tags(&mut meta.tags, tags));
    }

    /// Replaces the tags and sends the update.
    pub fn set_tags(&self, tags: impl IntoIterator<Item = String>) {
        self.update(|meta| {
            meta.tags.clear();
            merge_tags(&mut meta.tags, tags);
        });
    }

    /// Sets the video URL, sent with the session's next update.
    pub fn set_video(&self, url: Option<String>) {
        self.data.meta().video = url;
    }

    fn update(&self, change: impl FnOnce(&mut SessionMeta)) {
        let record = {
            let mut meta = self.data.meta();
            change(&mut meta);
            self.data.record_from(&meta)
        };
        if self.status() != SessionStatus::Ended {
            self.sessions
                .uploader()
                .update_session(&self.data.state, record);
        }
    }

    /// Registers an agent; it is created at the backend before any event recorded after
    /// this call. Returns the agent id (generated unless given).
    pub fn create_agent(&self, name: &str, agent_id: Option<Uuid>) -> Uuid {
        let agent_id = agent_id.unwrap_or_else(crate::event::id::new_id);
        if self.is_running() {
            self.sessions
                .uploader()
                .create_agent(&self.data.state, agent_id, name.to_owned());
        }
        agent_id
    }

    /// The session as exporters are told about it.
    pub fn to_record(&self) -> SessionRecord {
        self.data.record_from(&self.data.meta())
    }

    pub fn event_counts(&self) -> EventCounts {
        EventCounts::from_array(self.data.counts())
    }

    /// The last token cost the backend reported.
    pub fn token_cost(&self) -> Option<f64> {
        self.data.state.token_cost()
    }

    /// Counts, duration (so far, or in all once ended) and cost.
    pub fn stats(&self) -> SessionStats {
        let end = self
            .data
            .meta()
            .end_timestamp
            .unwrap_or_else(Timestamp::now);
        let micros = (end.as_micros() - self.init_timestamp().as_micros()).max(0) as u64;
        SessionStats {
            counts: self.event_counts(),
            duration: Duration::from_micros(micros),
            token_cost: self.token_cost(),
        }
    }
}
