//! The terminal replay of a recorded fixture session (`tests/replay/session.jsonl`) is the
//! expected rendering (`tests/replay/session.txt`), byte for byte. After a deliberate change
//! of the view, regenerate it with
//!
//!     AGENTOPS_UPDATE_GENERATED=1 cargo test -p agentops-core --test replay

use std::path::Path;

use agentops_core::timeline::cli;

#[test]
fn the_terminal_view_of_the_fixture_session_is_the_expected_rendering() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/replay");
    let fixture = dir.join("session.jsonl").display().to_string();
    let out = cli::run(
        &["replay".into(), fixture, "--color".into(), "never".into()],
        false,
    );
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let expected = dir.join("session.txt");
    if std::env::var_os("AGENTOPS_UPDATE_GENERATED").is_some() {
        std::fs::write(&expected, &out.stdout).unwrap();
    }
    assert_eq!(out.stdout, std::fs::read_to_string(&expected).unwrap());
    assert!(out.stdout.lines().all(|l| l.chars().count() <= 80));
}

#[test]
fn colours_are_ansi_codes_only_when_asked() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/replay");
    let fixture = dir.join("session.jsonl").display().to_string();
    let coloured = cli::run(&["replay".into(), fixture.clone()], true);
    assert!(
        coloured.stdout.contains("\x1b[31m"),
        "a terminal gets colours"
    );
    let plain = cli::run(&["replay".into(), fixture], false);
    assert!(!plain.stdout.contains('\x1b'), "a pipe gets plain text");
}
