#!/usr/bin/env bash
# Rust benchmark. Always: agentops-core's uploader (core/benches/uploader.rs) against the loopback sink
# in bench/harness (sink.py, stdlib only, under the system python: our runs send JSON), summarized by
# bench/harness/summarize_rust.py, so a fresh clone measures our own figures with nothing outside it.
# With the peer harness's ../shared/anchors/rust (ANCHORS/rust) present, also the OpenTelemetry Rust SDK,
# interleaved in the same run, built from its pinned crate set and counted by the peers' sink.py in a
# venv with opentelemetry-proto (to decode its OTLP protobuf); bench/harness is a copy of the peers'
# harness, so both are measured by the same method. Without it the peers are skipped and the output says so.
#
#   bash bench/run-rust.sh              # REPS=3 (about 10 min with the peers on the 2-core box, plus first builds)
#   REPS=1 ONLY=ours bash bench/run-rust.sh
#
# Env: REPS (3), ONLY (substring of run labels), OUT (bench-results/rust-<date>.jsonl),
#      ANCHORS (../shared/anchors; the OTel runs only when ANCHORS/rust exists).
# Writes OUT (one JSON line per run) and OUT with .md (median [min..max] per label).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors}
REPS=${REPS:-3}
mkdir -p "$ROOT/bench-results"
OUT=${OUT:-$ROOT/bench-results/rust-$(date +%Y%m%d-%H%M%S).jsonl}
PY=$(command -v python3.11 || command -v python3)
HARNESS=$ROOT/bench/harness

if [[ -d $ANCHORS/rust ]]; then
  ANCHORS=$(cd "$ANCHORS" && pwd)
  PEERS="peers: OpenTelemetry Rust SDK from ../shared/anchors/rust ($ANCHORS/rust)"
else
  PEERS="peers skipped: ../shared/anchors not found (no $ANCHORS/rust); our figures only"
fi
echo "== $PEERS" >&2

# Ours: the bench binary, as cargo reports it (honours CARGO_TARGET_DIR).
OURS=$(cargo bench --manifest-path "$ROOT/Cargo.toml" -p agentops-core --bench uploader --no-run \
         --message-format=json-render-diagnostics \
       | "$PY" -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "uploader" and m.get("executable"):
        print(m["executable"])')
[[ -x $OURS ]] || { echo "!! no uploader bench binary" >&2; exit 1; }
OURS_SINK="--sink-python $PY --sink-script $HARNESS/sink.py"

unset OTEL_BSP_MAX_QUEUE_SIZE OTEL_BSP_SCHEDULE_DELAY OTEL_EXPORTER_OTLP_ENDPOINT HTTP_PROXY HTTPS_PROXY http_proxy https_proxy || true
export NO_PROXY=127.0.0.1,localhost,::1

# label | binary | args
RUNS=(
  "ours-record-default-1M|$OURS|--workload record --mode default --n 1000000 $OURS_SINK"
  "ours-prebuilt-default-1M|$OURS|--workload prebuilt --mode default --n 1000000 $OURS_SINK"
  "ours-record-paced-1M|$OURS|--workload record --mode paced --n 1000000 $OURS_SINK"
  "ours-record-burst-100k|$OURS|--workload record --mode default --n 100000 $OURS_SINK"
  "ours-record_value-burst-100k|$OURS|--workload record_value --mode default --n 100000 $OURS_SINK"
)
if [[ -d $ANCHORS/rust ]]; then
  # The sink decodes OTLP protobuf (to count the OTel runs' spans) with opentelemetry-proto.
  VENV=$ROOT/target/bench-venv
  if [[ ! -x $VENV/bin/python ]] || ! cmp -s "$ANCHORS/rust/reqs/sink.txt" "$VENV/.reqs"; then
    rm -rf "$VENV" && "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q -r "$ANCHORS/rust/reqs/sink.txt" && cp "$ANCHORS/rust/reqs/sink.txt" "$VENV/.reqs"
  fi
  OTEL_SINK="--sink-python $VENV/bin/python --sink-script $ANCHORS/sink.py"
  CARGO_TARGET_DIR=$ROOT/target/anchors cargo build --release --locked --manifest-path "$ANCHORS/rust/Cargo.toml" >&2
  OTEL=$ROOT/target/anchors/release/anchor-bench
  RUNS+=(
    "otel-noop-in_span-1M|$OTEL|otel --exporter noop --workload in_span --mode default --n 1000000 $OTEL_SINK"
    "otel-proto-in_span-100k|$OTEL|otel --exporter otlp-proto --workload in_span --mode default --n 100000 $OTEL_SINK"
    "otel-proto-in_span-nodrop-100k|$OTEL|otel --exporter otlp-proto --workload in_span --mode nodrop --n 100000 $OTEL_SINK"
  )
fi

touch "$OUT"
echo "== writing $OUT (reps=$REPS)" >&2
for rep in $(seq 1 "$REPS"); do
  for spec in "${RUNS[@]}"; do
    IFS='|' read -r label bin args <<<"$spec"
    [[ -n "${ONLY:-}" && "$label" != *"$ONLY"* ]] && continue
    echo "== rep $rep $label" >&2
    # shellcheck disable=SC2086
    timeout 600 "$bin" $args --tag "$label/rep$rep" --out "$OUT" > /dev/null 2>&1 || echo "!! $label failed" >&2
    sleep 1
  done
done
{ echo "$PEERS"; echo; "$PY" "$HARNESS/summarize_rust.py" "$OUT"; } > "${OUT%.jsonl}.md"
cat "${OUT%.jsonl}.md"
