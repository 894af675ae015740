//! `agentops replay ...` from a clone: `cargo run -q -p agentops-core --bin agentops -- replay FILE`.
//! The Python and Node packages install the same command.

use std::io::{IsTerminal, Write};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = agentops_core::timeline::cli::run(&args, std::io::stdout().is_terminal());
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    std::process::exit(outcome.code);
}
