//! Local JSONL files: one file per session (`<dir>/<session_id>.jsonl`), one line per
//! session start, event, agent, tag update and end. Chosen explicitly only: the SDK never
//! writes files on its own.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use super::{EncodedBatch, Exporter, Outcome, SessionRef, Started, Updated};
use crate::event::Event;
use crate::wire::{self, SessionRecord};

pub struct FileExporter {
    dir: PathBuf,
    files: HashMap<Uuid, BufWriter<File>>,
}

impl FileExporter {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileExporter {
            dir: dir.into(),
            files: HashMap::new(),
        }
    }

    /// The file a session is written to.
    pub fn session_path(dir: &Path, session_id: &Uuid) -> PathBuf {
        dir.join(format!("{session_id}.jsonl"))
    }

    fn writer(&mut self, session_id: &Uuid) -> std::io::Result<&mut BufWriter<File>> {
        if !self.files.contains_key(session_id) {
            std::fs::create_dir_all(&self.dir)?;
            // Append: a forked child (or a resumed session) adds to the same file.
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(Self::session_path(&self.dir, session_id))?;
            self.files.insert(*session_id, BufWriter::new(file));
        }
        Ok(self.files.get_mut(session_id).expect("inserted above"))
    }

    fn write_line(&mut self, session_id: &Uuid, line: &[u8]) -> Outcome<()> {
        let result = self.writer(session_id).and_then(|w| {
            w.write_all(line)?;
            w.write_all(b"\n")
        });
        io_outcome(result)
    }
}

fn io_outcome(result: std::io::Result<()>) -> Outcome<()> {
    match result {
        Ok(()) => Outcome::Done(()),
        Err(err) => Outcome::Retry {
            status: None,
            after: None,
            why: format!("file exporter: {err}"),
        },
    }
}

fn line(kind: &str, key: &str, value: impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(&json!({ "type": kind, key: value })).unwrap_or_default()
}

impl Exporter for FileExporter {
    fn encode_event(&self, event: &Event, session_id: &Uuid, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"type\":\"event\",\"event\":");
        wire::write_event(event, session_id, out);
        out.push(b'}');
    }

    fn start_session(&mut self, record: &SessionRecord, _timeout: Duration) -> Outcome<Started> {
        match self.write_line(
            &record.session_id,
            &line("session_start", "session", record),
        ) {
            Outcome::Done(()) => Outcome::Done(Started { token: None }),
            Outcome::Retry { status, after, why } => Outcome::Retry { status, after, why },
            _ => Outcome::Rejected {
                why: "file exporter".into(),
            },
        }
    }

    fn reauthorize(&mut self, session_id: &Uuid, _timeout: Duration) -> Outcome<Started> {
        match self.writer(session_id) {
            Ok(_) => Outcome::Done(Started { token: None }),
            Err(err) => Outcome::Retry {
                status: None,
                after: None,
                why: format!("file exporter: {err}"),
            },
        }
    }

    fn send_events(
        &mut self,
        session: SessionRef<'_>,
        batch: &EncodedBatch,
        _timeout: Duration,
    ) -> Outcome<()> {
        let result = self.writer(session.id).and_then(|w| {
            for item in batch.items() {
                w.write_all(item)?;
                w.write_all(b"\n")?;
            }
            Ok(())
        });
        io_outcome(result)
    }

    fn update_session(
        &mut self,
        session: SessionRef<'_>,
        record: &SessionRecord,
        ending: bool,
        _timeout: Duration,
    ) -> Outcome<Updated> {
        let kind = if ending {
            "session_end"
        } else {
            "session_update"
        };
        let mut outcome = self.write_line(session.id, &line(kind, "session", record));
        if ending && outcome == Outcome::Done(()) {
            if let Some(mut w) = self.files.remove(session.id) {
                outcome = io_outcome(w.flush());
            }
        }
        match outcome {
            Outcome::Done(()) => Outcome::Done(Updated::default()),
            Outcome::Retry { status, after, why } => Outcome::Retry { status, after, why },
            _ => Outcome::Rejected {
                why: "file exporter".into(),
            },
        }
    }

    fn create_agent(
        &mut self,
        session: SessionRef<'_>,
        agent_id: &Uuid,
        name: &str,
        _timeout: Duration,
    ) -> Outcome<()> {
        self.write_line(
            session.id,
            &line(
                "agent",
                "agent",
                json!({ "id": agent_id.to_string(), "name": name }),
            ),
        )
    }

    fn flush(&mut self) {
        for (id, writer) in &mut self.files {
            if let Err(err) = writer.flush() {
                log::error!("file exporter: could not flush session {id}: {err}");
            }
        }
    }
}
