//! Logging for Node: the core's stderr logger (agentops 0.3's prefix, the level of
//! `AGENTOPS_LOGGING_LEVEL`), written from whichever thread logs, with no JS call, so logging
//! can never keep the event loop alive or run into a torn-down environment. JavaScript's own
//! lines go through the same sink.

use agentops_core::logging;
use napi_derive::napi;

pub fn install() {
    logging::install_stderr();
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
    logging::set_level(&level);
}
