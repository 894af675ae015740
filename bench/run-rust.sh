#!/usr/bin/env bash
# Rust benchmark: agentops-core's uploader against the OpenTelemetry Rust SDK, interleaved in one
# run, both measured by the same method against the same loopback sink (../shared/anchors).
#
#   bash bench/run-rust.sh              # REPS=3 (about 10 min on the 2-core box, plus first builds)
#   REPS=1 ONLY=ours bash bench/run-rust.sh
#
# Env: REPS (3), ONLY (substring of run labels), OUT (bench-results/rust-<date>.jsonl), ANCHORS (../shared/anchors).
# Writes OUT (one JSON line per run) and OUT with .md (median [min..max] per label).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors}
REPS=${REPS:-3}
mkdir -p "$ROOT/bench-results"
OUT=${OUT:-$ROOT/bench-results/rust-$(date +%Y%m%d-%H%M%S).jsonl}
PY=$(command -v python3.11 || command -v python3)

# The sink decodes OTLP protobuf (to count the OTel runs' spans) with opentelemetry-proto.
VENV=$ROOT/target/bench-venv
if [[ ! -x $VENV/bin/python ]] || ! cmp -s "$ANCHORS/rust/reqs/sink.txt" "$VENV/.reqs"; then
  rm -rf "$VENV" && "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$ANCHORS/rust/reqs/sink.txt" && cp "$ANCHORS/rust/reqs/sink.txt" "$VENV/.reqs"
fi
SINK="--sink-python $VENV/bin/python --sink-script $ANCHORS/sink.py"

cargo bench -p agentops-core --bench uploader --no-run >&2
OURS=$(ls -t "$ROOT"/target/release/deps/uploader-* | grep -v '\.d$' | head -1)
CARGO_TARGET_DIR=$ROOT/target/anchors cargo build --release --locked --manifest-path "$ANCHORS/rust/Cargo.toml" >&2
OTEL=$ROOT/target/anchors/release/anchor-bench

unset OTEL_BSP_MAX_QUEUE_SIZE OTEL_BSP_SCHEDULE_DELAY OTEL_EXPORTER_OTLP_ENDPOINT HTTP_PROXY HTTPS_PROXY http_proxy https_proxy || true
export NO_PROXY=127.0.0.1,localhost,::1

# label | binary | args
RUNS=(
  "ours-record-default-1M|$OURS|--workload record --mode default --n 1000000"
  "ours-prebuilt-default-1M|$OURS|--workload prebuilt --mode default --n 1000000"
  "ours-record-paced-1M|$OURS|--workload record --mode paced --n 1000000"
  "ours-record-burst-100k|$OURS|--workload record --mode default --n 100000"
  "ours-record_value-burst-100k|$OURS|--workload record_value --mode default --n 100000"
  "otel-noop-in_span-1M|$OTEL|otel --exporter noop --workload in_span --mode default --n 1000000"
  "otel-proto-in_span-100k|$OTEL|otel --exporter otlp-proto --workload in_span --mode default --n 100000"
  "otel-proto-in_span-nodrop-100k|$OTEL|otel --exporter otlp-proto --workload in_span --mode nodrop --n 100000"
)
echo "== writing $OUT (reps=$REPS)" >&2
for rep in $(seq 1 "$REPS"); do
  for spec in "${RUNS[@]}"; do
    IFS='|' read -r label bin args <<<"$spec"
    [[ -n "${ONLY:-}" && "$label" != *"$ONLY"* ]] && continue
    echo "== rep $rep $label" >&2
    # shellcheck disable=SC2086
    timeout 600 "$bin" $args $SINK --tag "$label/rep$rep" --out "$OUT" > /dev/null 2>&1 || echo "!! $label failed" >&2
    sleep 1
  done
done
"$PY" "$ANCHORS/rust/summarize.py" "$OUT" > "${OUT%.jsonl}.md"
cat "${OUT%.jsonl}.md"
