//! The shutdown sequence (exit, a signal, dropping the client): end the sessions this
//! process owns, deliver within the deadline, stop the uploader. The caller may wait for
//! it in slices (a binding lets its host's signal handlers run in between).

use std::time::{Duration, Instant};

use crate::uploader::{ShutdownReport, Wait, Waiter};

use super::Engine;

/// The part of the shutdown's time kept for stopping the uploader after delivering.
const STOP_MARGIN: Duration = Duration::from_millis(200);

pub struct ShutdownWaiter {
    engine: std::sync::Arc<Engine>,
    deadline: Instant,
    /// Delivery of what was recorded before the shutdown, bounded by the deadline minus
    /// the time kept for stopping.
    flushed: Waiter<bool>,
}

impl ShutdownWaiter {
    pub(super) fn start(engine: std::sync::Arc<Engine>, timeout: Duration) -> Self {
        let deadline = Instant::now() + timeout;
        let stop = (timeout / 10).min(STOP_MARGIN);
        let flushed = engine.sessions.uploader().flush_waiter(timeout - stop);
        ShutdownWaiter {
            engine,
            deadline,
            flushed,
        }
    }
}

impl Wait for ShutdownWaiter {
    type Answer = ShutdownReport;

    /// The report once the shutdown is complete (the uploader is stopped by the deadline
    /// at the latest).
    fn poll(&self, up_to: Duration) -> Option<ShutdownReport> {
        self.flushed.poll(up_to)?;
        let left = self.deadline.saturating_duration_since(Instant::now());
        Some(self.engine.sessions.shutdown(left))
    }
}
