#!/usr/bin/env bash
# Runs every test of the project:
#   1. the Rust workspace: the core against the mock backend, and the generated docs
#      (cargo test); the Rust example, offline;
#   2. the Python package: built and installed (`pip install .`) into a test venv, then its
#      pytest suite, the mock backend's own tests, and the stub check of the native module.
# Needs Rust and Python >= 3.10 with venv; everything else is installed into the venv.
#
#   bash tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

echo "== cargo test --workspace"
cargo test --workspace 2>&1 | tee "$LOG"
rust_passed=$(awk '/^test result:/ {for (i = 1; i < NF; i++) if ($(i+1) == "passed;") n += $i} END {print n + 0}' "$LOG")

echo "== examples/rust/quickstart.rs (offline, file exporter)"
EXAMPLE_DIR=$(mktemp -d)
AGENTOPS_EXPORT_DIR=$EXAMPLE_DIR cargo run -q --example quickstart | tee "$LOG"
grep -q "Session recorded to $EXAMPLE_DIR/" "$LOG" && ls "$EXAMPLE_DIR"/*.jsonl >/dev/null
rm -rf "$EXAMPLE_DIR"

VENV=${AGENTOPS_TEST_VENV:-.venv}
[[ -x $VENV/bin/python ]] || "${PYTHON:-python3}" -m venv "$VENV"
echo "== pip install .[test] (into $VENV)"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q ".[test]"

echo "== pytest"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/mock_backend tests/python 2>&1 | tee "$LOG"
py_passed=$(grep -Eo '[0-9]+ passed' "$LOG" | tail -1 | grep -Eo '[0-9]+')

echo "== stubs and types: mypy.stubtest agentops._native, mypy bindings-python/python/agentops"
"$VENV/bin/python" -m mypy.stubtest agentops._native
"$VENV/bin/python" -m mypy bindings-python/python/agentops

# Every step above stops the script on failure, so reaching here means none failed.
echo "tests: $((rust_passed + py_passed)) passed, 0 failed"
