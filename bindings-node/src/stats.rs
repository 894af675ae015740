//! Delivery statistics and the shutdown report as plain JS objects.

use std::collections::HashMap;

use agentops_core::{DropReason, ShutdownReport, Stats};
use napi_derive::napi;

/// `stats()`: what was delivered, is queued, was retried and was dropped (per reason).
/// Counts are numbers (exact up to 2^53).
#[napi(object, js_name = "Stats")]
pub struct JsStats {
    pub delivered: f64,
    pub queued: f64,
    pub queued_bytes: f64,
    pub retried: f64,
    pub dropped: HashMap<String, f64>,
    pub dropped_total: f64,
    pub truncated: f64,
    pub truncated_bytes: f64,
}

impl From<&Stats> for JsStats {
    fn from(s: &Stats) -> Self {
        JsStats {
            delivered: s.delivered as f64,
            queued: s.queued as f64,
            queued_bytes: s.queued_bytes as f64,
            retried: s.retried as f64,
            dropped: DropReason::ALL
                .iter()
                .map(|r| (r.as_str().to_owned(), s.dropped(*r) as f64))
                .collect(),
            dropped_total: s.dropped_total() as f64,
            truncated: s.truncated as f64,
            truncated_bytes: s.truncated_bytes as f64,
        }
    }
}

/// `shutdown()`: whether everything recorded was delivered, how many events were not.
#[napi(object, js_name = "ShutdownReport")]
pub struct JsShutdownReport {
    pub completed: bool,
    pub left: f64,
    pub stats: JsStats,
}

impl From<&ShutdownReport> for JsShutdownReport {
    fn from(r: &ShutdownReport) -> Self {
        JsShutdownReport {
            completed: r.completed,
            left: r.left as f64,
            stats: JsStats::from(&r.stats),
        }
    }
}
