//! Files generated from the core's option table, and kept true by this test: the README's
//! configuration table, the Python keyword list (`_options.py`) and the keyword-only
//! parameters and docs of `agentops.init` / `agentops.configure`, and the docs of
//! `agentops._native.Options`. Regenerate them with
//!
//!     AGENTOPS_UPDATE_GENERATED=1 cargo test -p agentops-core --test generated

use std::path::{Path, PathBuf};

use agentops_core::config::{OPTIONS, OptionSpec, ValueType};

const REGENERATE: &str = "AGENTOPS_UPDATE_GENERATED=1 cargo test -p agentops-core --test generated";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A unit in docs: `5000 ms`, `10 s`, `512 events`.
fn with_unit(option: &OptionSpec, value: &str) -> String {
    match option.unit.as_str() {
        "" => value.to_owned(),
        unit if value == "none" => format!("none ({unit})"),
        unit => format!("{value} {unit}"),
    }
}

fn readme_table() -> String {
    let mut out = String::from(
        "| option | environment variable | type | default | what it does |\n|---|---|---|---|---|\n",
    );
    for o in &OPTIONS {
        out += &format!(
            "| `{}` | `{}` | {} | {} | {} |\n",
            o.name,
            o.env,
            o.value_type().as_str(),
            with_unit(o, &o.default_text()),
            o.doc
        );
    }
    out
}

fn python_type(option: &OptionSpec) -> &'static str {
    match option.value_type() {
        ValueType::Secret
        | ValueType::Url
        | ValueType::Path
        | ValueType::Exporter
        | ValueType::Text
        | ValueType::Compression
        | ValueType::Protocol => "Optional[str]",
        ValueType::Headers | ValueType::Attributes => "Optional[Union[str, Mapping[str, str]]]",
        ValueType::Integer => "Optional[int]",
        ValueType::Boolean => "Optional[bool]",
        ValueType::Number => "Optional[float]",
        ValueType::Tags => "Optional[List[str]]",
    }
}

/// A Python string literal (Rust's debug form is one for this text: quotes and
/// backslashes escaped, printable characters kept).
fn python_str(text: &str) -> String {
    format!("{text:?}")
}

fn options_module() -> String {
    let mut out = String::from(
        "\"\"\"The core's option table as Python sees it. Generated from `core/src/config/options.rs` by\n\
         `AGENTOPS_UPDATE_GENERATED=1 cargo test -p agentops-core --test generated`: do not edit.\"\"\"\n\n\
         from typing import NamedTuple, Tuple\n\n\n\
         class Option(NamedTuple):\n    name: str\n    env: str\n    type: str\n    unit: str\n    default: str\n    doc: str\n    agentops_03: bool\n\n\n\
         OPTIONS: Tuple[Option, ...] = (\n",
    );
    // One field a line with a trailing comma: the layout ruff's formatter keeps.
    for o in &OPTIONS {
        let fields = [
            ("name", python_str(o.name)),
            ("env", python_str(o.env)),
            ("type", python_str(o.value_type().as_str())),
            ("unit", python_str(o.unit.as_str())),
            ("default", python_str(&o.default_text())),
            ("doc", python_str(o.doc)),
            (
                "agentops_03",
                if o.agentops_03 { "True" } else { "False" }.to_owned(),
            ),
        ];
        out += "    Option(\n";
        for (key, value) in fields {
            out += &format!("        {key}={value},\n");
        }
        out += "    ),\n";
    }
    out += ")\n\nKEYWORDS: Tuple[str, ...] = tuple(o.name for o in OPTIONS)\n";
    out
}

/// The keyword-only parameters of `init` / `configure`: the options agentops 0.3 lacked.
fn python_keywords() -> String {
    OPTIONS
        .iter()
        .filter(|o| !o.agentops_03)
        .map(|o| format!("    {}: {} = None,\n", o.name, python_type(o)))
        .collect()
}

fn python_docs(indent: &str) -> String {
    let mut out = String::new();
    for o in OPTIONS.iter() {
        let default = with_unit(o, &o.default_text());
        out += &format!(
            "{indent}{} ({}, {}; default {}): {}\n",
            o.name,
            o.env,
            o.value_type().as_str(),
            default,
            o.doc
        );
    }
    out
}

/// Replaces the text between every `begin` and `end` marker line of `text`.
fn fill(text: &str, begin: &str, end: &str, body: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(begin) {
        let after_begin = start + begin.len();
        let line_end = rest[after_begin..]
            .find('\n')
            .map_or(rest.len(), |i| after_begin + i + 1);
        let Some(stop) = rest[line_end..].find(end) else {
            panic!("{begin:?} without {end:?}")
        };
        let end_line_start = rest[..line_end + stop].rfind('\n').map_or(0, |i| i + 1);
        out += &rest[..line_end];
        out += body;
        out += &rest[end_line_start..line_end + stop];
        rest = &rest[line_end + stop..];
    }
    out += rest;
    out
}

fn check(path: PathBuf, expected: String) -> Option<String> {
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual == expected {
        return None;
    }
    if std::env::var_os("AGENTOPS_UPDATE_GENERATED").is_some() {
        std::fs::write(&path, expected).unwrap();
        return None;
    }
    Some(path.display().to_string())
}

#[test]
fn generated_files_match_the_option_table() {
    let root = repo();
    let package = root.join("bindings-python/python/agentops");
    let read =
        |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));

    let readme = root.join("README.md");
    let init = package.join("__init__.py");
    let stub = package.join("_native.pyi");
    let expected = [
        (
            readme.clone(),
            fill(
                &read(&readme),
                "<!-- options:begin -->",
                "<!-- options:end -->",
                &readme_table(),
            ),
        ),
        (package.join("_options.py"), options_module()),
        (init.clone(), {
            let text = fill(
                &read(&init),
                "# options:begin",
                "# options:end",
                &python_keywords(),
            );
            fill(
                &text,
                "Options (from the core's option table):",
                "(end of options)",
                &python_docs("      "),
            )
        }),
        (
            stub.clone(),
            fill(
                &read(&stub),
                "Options (from the core's option table):",
                "(end of options)",
                &python_docs("    "),
            ),
        ),
    ];
    let stale: Vec<String> = expected
        .into_iter()
        .filter_map(|(path, text)| check(path, text))
        .collect();
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; run `{REGENERATE}`"
    );
}

/// The Node package's hand-written `Options` interface names every option of the table.
#[test]
fn the_node_options_interface_has_every_option() {
    let path = repo().join("bindings-node/lib/index.d.ts");
    let text = std::fs::read_to_string(&path).expect("index.d.ts");
    let start = text
        .find("export interface Options {")
        .expect("an Options interface");
    let body = &text[start..start + text[start..].find("\n}").expect("its end")];
    let missing: Vec<&str> = OPTIONS
        .iter()
        .map(|o| o.camel_name)
        .filter(|name| !body.contains(&format!("  {name}?:")))
        .collect();
    assert!(missing.is_empty(), "{} lacks {missing:?}", path.display());
}
