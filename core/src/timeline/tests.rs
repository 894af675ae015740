use super::terminal::Style;
use super::*;

fn timeline(text: &str) -> Timeline {
    read("s.jsonl", text).expect("a session")
}

const SESSION: &str = concat!(
    r#"{"type":"session_start","session":{"session_id":"s1","init_timestamp":"2026-01-01T00:00:00+00:00","tags":["t"]}}"#,
    "\n",
    r#"{"type":"event","event":{"id":"a","event_type":"actions","action_type":"outer","init_timestamp":"2026-01-01T00:00:00.100+00:00","end_timestamp":"2026-01-01T00:00:00.900+00:00"}}"#,
    "\n",
    r#"{"type":"event","event":{"id":"b","event_type":"llms","model":"m","prompt_tokens":3,"completion_tokens":4,"init_timestamp":"2026-01-01T00:00:00.200+00:00","end_timestamp":"2026-01-01T00:00:00.300+00:00"}}"#,
    "\n",
    r#"{"type":"event","event":{"id":"c","event_type":"errors","error_type":"E","trigger_event_id":"a","timestamp":"2026-01-01T00:00:00.900+00:00"}}"#,
    "\n",
    r#"{"type":"session_end","session":{"session_id":"s1","init_timestamp":"2026-01-01T00:00:00+00:00","end_timestamp":"2026-01-01T00:00:01+00:00","end_state":"Fail","end_state_reason":"boom"}}"#,
    "\n",
);

#[test]
fn events_nest_in_time_and_errors_name_their_trigger() {
    let t = timeline(SESSION);
    let depths: Vec<(&str, usize)> = t.items.iter().map(|i| (i.name.as_str(), i.depth)).collect();
    assert_eq!(depths, [("outer", 0), ("m", 1), ("E", 0)]);
    assert_eq!(t.trigger_name(&t.items[2]), Some("outer"));
    assert_eq!(t.span(), (1_767_225_600_000_000, 1_767_225_601_000_000));
    let text = terminal::render(&t, Style::default());
    assert!(
        text.contains("Fail") && text.contains("reason: boom") && text.contains("7 tok"),
        "{text}"
    );
    assert!(text.contains("E ← outer"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}

#[test]
fn a_cut_off_last_line_and_an_unknown_kind_are_warnings_and_a_foreign_file_an_error() {
    let cut = format!("{SESSION}{}", r#"{"type":"event","event":{"id":"d","#);
    let t = timeline(&cut);
    assert_eq!(t.items.len(), 3);
    assert!(
        t.warnings[0].contains("line 6 is cut off"),
        "{:?}",
        t.warnings
    );
    let odd = format!(
        "{SESSION}{}\n",
        r#"{"type":"event","event":{"event_type":"moods","init_timestamp":"2026-01-01T00:00:00.5+00:00"}}"#
    );
    let t = timeline(&odd);
    assert!(
        t.warnings[0].contains("unknown event kind \"moods\""),
        "{:?}",
        t.warnings
    );
    assert_eq!(t.count(Kind::Other), 1);
    assert!(
        read("x.jsonl", "{\"hello\": 1}\nnot json\n")
            .unwrap_err()
            .0
            .contains("not an agentops session file")
    );
}

#[test]
fn the_html_view_keeps_payloads_from_closing_its_script() {
    let hostile = SESSION.replace(
        r#""action_type":"outer""#,
        r#""action_type":"</script><script>alert(1)</script>""#,
    );
    let page = html::render(&timeline(&hostile));
    assert_eq!(
        page.matches("</script>").count(),
        2,
        "only the page's own two scripts end"
    );
    assert!(page.contains(r"\u003c/script>\u003cscript>alert(1)"));
}

#[test]
fn long_sessions_are_summarised_unless_all_is_asked() {
    let mut text = String::from(
        r#"{"type":"session_start","session":{"session_id":"s","init_timestamp":"2026-01-01T00:00:00+00:00"}}"#,
    );
    text.push('\n');
    for i in 0..120 {
        text += &format!(
            "{{\"type\":\"event\",\"event\":{{\"event_type\":\"actions\",\"action_type\":\"a{i}\",\"init_timestamp\":\"2026-01-01T00:00:{:02}+00:00\"}}}}\n",
            i / 2
        );
    }
    let t = timeline(&text);
    let short = terminal::render(&t, Style::default());
    assert!(
        short.contains("… 70 more events (--all lists them all)"),
        "{short}"
    );
    assert_eq!(
        terminal::render(
            &t,
            Style {
                all: true,
                ..Style::default()
            }
        )
        .lines()
        .count(),
        123
    );
}

#[test]
fn the_command_lists_several_files_and_explains_bad_arguments() {
    let dir = std::env::temp_dir().join(format!("agentops-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.jsonl"), SESSION).unwrap();
    std::fs::write(
        dir.join("b.jsonl"),
        SESSION.replace("2026-01-01", "2026-02-01"),
    )
    .unwrap();
    let out = cli::run(&["replay".into(), dir.display().to_string()], false);
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[1].starts_with("2026-02-01") && lines[1].ends_with("b.jsonl"),
        "newest first: {lines:?}"
    );
    let usage = cli::run(&["replay".into()], false);
    assert_eq!(usage.code, 2);
    assert!(usage.stderr.contains("no session file given") && usage.stderr.contains("usage:"));
    let missing = cli::run(
        &[
            "replay".into(),
            dir.join("none.jsonl").display().to_string(),
        ],
        false,
    );
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("cannot be read"));
    std::fs::remove_dir_all(&dir).unwrap();
}
