//! Messages in: events join their session's open batch; control messages become requests
//! in the session's queue, flush waiters or the shutdown.

use std::time::Instant;

use super::{MAX_BATCH_BYTES, Worker};
use crate::uploader::EndDelivery;
use crate::uploader::protocol::{Control, Message, Pending};
use crate::uploader::session_queue::{PendingBatch, Phase, Request, SessionQueue};
use crate::uploader::stats::DropReason;

impl Worker {
    pub(super) fn handle(&mut self, message: Message, now: Instant) {
        match message {
            Message::Event {
                session,
                bytes,
                event,
            } => self.take_event(session, bytes as u64, event, now),
            Message::Control(control) => self.handle_control(*control),
        }
    }

    fn take_event(&mut self, session: u64, bytes: u64, event: Pending, now: Instant) {
        let event = match event.into_event() {
            Ok(event) => event,
            Err(err) => {
                // Text a binding wrote that its decoder refuses: a bug in that binding. The
                // first drop of the reason is logged as a warning (`count_drop`); the details
                // of each at debug level, so such a bug cannot flood the log.
                log::debug!("Could not record event - {}", err.message());
                return self
                    .counters()
                    .settle_dropped(DropReason::Rejected, 1, bytes);
            }
        };
        let seq = self.take_seq();
        let Some(q) = self.sessions.get_mut(&session) else {
            log::debug!("event for an unknown or finished session dropped");
            return self
                .counters()
                .settle_dropped(DropReason::Rejected, 1, bytes);
        };
        if let Phase::Refused(reason) = q.phase {
            return self.shared.counters.settle_dropped(reason, 1, bytes);
        }
        self.held.events += 1;
        self.held.bytes += bytes;
        let (batch, _) = q.open.get_or_insert_with(|| (PendingBatch::new(seq), now));
        batch.push(event, bytes as u32);
        if batch.len() >= self.settings.batch_size || batch.reserved_bytes >= MAX_BATCH_BYTES {
            q.seal();
        }
    }

    fn handle_control(&mut self, control: Control) {
        // Every control message takes a place in the sequence, so a flush waits for the
        // session updates and agents queued before it, not only for events.
        let seq = self.take_seq();
        match control {
            Control::Start {
                state,
                record,
                reply,
                caller_waits_until,
            } => {
                let key = state.key;
                let mut q = SessionQueue::new(state, seq, Request::Start(record));
                q.start_reply = Some((reply, caller_waits_until));
                self.sessions.insert(key, q);
            }
            Control::Adopt { state } => {
                let key = state.key;
                self.sessions
                    .insert(key, SessionQueue::new(state, seq, Request::Reauthorize));
            }
            Control::CreateAgent {
                session,
                agent_id,
                name,
            } => {
                if let Some(q) = self.sessions.get_mut(&session) {
                    // Events recorded before stay before: the agent must exist before any
                    // event that references it.
                    q.seal();
                    q.push_back(seq, Request::Agent { id: agent_id, name });
                }
            }
            Control::Update { session, record } => {
                if let Some(q) = self.sessions.get_mut(&session) {
                    let update = Request::Update {
                        record,
                        end_reply: None,
                        ending: false,
                    };
                    q.push_back(seq, update);
                }
            }
            Control::End {
                session,
                record,
                reply,
            } => self.end_session(session, seq, record, reply),
            Control::Flush { deadline, reply } => self.add_flush(deadline, reply),
            Control::Shutdown { deadline, reply } => self.begin_shutdown(deadline, reply),
        }
    }

    fn end_session(
        &mut self,
        session: u64,
        seq: u64,
        record: crate::export::SessionRecord,
        reply: Option<crossbeam_channel::Sender<EndDelivery>>,
    ) {
        let answer_now = |reply: Option<crossbeam_channel::Sender<EndDelivery>>| {
            if let Some(reply) = reply {
                let _ = reply.try_send(EndDelivery::default());
            }
        };
        let Some(q) = self.sessions.get_mut(&session) else {
            return answer_now(reply);
        };
        q.seal();
        q.ended = true;
        if matches!(q.phase, Phase::Refused(_)) {
            // Its events were dropped as they came; nothing more to tell the backend.
            self.sessions.remove(&session);
            return answer_now(reply);
        }
        let end = Request::Update {
            record,
            end_reply: reply,
            ending: true,
        };
        q.push_back(seq, end);
    }
}
