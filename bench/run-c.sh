#!/usr/bin/env bash
# C benchmark: bench/c/bench_record.c against the release libagentops (bindings-c), at SDK
# defaults, sending to the loopback sink of bench/harness (sink.py, AgentOps v2 routes). Each run
# is a fresh process recording 100k actions as one synchronous burst, timed in chunks of 1000:
# caller-thread ns per agentops_record_action() (median chunk and mean) and what the shutdown
# delivered (the burst's loss). Prints one JSON line per run into OUT and a median [min..max] summary.
#
#   bash bench/run-c.sh            # REPS=5
# Env: REPS (5), N (100000), OUT (bench-results/c-<date>.jsonl).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPS=${REPS:-5}
N=${N:-100000}
mkdir -p "$ROOT/bench-results"
OUT=${OUT:-$ROOT/bench-results/c-$(date +%Y%m%d-%H%M%S).jsonl}
WORK=$(mktemp -d)
SINK_PID=
trap '[[ -n $SINK_PID ]] && kill $SINK_PID 2>/dev/null; rm -rf "$WORK"' EXIT

cd "$ROOT"
cargo build -q --release -p agentops-c
LIB=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release
cc -O2 -std=c11 -Wall -Wextra -Werror -Iinclude bench/c/bench_record.c -L"$LIB" -lagentops -Wl,-rpath,"$LIB" -o "$WORK/bench_record"

: > "$OUT"
for rep in $(seq "$REPS"); do
  # A fresh sink per run: it keeps a log of requests, which grows.
  python3 bench/harness/sink.py --port 0 --max-seconds 600 > "$WORK/sink.out" 2>&1 &
  SINK_PID=$!
  for _ in $(seq 100); do grep -q '^PORT ' "$WORK/sink.out" 2>/dev/null && break; sleep 0.1; done
  port=$(awk '/^PORT/ {print $2}' "$WORK/sink.out")
  echo "== rep $rep" >&2
  AGENTOPS_LOGGING_LEVEL=warn "$WORK/bench_record" "http://127.0.0.1:$port" "$N" | sed -n 's/^RESULT //p' >> "$OUT"
  kill "$SINK_PID"
  wait "$SINK_PID" 2>/dev/null || true
  SINK_PID=
done

python3 - "$OUT" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
def fig(key, digits=0):
    values = [r[key] for r in runs]
    return f"{statistics.median(values):,.{digits}f} [{min(values):,.{digits}f}..{max(values):,.{digits}f}]"
lost = [r["n"] - r["delivered"] for r in runs]
print(f"C record_action, {len(runs)} runs of {runs[0]['n']:,} (one synchronous burst each):")
print(f"  caller ns/call, chunk median: {fig('chunk_median_ns')}")
print(f"  caller ns/call, mean:         {fig('mean_ns')}")
print(f"  lost of the burst: {lost} (dropped {[r['dropped'] for r in runs]}, left {[r['left'] for r in runs]})")
print(f"  shutdown s: {fig('shutdown_s', 2)}")
PY
