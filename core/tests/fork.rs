//! fork(): the child gets a fresh uploader and an empty queue and keeps recording under
//! the inherited session; the parent is unaffected. (A real `fork`, as OpenTelemetry
//! Python's `test_batch_telemetry_record_processor_fork` does.)

mod support;

use std::time::Duration;

use agentops_core::{Client, Event, StartOptions};
use support::{MockBackend, config};

#[test]
fn a_forked_child_records_and_delivers_and_the_parent_is_unaffected() {
    let mock = MockBackend::start();
    let mut c = config(&mock.url());
    c.max_wait_time = Duration::from_secs(3600); // nothing leaves before fork unless flushed
    let client = Client::new(c).unwrap();
    let session = client.start_session(StartOptions::default()).unwrap();
    session.record(Event::action("parent-before-fork")).unwrap();

    // SAFETY: the child only calls async-signal-unsafe code after re-initialising the
    // SDK, exactly what a binding's after-fork hook does; it leaves with _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let own = client
            .after_fork_in_child()
            .ok()
            .and_then(|()| client.start_session(StartOptions::default()).ok());
        let ok = own.is_some()
            && (0..5).all(|_| session.record(Event::action("child")).is_ok())
            // The child's exit: its own session ends, the inherited one stays open.
            && client.shutdown(Duration::from_secs(20)).completed
            && client.stats().delivered == 5;
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    session.record(Event::action("parent-after-fork")).unwrap();
    assert!(
        client.flush(Duration::from_secs(20)),
        "the parent still delivers"
    );
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child failed: status {status}"
    );

    let names: Vec<String> = mock
        .session_events(&session.id().to_string())
        .iter()
        .map(|e| e["action_type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.iter().filter(|n| *n == "child").count(), 5);
    assert_eq!(
        names.iter().filter(|n| *n == "parent-before-fork").count(),
        1,
        "the parent's queue is not re-sent by the child"
    );
    assert_eq!(
        names.iter().filter(|n| *n == "parent-after-fork").count(),
        1
    );
    assert_eq!(
        mock.requests(Some("/v2/reauthorize_jwt")).len(),
        1,
        "the child re-adopted the session"
    );
    assert_eq!(mock.events()["duplicates"], serde_json::json!([]));
    let ended: Vec<String> = mock
        .requests(Some("/v2/update_session"))
        .iter()
        .map(|r| {
            r["body"]["session"]["session_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        ended.len(),
        1,
        "only the child's own session was ended by the child's shutdown"
    );
    assert_ne!(
        ended[0],
        session.id().to_string(),
        "the inherited session is the parent's to end"
    );
    assert_eq!(session.status(), agentops_core::SessionStatus::Running);
}
