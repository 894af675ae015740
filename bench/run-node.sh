#!/usr/bin/env bash
# Node benchmark. Always: this package (the root package.json's `agentops`, its addon a release build
# of this checkout, `npm run build`) through the harness in bench/harness/node (benchlib.mjs, a copy
# of the peers', and the loopback sink bench/harness/sink.py), so a fresh clone measures our own
# figures with nothing outside the repository: record() and recordAction() calls (caller ns,
# delivery, loss, RSS) and a 100k synchronous burst of record() (`--yield none`).
# With the peer harness ../shared/anchors (ANCHORS) present, also in the same run: OpenTelemetry JS
# (OTLP/HTTP JSON) record, wrapper and burst, posthog-node record and burst, langfuse v3 record,
# through the peers' own adapters and harness in ANCHORS/node with their pinned packages (`npm ci`
# there when its node_modules is missing or stale, as its run.sh does). Without it the peers are
# skipped and the output says so. All runs are interleaved per repetition, one fresh
# `node --expose-gc` process each, one JSON line each in OUT, summarized at the end.
#
#   bash bench/run-node.sh                  # REPS=3 (about 10 min with the peers on the 2-core box)
#   REPS=1 ONLY=ours bash bench/run-node.sh
#   NO_LANGFUSE=1 bash bench/run-node.sh    # without langfuse (~1 min of each repetition)
#
# Env: REPS (3), ONLY (substring of run labels), OUT (bench-results/node-<date>.jsonl),
#      ANCHORS (../shared/anchors; peers only when ANCHORS/node exists), NODE (node), NO_LANGFUSE.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors}
REPS=${REPS:-3}
NODE=${NODE:-node}
mkdir -p "$ROOT/bench-results/node-logs"
OUT=${OUT:-$ROOT/bench-results/node-$(date +%Y%m%d-%H%M%S).jsonl}
PY=$(command -v python3.11 || command -v python3)
LOGS=$ROOT/bench-results/node-logs
OURS=$ROOT/bench/node/bench_agentops_rs.mjs

if [[ -d $ANCHORS/node ]]; then
  PEERS_DIR=$(cd "$ANCHORS/node" && pwd)
  PEERS="peers: OpenTelemetry JS, posthog-node, langfuse from ../shared/anchors/node ($PEERS_DIR)"
else
  PEERS_DIR=
  PEERS="peers skipped: ../shared/anchors/node not found (ANCHORS=$ANCHORS); our figures only"
fi
echo "== $PEERS" >&2

# label | working dir | script and args (--tag/--out appended)
RUNS=(
  "ours-record-default|$ROOT|$OURS --workload record --mode default --n 100000"
  "ours-decorator-default|$ROOT|$OURS --workload decorator --mode default --n 100000"
  "ours-record-default-sync|$ROOT|$OURS --workload record --mode default --n 100000 --yield none"
)
if [[ -n $PEERS_DIR ]]; then
  RUNS+=(
    "otel-json-record-default|$PEERS_DIR|bench_otel.mjs --exporter json --workload record --mode default --n 100000"
    "otel-json-decorator-default|$PEERS_DIR|bench_otel.mjs --exporter json --workload decorator --mode default --n 100000"
    "otel-json-record-default-sync|$PEERS_DIR|bench_otel.mjs --exporter json --workload record --mode default --n 100000 --yield none"
    "ph-record-default|$PEERS_DIR|bench_posthog.mjs --workload record --mode default --n 100000"
    "ph-record-default-sync|$PEERS_DIR|bench_posthog.mjs --workload record --mode default --n 100000 --yield none"
  )
  [[ -n ${NO_LANGFUSE:-} ]] || RUNS+=("lf3-record-default|$PEERS_DIR|bench_langfuse.mjs --workload record --mode default --n 100000")
fi
selected() { [[ -z "${ONLY:-}" || "$1" == *"$ONLY"* ]]; }
any_selected() {  # prefix
  local spec label
  for spec in "${RUNS[@]}"; do
    IFS='|' read -r label _ <<<"$spec"
    [[ $label == "$1"* ]] && selected "$label" && return 0
  done
  return 1
}

# Ours: the release addon of this checkout (npm install runs the build on a fresh clone; after
# that, `npm run build` is cargo's incremental build). Peers: their pinned packages.
if any_selected ours-; then
  if [[ -x $ROOT/node_modules/.bin/napi ]]; then
    (cd "$ROOT" && npm run build >&2)
  else
    (cd "$ROOT" && npm install --no-audit --no-fund >&2)
  fi
fi
if [[ -n $PEERS_DIR ]] && { any_selected otel- || any_selected ph- || any_selected lf3-; }; then
  if [[ ! -d $PEERS_DIR/node_modules ]] || ! cmp -s "$PEERS_DIR/package-lock.json" "$PEERS_DIR/node_modules/.anchor-lock"; then
    echo "== npm ci in $PEERS_DIR" >&2
    (cd "$PEERS_DIR" && npm ci --no-audit --no-fund >&2 && cp package-lock.json node_modules/.anchor-lock)
  fi
fi
unset OTEL_BSP_MAX_QUEUE_SIZE OTEL_BSP_SCHEDULE_DELAY OTEL_BSP_MAX_EXPORT_BATCH_SIZE OTEL_BSP_EXPORT_TIMEOUT \
      OTEL_EXPORTER_OTLP_ENDPOINT OTEL_EXPORTER_OTLP_TRACES_ENDPOINT OTEL_EXPORTER_OTLP_COMPRESSION || true

touch "$OUT"
echo "== writing $OUT (reps=$REPS)" >&2
for rep in $(seq 1 "$REPS"); do
  for spec in "${RUNS[@]}"; do
    IFS='|' read -r label dir cmd <<<"$spec"
    selected "$label" || continue
    echo "== rep $rep $label" >&2
    # shellcheck disable=SC2086
    (cd "$dir" && timeout 900 "$NODE" --expose-gc $cmd --tag "$label/rep$rep" --out "$OUT") \
      > "$LOGS/$label.log" 2>&1 || echo "!! $label rep $rep failed, see $LOGS/$label.log" >&2
    sleep 1
  done
done
{ echo "$PEERS"; echo; "$PY" "$ROOT/bench/harness/summarize_rust.py" "$OUT"; } > "${OUT%.jsonl}.md"
cat "${OUT%.jsonl}.md"
