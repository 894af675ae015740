#!/usr/bin/env bash
# Runs every test of the project: the Rust workspace (core against the mock backend) and the
# mock backend's own tests. Needs only what .ci/run installs (Rust, Python 3 with pytest).
#
#   bash tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test --workspace"
cargo test --workspace

echo "== pytest tests/mock_backend"
python3 -m pytest -q -p no:cacheprovider tests/mock_backend
