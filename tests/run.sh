#!/usr/bin/env bash
# Runs every test of the project:
#   1. the Rust workspace: the core against the mock backend, and the generated docs
#      (cargo test); the Rust example, offline;
#   2. the Python package: one abi3 wheel, installed into a venv per interpreter (default:
#      python3 in .venv; AGENTOPS_TEST_PYTHONS="py1 py2" for several), then its pytest suite,
#      the mock backend's own tests, the stub check of the native module and mypy;
#   3. the Node package: `npm install` (builds the addon), `npm test` (node --test against the
#      mock backend, then tsc over a typed usage file), and the Node example, offline;
#   4. the C library: tests/c/run.sh (the C tests plain, under valgrind and under ASan+UBSan, the
#      header as C++, the C example built with pkg-config as the README says);
#   5. the OTLP exporter against a real OpenTelemetry Collector (tests/otel: built once by
#      tests/otel/build-otelcol.sh from the Go module proxy, cached in ~/.cache), with
#      producers in Python, Node and C.
# Needs Rust, Python >= 3.10 with venv, Node >= 20 with npm, a C/C++ compiler, valgrind,
# pkg-config, Go >= 1.26 and Chromium (the HTML replay test); everything else is installed
# into the venvs and node_modules.
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

# One abi3 wheel, built once in .venv (the default interpreter's venv), installed into a venv
# per interpreter of AGENTOPS_TEST_PYTHONS (CI: the oldest and the newest supported Python).
"${PYTHON:-python3}" -m venv .venv 2>/dev/null || [[ -x .venv/bin/python ]]
.venv/bin/python -m pip install -q --upgrade pip
echo "== building the wheel (abi3, once)"
rm -rf target/test-wheel
.venv/bin/python -m pip wheel -q --no-deps -w target/test-wheel .
WHEEL=$(ls target/test-wheel/agentops-*.whl)
py_passed=0
read -r first_python _ <<<"${AGENTOPS_TEST_PYTHONS:-}"
for py in ${AGENTOPS_TEST_PYTHONS:-.venv/bin/python}; do
  version=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  venv=.venv
  if [[ $py != .venv/bin/python ]]; then
    venv=.venv-$version
    [[ -x $venv/bin/python ]] || "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip
  fi
  echo "== Python $version: install the wheel with its test extras (into $venv), pytest, stubs and types"
  "$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$WHEEL"
  "$venv/bin/python" -m pip install -q "$WHEEL[test]"
  # The LLM instrumentation is tested against openai 1.x (the oldest major it supports) on the
  # first interpreter, and against the pinned current openai on the others.
  if [[ $py == "$first_python" ]]; then "$venv/bin/python" -m pip install -q "openai==1.109.1"; fi
  "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/mock_backend tests/python 2>&1 | tee "$LOG"
  py_passed=$((py_passed + $(grep -Eo '[0-9]+ passed' "$LOG" | tail -1 | grep -Eo '[0-9]+')))
  "$venv/bin/python" -m mypy.stubtest agentops._native
  "$venv/bin/python" -m mypy bindings-python/python/agentops
  last_venv=$venv
done

echo "== Node: npm install (builds the addon), npm test"
npm install --no-audit --no-fund
npm test 2>&1 | tee "$LOG"
node_passed=$(awk '/^# pass / {n = $3} END {print n + 0}' "$LOG")
echo "== examples/node/quickstart.mjs (offline, file exporter)"
EXAMPLE_DIR=$(mktemp -d)
AGENTOPS_EXPORT_DIR=$EXAMPLE_DIR node examples/node/quickstart.mjs | tee "$LOG"
grep -q "recorded to $EXAMPLE_DIR/" "$LOG" && ls "$EXAMPLE_DIR"/*.jsonl >/dev/null
rm -rf "$EXAMPLE_DIR"

echo "== C: tests/c/run.sh"
bash tests/c/run.sh 2>&1 | tee "$LOG"
c_passed=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOG" | tail -1 | awk '{print $1}')

echo "== OTLP: a real OpenTelemetry Collector, producers in Python, Node and C (tests/otel)"
OTELCOL_BIN=$(bash tests/otel/build-otelcol.sh "${XDG_CACHE_HOME:-$HOME/.cache}/otelcol-v0.161.0" | tail -1)
OTELCOL_BIN=$OTELCOL_BIN "$last_venv/bin/python" -m pytest -q -p no:cacheprovider tests/otel 2>&1 | tee "$LOG"
otel_passed=$(grep -Eo '[0-9]+ passed' "$LOG" | tail -1 | grep -Eo '[0-9]+')

# Every step above stops the script on failure, so reaching here means none failed.
echo "tests: $((rust_passed + py_passed + node_passed + c_passed + otel_passed)) passed, 0 failed"
