//! A stderr logger for bindings whose host has no logging of its own to forward to (Node,
//! C): agentops 0.3's prefix ("🖇 AgentOps: "), the level of `AGENTOPS_LOGGING_LEVEL`
//! (default INFO) as in the Python package. Written from whichever thread logs, one write
//! per line. No log file is ever written. (Python forwards to its `logging` instead.)

use std::io::Write;
use std::sync::Once;

use log::{LevelFilter, Log, Metadata, Record};

struct Stderr;

static LOGGER: Stderr = Stderr;

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            // One write per line, so lines from several threads do not interleave.
            let line = format!("🖇 AgentOps: {}\n", record.args());
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        }
    }

    fn flush(&self) {}
}

/// A level as the Python package's `AGENTOPS_LOGGING_LEVEL` names it (and `off`).
pub fn level_from(text: &str) -> LevelFilter {
    match text.trim().to_ascii_uppercase().as_str() {
        "CRITICAL" | "ERROR" => LevelFilter::Error,
        "WARNING" | "WARN" => LevelFilter::Warn,
        "DEBUG" => LevelFilter::Debug,
        "TRACE" => LevelFilter::Trace,
        "OFF" | "NONE" | "SILENT" => LevelFilter::Off,
        _ => LevelFilter::Info,
    }
}

/// Installs the stderr logger once per process, at the environment's level; a no-op if the
/// process already has a logger.
pub fn install_stderr() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if log::set_logger(&LOGGER).is_ok() {
            let level = std::env::var("AGENTOPS_LOGGING_LEVEL").unwrap_or_default();
            log::set_max_level(level_from(&level));
        }
    });
}

/// Changes the level of the stderr logger.
pub fn set_level(text: &str) {
    install_stderr();
    log::set_max_level(level_from(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_like_the_python_package() {
        assert_eq!(level_from("warning"), LevelFilter::Warn);
        assert_eq!(level_from(" DEBUG "), LevelFilter::Debug);
        assert_eq!(level_from(""), LevelFilter::Info);
        assert_eq!(level_from("off"), LevelFilter::Off);
    }
}
