//! Waiting without deafening Python: a wait for the uploader (a flush, a session's end, the
//! exit) runs in slices with the GIL released, and between slices Python's signal handlers
//! run (on the main thread; elsewhere this is a no-op). A Ctrl-C or a SIGTERM is handled
//! within a slice, and the exception a handler raises ends the wait.

use std::time::Duration;

use agentops_core::Wait;
use pyo3::prelude::*;

/// How long a slice is: the longest a signal handler waits to run.
const SLICE: Duration = Duration::from_millis(50);

/// Waits for `waiter` in slices without the GIL, running signal handlers between them.
pub fn interruptibly<W>(py: Python<'_>, waiter: &W) -> PyResult<W::Answer>
where
    W: Wait + Sync,
    W::Answer: Send,
{
    loop {
        if let Some(answer) = py.detach(|| waiter.poll(SLICE)) {
            return Ok(answer);
        }
        py.check_signals()?;
    }
}
