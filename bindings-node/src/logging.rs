//! The core's log records on stderr with agentops 0.3's prefix ("🖇 AgentOps: "), at the
//! level of `AGENTOPS_LOGGING_LEVEL` (default INFO) as in the Python package. Written from
//! whichever thread logs (the uploader's included): no JS call, so logging can never keep
//! the event loop alive or run into a torn-down environment. No log file is ever written.

use std::io::Write;
use std::sync::Once;

use log::{LevelFilter, Log, Metadata, Record};
use napi_derive::napi;

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

fn level_from(text: &str) -> LevelFilter {
    match text.trim().to_ascii_uppercase().as_str() {
        "CRITICAL" | "ERROR" => LevelFilter::Error,
        "WARNING" | "WARN" => LevelFilter::Warn,
        "DEBUG" => LevelFilter::Debug,
        "TRACE" => LevelFilter::Trace,
        "OFF" | "NONE" | "SILENT" => LevelFilter::Off,
        _ => LevelFilter::Info,
    }
}

/// Installs the logger once per process (worker threads share it).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if log::set_logger(&LOGGER).is_ok() {
            let level = std::env::var("AGENTOPS_LOGGING_LEVEL").unwrap_or_default();
            log::set_max_level(level_from(&level));
        }
    });
}

/// Logs one line from JavaScript through the same sink (`level`: error, warn, info, debug).
#[napi]
#[cfg_attr(test, allow(dead_code))] // called from JavaScript only
pub fn log(level: String, message: String) {
    install();
    let level = match level.as_str() {
        "error" => log::Level::Error,
        "warn" => log::Level::Warn,
        "debug" => log::Level::Debug,
        _ => log::Level::Info,
    };
    log::log!(level, "{message}");
}

/// Changes the level (`"error"`, `"warn"`, `"info"`, `"debug"`, `"off"`).
#[napi]
#[cfg_attr(test, allow(dead_code))]
pub fn set_log_level(level: String) {
    install();
    log::set_max_level(level_from(&level));
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
