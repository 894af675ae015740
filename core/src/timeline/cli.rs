//! `agentops replay [--all] [--color auto|always|never] [--html OUT.html] PATH...`: one
//! session file shows its timeline (and writes its HTML waterfall with `--html`); several
//! files or a directory list their sessions, newest first. Every package runs this same
//! function; it never panics, and every problem is a message, never a traceback.

use std::path::{Path, PathBuf};

use super::listing::{self, Listed};
use super::terminal::{self, Style};
use super::{Timeline, html, read};

pub const USAGE: &str = "usage: agentops replay [--all] [--color auto|always|never] [--html OUT.html] SESSION.jsonl...\n\
  One file: the session's timeline (--html also writes a self-contained HTML waterfall).\n\
  Several files or a directory: a list of the sessions, newest first.\n";

/// What the command printed, and its exit status (0 shown, 1 nothing readable, 2 usage).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

struct Args {
    all: bool,
    color: Option<bool>,
    html: Option<PathBuf>,
    paths: Vec<PathBuf>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut rest = args.iter();
    match rest.next().map(String::as_str) {
        Some("replay") => {}
        Some(other) => return Err(format!("unknown command {other:?}")),
        None => return Err("no command".into()),
    }
    let mut parsed = Args {
        all: false,
        color: None,
        html: None,
        paths: Vec::new(),
    };
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--all" => parsed.all = true,
            "--html" => parsed.html = Some(rest.next().ok_or("--html needs a file name")?.into()),
            "--color" => {
                parsed.color = match rest.next().map(String::as_str) {
                    Some("always") => Some(true),
                    Some("never") => Some(false),
                    Some("auto") => None,
                    _ => return Err("--color takes auto, always or never".into()),
                }
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            path => parsed.paths.push(path.into()),
        }
    }
    if parsed.paths.is_empty() {
        return Err("no session file given".into());
    }
    Ok(parsed)
}

/// The session files named: files as given, directories by their `*.jsonl`.
fn files(paths: &[PathBuf], out: &mut Outcome) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for path in paths {
        match std::fs::read_dir(path) {
            Ok(entries) => {
                let mut inside: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                    .collect();
                inside.sort();
                found.extend(inside);
            }
            Err(_) => found.push(path.clone()),
        }
    }
    if found.is_empty() {
        out.stderr.push_str("no session files found\n");
    }
    found
}

fn load(path: &Path, out: &mut Outcome) -> Option<Timeline> {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            out.stderr
                .push_str(&format!("{name}: cannot be read: {err}\n"));
            return None;
        }
    };
    match read(&name, &String::from_utf8_lossy(&bytes)) {
        Ok(timeline) => {
            for warning in &timeline.warnings {
                out.stderr.push_str(&format!("warning: {warning}\n"));
            }
            Some(timeline)
        }
        Err(not_ours) => {
            out.stderr.push_str(&format!("{}\n", not_ours.0));
            None
        }
    }
}

/// Runs the command; `tty`: stdout is a terminal (colours by default).
pub fn run(args: &[String], tty: bool) -> Outcome {
    let mut out = Outcome::default();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        out.stdout = USAGE.to_owned();
        return out;
    }
    let args = match parse(args) {
        Ok(args) => args,
        Err(why) => {
            out.code = 2;
            out.stderr = format!("agentops: {why}\n{USAGE}");
            return out;
        }
    };
    let files = files(&args.paths, &mut out);
    let single = files.len() == 1 && !args.paths.iter().any(|p| p.is_dir());
    let loaded: Vec<Listed> = files
        .iter()
        .filter_map(|path| {
            load(path, &mut out).map(|timeline| Listed {
                path: path.display().to_string(),
                timeline,
            })
        })
        .collect();
    if loaded.is_empty() {
        out.code = 1;
        return out;
    }
    if !single {
        out.stdout = listing::render(loaded);
        return out;
    }
    let timeline = &loaded[0].timeline;
    let style = Style {
        color: args.color.unwrap_or(tty),
        all: args.all,
    };
    out.stdout = terminal::render(timeline, style);
    if let Some(target) = &args.html {
        match std::fs::write(target, html::render(timeline)) {
            Ok(()) => out
                .stdout
                .push_str(&format!("HTML replay: {}\n", target.display())),
            Err(err) => {
                out.stderr
                    .push_str(&format!("{}: cannot be written: {err}\n", target.display()));
                out.code = 1;
            }
        }
    }
    out
}
