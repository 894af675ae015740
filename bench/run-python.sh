#!/usr/bin/env bash
# Python benchmark: this package against agentops 0.3, OpenTelemetry, posthog and langfuse in one
# run, each in its pinned venv, all through the same harness and loopback sink (../shared/anchors).
#
#   bash bench/run-python.sh               # REPS=3 (about 20 min on the 2-core box, plus venv setup)
#   REPS=1 ONLY=ours bash bench/run-python.sh
#
# Env: REPS (3), ONLY (substring of run labels), OUT (bench-results/python-<date>.jsonl), ANCHORS.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors}
REPS=${REPS:-3}
mkdir -p "$ROOT/bench-results"
OUT=${OUT:-$ROOT/bench-results/python-$(date +%Y%m%d-%H%M%S).jsonl}
PY=$(command -v python3.11 || command -v python3)
VENVS=$ROOT/target/bench-venvs

mkvenv() {  # name requirements-file
  local v=$VENVS/$1
  if [[ ! -x $v/bin/python ]] || ! cmp -s "$2" "$v/.reqs"; then
    rm -rf "$v" && "$PY" -m venv "$v"
    "$v/bin/pip" install -q -r "$2" && cp "$2" "$v/.reqs"
  fi
}
mkvenv ao03 "$ANCHORS/reqs/agentops03.txt"
mkvenv otel "$ANCHORS/reqs/otel.txt"
mkvenv ph "$ANCHORS/reqs/posthog.txt"
mkvenv lf2 "$ANCHORS/reqs/langfuse2.txt"
# Ours: a release build of this checkout.
[[ -x $VENVS/ours/bin/python ]] || "$PY" -m venv "$VENVS/ours"
"$VENVS/ours/bin/pip" install -q "$ROOT"

export ANCHORS
RUNS=(
  "ours-record-default|ours|$ROOT/bench/python/bench_agentops_rs.py|--workload record --mode default --n 100000"
  "ours-decorator-default|ours|$ROOT/bench/python/bench_agentops_rs.py|--workload decorator --mode default --n 100000"
  "ao03-record-default|ao03|$ANCHORS/bench_agentops.py|--workload record --mode default --n 20000 --warmup 500"
  "ao03-decorator-default|ao03|$ANCHORS/bench_agentops.py|--workload decorator --mode default --n 20000 --warmup 500"
  "otel-record-default|otel|$ANCHORS/bench_otel.py|--workload record --mode default --n 100000"
  "otel-decorator-default|otel|$ANCHORS/bench_otel.py|--workload decorator --mode default --n 100000"
  "ph-record-default|ph|$ANCHORS/bench_posthog.py|--workload record --mode default --n 100000"
  "lf2-record-default|lf2|$ANCHORS/bench_langfuse.py|--workload record --mode default --n 100000"
)
echo "== writing $OUT (reps=$REPS)" >&2
for rep in $(seq 1 "$REPS"); do
  for spec in "${RUNS[@]}"; do
    IFS='|' read -r label venv script args <<<"$spec"
    [[ -n "${ONLY:-}" && "$label" != *"$ONLY"* ]] && continue
    echo "== rep $rep $label" >&2
    # shellcheck disable=SC2086
    (cd "$ANCHORS" && timeout 900 "$VENVS/$venv/bin/python" "$script" $args --tag "$label/rep$rep" --out "$OUT") \
      > /dev/null 2>&1 || echo "!! $label rep $rep failed" >&2
    sleep 1
  done
done
"$PY" "$ANCHORS/summarize.py" "$OUT" > "${OUT%.jsonl}.md"
cat "${OUT%.jsonl}.md"
