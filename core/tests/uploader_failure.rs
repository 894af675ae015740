//! A worker that panics (here: a caller-given exporter that panics) must not take the host
//! program with it: `record()` keeps returning, every lost event is counted, one error is
//! logged, and `flush` / `shutdown` return promptly instead of waiting for a dead thread.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use agentops_core::export::{
    Accepted, EncodedBatch, ExportResult, Exporter, SessionRecord, SessionRef, Started, Updated,
};
use agentops_core::{Client, Config, DropReason, ErrorKind, Event, StartOptions};
use uuid::Uuid;

static LOG: Mutex<Vec<(log::Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        LOG.lock()
            .unwrap()
            .push((record.level(), record.args().to_string()));
    }
    fn flush(&self) {}
}

/// Accepts sessions, panics on the first batch of events.
struct PanicsOnEvents;

impl Exporter for PanicsOnEvents {
    fn encode_event(&self, _: &Event, _: &Uuid, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{}");
    }
    fn start_session(&mut self, _: &SessionRecord, _: Duration) -> ExportResult<Started> {
        Ok(Started { token: None })
    }
    fn reauthorize(&mut self, _: &Uuid, _: Duration) -> ExportResult<Started> {
        Ok(Started { token: None })
    }
    fn send_events(
        &mut self,
        _: SessionRef<'_>,
        _: &EncodedBatch,
        _: Duration,
    ) -> ExportResult<Accepted> {
        panic!("a bug in an exporter")
    }
    fn update_session(
        &mut self,
        _: SessionRef<'_>,
        _: &SessionRecord,
        _: bool,
        _: Duration,
    ) -> ExportResult<Updated> {
        Ok(Updated::default())
    }
    fn create_agent(
        &mut self,
        _: SessionRef<'_>,
        _: &Uuid,
        _: &str,
        _: Duration,
    ) -> ExportResult<()> {
        Ok(())
    }
}

#[test]
fn a_panicking_worker_never_blocks_or_breaks_the_caller_and_every_event_is_counted() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Debug);
    let config = Config {
        max_queue_size: 5,
        ..Config::default()
    };
    let client = Client::with_exporter(config, Box::new(PanicsOnEvents)).unwrap();
    let session = client.start_session(StartOptions::default()).unwrap();
    for i in 0..5 {
        session.record(Event::action(format!("e{i}"))).unwrap();
    }
    let began = Instant::now();
    assert!(
        !client.flush(Duration::from_secs(60)),
        "the flush reports the loss"
    );
    // Bounds far above the real latency: only "did not wait for the flush's 60 s".
    assert!(
        began.elapsed() < Duration::from_secs(20),
        "flush took {:?}",
        began.elapsed()
    );

    let mut refused = 0;
    for _ in 0..100 {
        match session.record(Event::action("late")) {
            Err(e) if e.kind() == ErrorKind::UploaderFailed => refused += 1,
            other => panic!("expected UploaderFailed, got {other:?}"),
        }
    }
    assert_eq!(refused, 100);

    let began = Instant::now();
    let report = client.shutdown(Duration::from_secs(60));
    assert!(
        began.elapsed() < Duration::from_secs(20),
        "shutdown took {:?}",
        began.elapsed()
    );
    assert!(!report.completed);
    let stats = report.stats;
    assert_eq!(stats.dropped(DropReason::UploaderFailed), 105);
    assert_eq!((stats.queued, stats.delivered), (0, 0));

    let errors: Vec<String> = LOG
        .lock()
        .unwrap()
        .iter()
        .filter(|(level, _)| *level == log::Level::Error)
        .map(|(_, m)| m.clone())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("uploader thread failed") && errors[0].contains("a bug in an exporter")
    );
}
