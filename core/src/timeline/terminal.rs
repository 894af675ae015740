//! The terminal view: a header (id, end state, reason, duration, tags, counts per kind),
//! then one line per event in time order — start offset, duration, kind, name (indented by
//! nesting; an error names the event it is about), a bar on the session's time axis, and
//! tokens and cost of LLM calls. 80 columns; ANSI colours only when asked (a terminal).

use std::fmt::Write;

use super::{Item, Kind, Timeline};

const NAME_WIDTH: usize = 21;
const BAR_WIDTH: usize = 16;
/// Beyond this many events the listing shows the first and last ones only.
pub const SUMMARY_LIMIT: usize = 50;
const SUMMARY_HEAD: usize = 40;
const SUMMARY_TAIL: usize = 10;

#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    /// List every event, however many.
    pub all: bool,
}

fn paint(style: Style, code: &str, text: &str) -> String {
    if style.color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

fn color_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Llm => "36",
        Kind::Tool => "33",
        Kind::Action => "32",
        Kind::Error => "31",
        Kind::Other => "35",
    }
}

/// Seconds, as `0.120s`, `12.5s` or `3m05s`.
pub fn seconds(micros: i64) -> String {
    let s = micros.max(0) as f64 / 1e6;
    match s {
        s if s < 10.0 => format!("{s:.3}s"),
        s if s < 60.0 => format!("{s:.1}s"),
        s => format!("{}m{:02}s", (s / 60.0) as u64, (s % 60.0) as u64),
    }
}

/// `text` cut or padded to `width` characters.
fn fit(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        format!("{text}{}", " ".repeat(width - count))
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

fn header(timeline: &Timeline, style: Style) -> String {
    let s = &timeline.session;
    let (start, end) = timeline.span();
    let state = s.end_state.as_deref().unwrap_or("not ended");
    let state_code = match state {
        "Success" => "32",
        "Fail" => "31",
        _ => "33",
    };
    let mut out = format!(
        "Session {}  {}  {}\n",
        s.id.as_deref().unwrap_or("(no id)"),
        paint(style, state_code, state),
        seconds(end - start)
    );
    if let Some(reason) = &s.end_state_reason {
        let _ = writeln!(out, "  reason: {reason}");
    }
    if !s.tags.is_empty() {
        let _ = writeln!(out, "  tags: {}", s.tags.join(", "));
    }
    let counts: Vec<String> = Kind::ALL
        .iter()
        .map(|&kind| (kind, timeline.count(kind)))
        .filter(|&(kind, n)| n > 0 || kind != Kind::Other)
        .map(|(kind, n)| format!("{n} {}", kind.as_str()))
        .collect();
    let _ = writeln!(out, "  {}", counts.join(" · "));
    out
}

fn bar(item: &Item, span: (i64, i64)) -> String {
    let length = (span.1 - span.0).max(1) as f64;
    let left = (((item.start - span.0) as f64 / length) * BAR_WIDTH as f64) as usize;
    let left = left.min(BAR_WIDTH - 1);
    let width = (((item.end - item.start) as f64 / length) * BAR_WIDTH as f64).ceil() as usize;
    let width = width.clamp(1, BAR_WIDTH - left);
    format!(
        "{}{}{}",
        " ".repeat(left),
        "█".repeat(width),
        " ".repeat(BAR_WIDTH - left - width)
    )
}

fn extra(item: &Item) -> String {
    let mut parts = Vec::new();
    if let Some(tokens) = item.tokens {
        parts.push(format!("{tokens} tok"));
    }
    if let Some(cost) = item.cost {
        parts.push(format!("${cost:.4}"));
    }
    parts.join(" ")
}

fn line(timeline: &Timeline, item: &Item, style: Style) -> String {
    let span = timeline.span();
    let mut name = format!("{}{}", "  ".repeat(item.depth.min(6)), item.name);
    if item.kind == Kind::Error {
        if let Some(trigger) = timeline.trigger_name(item) {
            name = format!("{name} ← {trigger}");
        }
    }
    let code = color_of(item.kind);
    format!(
        "{:>8} {:>7} {} {} |{}| {}",
        format!("+{}", seconds(item.start - span.0)),
        seconds(item.end - item.start),
        paint(style, code, &fit(item.kind.as_str(), 6)),
        fit(&name, NAME_WIDTH),
        paint(style, code, &bar(item, span)),
        extra(item)
    )
    .trim_end()
    .to_owned()
}

/// The whole terminal view of one session.
pub fn render(timeline: &Timeline, style: Style) -> String {
    let mut out = header(timeline, style);
    let _ = writeln!(
        out,
        "{:>8} {:>7} {} {} |{}|",
        "start",
        "dur",
        fit("kind", 6),
        fit("name", NAME_WIDTH),
        fit("timeline", BAR_WIDTH)
    );
    let items = &timeline.items;
    let summarise = !style.all && items.len() > SUMMARY_LIMIT;
    for (index, item) in items.iter().enumerate() {
        if summarise && index == SUMMARY_HEAD {
            let hidden = items.len() - SUMMARY_HEAD - SUMMARY_TAIL;
            let _ = writeln!(out, "      … {hidden} more events (--all lists them all)");
        }
        if summarise && (SUMMARY_HEAD..items.len() - SUMMARY_TAIL).contains(&index) {
            continue;
        }
        let _ = writeln!(out, "{}", line(timeline, item, style));
    }
    if items.is_empty() {
        out.push_str("  (no events)\n");
    }
    out
}
