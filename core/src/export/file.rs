//! Local JSONL files: one file per session (`<dir>/<session_id>.jsonl`), one line per
//! session start, event, agent, tag update and end, each carrying the AgentOps v2 shape of
//! its object. Chosen explicitly only: the SDK never writes files on its own.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

use super::agentops_v2::wire::{self, WireSession};
use super::{
    Accepted, EncodedBatch, ExportError, ExportResult, Exporter, Framing, SessionRecord,
    SessionRef, Started, Updated,
};
use crate::event::Event;
use crate::export::json_writer::WriterCache;

pub struct FileExporter {
    dir: PathBuf,
    host_env: Option<Value>,
    writer_cache: WriterCache,
    files: HashMap<Uuid, BufWriter<File>>,
}

impl FileExporter {
    /// `host_env`: written with every session line; `None` to opt out.
    pub fn new(dir: impl Into<PathBuf>, host_env: Option<Value>) -> Self {
        FileExporter {
            dir: dir.into(),
            host_env,
            writer_cache: WriterCache::default(),
            files: HashMap::new(),
        }
    }

    /// The file a session is written to.
    pub fn session_path(dir: &Path, session_id: &Uuid) -> PathBuf {
        dir.join(format!("{session_id}.jsonl"))
    }

    fn writer(&mut self, session_id: &Uuid) -> std::io::Result<&mut BufWriter<File>> {
        match self.files.entry(*session_id) {
            Entry::Occupied(entry) => Ok(entry.into_mut()),
            Entry::Vacant(entry) => {
                std::fs::create_dir_all(&self.dir)?;
                // Append: a forked child (or a resumed session) adds to the same file.
                let file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(Self::session_path(&self.dir, session_id))?;
                Ok(entry.insert(BufWriter::new(file)))
            }
        }
    }

    fn write_line(&mut self, session_id: &Uuid, line: &[u8]) -> ExportResult<()> {
        let result = self.writer(session_id).and_then(|w| {
            w.write_all(line)?;
            w.write_all(b"\n")
        });
        io_result(result)
    }

    fn session_line(&self, kind: &str, record: &SessionRecord) -> Vec<u8> {
        let session = WireSession {
            record,
            host_env: self.host_env.as_ref(),
        };
        line(kind, "session", session)
    }
}

/// A local I/O error may clear (a full disk, a directory being created): retried.
fn io_result(result: std::io::Result<()>) -> ExportResult<()> {
    result.map_err(|err| ExportError::Transient {
        status: None,
        retry_after: None,
        why: format!("file exporter: {err}"),
    })
}

fn line(kind: &str, key: &str, value: impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(&json!({ "type": kind, key: value })).unwrap_or_default()
}

impl Exporter for FileExporter {
    fn framing(&self) -> Framing {
        Framing {
            prefix: b"",
            separator: b"\n",
            suffix: b"\n",
        }
    }

    fn encode_event(&self, event: &Event, session_id: &Uuid, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"type\":\"event\",\"event\":");
        wire::write_event(event, session_id, &self.writer_cache, out);
        out.push(b'}');
    }

    fn start_session(
        &mut self,
        record: &SessionRecord,
        _timeout: Duration,
    ) -> ExportResult<Started> {
        let line = self.session_line("session_start", record);
        self.write_line(&record.session_id, &line)?;
        Ok(Started { token: None })
    }

    fn reauthorize(&mut self, session_id: &Uuid, _timeout: Duration) -> ExportResult<Started> {
        io_result(self.writer(session_id).map(drop))?;
        Ok(Started { token: None })
    }

    fn send_events(
        &mut self,
        session: SessionRef<'_>,
        batch: &EncodedBatch,
        _timeout: Duration,
    ) -> ExportResult<Accepted> {
        let result = self
            .writer(session.id)
            .and_then(|w| w.write_all(batch.body()));
        io_result(result).map(|()| Accepted::default())
    }

    fn update_session(
        &mut self,
        session: SessionRef<'_>,
        record: &SessionRecord,
        ending: bool,
        _timeout: Duration,
    ) -> ExportResult<Updated> {
        let kind = if ending {
            "session_end"
        } else {
            "session_update"
        };
        let line = self.session_line(kind, record);
        self.write_line(session.id, &line)?;
        if ending {
            if let Some(mut w) = self.files.remove(session.id) {
                io_result(w.flush())?;
            }
        }
        Ok(Updated::default())
    }

    fn create_agent(
        &mut self,
        session: SessionRef<'_>,
        agent_id: &Uuid,
        name: &str,
        _timeout: Duration,
    ) -> ExportResult<()> {
        let agent = json!({ "id": agent_id.to_string(), "name": name });
        self.write_line(session.id, &line("agent", "agent", agent))
    }

    fn flush(&mut self) {
        for (id, writer) in &mut self.files {
            if let Err(err) = writer.flush() {
                log::error!("file exporter: could not flush session {id}: {err}");
            }
        }
    }
}
