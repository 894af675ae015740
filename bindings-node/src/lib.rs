//! The Node binding of agentops-core (`agentops.<platform>.node`). Thin: convert, call the
//! core, convert back. The JavaScript package (`bindings-node/lib/`) builds the public API
//! (module functions, event classes, wrappers and decorators, process hooks) on top of
//! these classes. Events cross as one JSON text each (`JSON.stringify` on the JS side, read
//! by the core's decoder): cheaper than letting napi convert an object.

mod client;
mod errors;
mod logging;
mod options;
mod promise;
mod record;
mod session;
mod stats;

use napi_derive::napi;

/// The version of agentops-core in this addon.
#[napi]
pub fn core_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// What `agentops replay ...` printed, and its exit status.
#[napi(object)]
pub struct ReplayOutcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The `agentops replay ...` command of the core (`tty`: stdout is a terminal).
#[napi]
pub fn replay_main(args: Vec<String>, tty: bool) -> ReplayOutcome {
    let outcome = agentops_core::timeline::cli::run(&args, tty);
    ReplayOutcome {
        code: outcome.code,
        stdout: outcome.stdout,
        stderr: outcome.stderr,
    }
}

// Events are allocated on the JS thread and freed on the uploader thread: mimalloc frees
// across threads without the arena-lock contention of glibc's malloc (see the Python
// binding). Rust allocations only; V8 keeps its own heap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
