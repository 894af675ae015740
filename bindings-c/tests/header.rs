//! `include/agentops.h` is what cbindgen makes of `bindings-c/src`: this test generates it
//! and fails when the committed file differs. Regenerate it with
//!
//!     AGENTOPS_UPDATE_GENERATED=1 cargo test -p agentops-c --test header

use std::path::Path;

fn version_macros() -> String {
    let mut parts = env!("CARGO_PKG_VERSION").split('.');
    let mut next = || parts.next().unwrap_or("0").to_owned();
    let (major, minor, patch) = (next(), next(), next());
    format!(
        "\n#define AGENTOPS_VERSION_MAJOR {major}\n#define AGENTOPS_VERSION_MINOR {minor}\n#define AGENTOPS_VERSION_PATCH {patch}\n"
    )
}

#[test]
fn the_committed_header_is_what_cbindgen_generates() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .with_after_include(version_macros())
        .generate()
        .unwrap()
        .write(&mut generated);
    let generated = String::from_utf8(generated).unwrap();
    let path = crate_dir.join("../include/agentops.h");
    if std::env::var_os("AGENTOPS_UPDATE_GENERATED").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/agentops.h is out of date; regenerate it with\n    AGENTOPS_UPDATE_GENERATED=1 cargo test -p agentops-c --test header"
    );
}
