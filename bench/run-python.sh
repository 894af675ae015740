#!/usr/bin/env bash
# Python benchmark. Always: this package (a release build of this checkout) through the harness in
# bench/harness (benchlib.py, its loopback sink.py, cpu_steady.py), so a fresh clone measures our own
# figures with nothing outside the repository: record and @record_action calls (caller ns, delivery,
# loss, RSS) and the whole-process CPU at a steady 10,000 events/s.
# With the peer harness ../shared/anchors (ANCHORS) present, also in the same run: agentops 0.3,
# OpenTelemetry, posthog and langfuse, each in its pinned venv (ANCHORS/reqs), through the peers' own
# adapters and harness (bench/harness is a copy of it, so both are measured by the same method), plus
# the steady-load CPU of OpenTelemetry and posthog. Without it the peers are skipped and the output says so.
# All runs are interleaved per repetition, one JSON line each in OUT, summarized at the end.
#
#   bash bench/run-python.sh               # REPS=3 (about 30 min with the peers on the 2-core box, plus venv setup)
#   REPS=1 ONLY=ours bash bench/run-python.sh
#   ONLY=otlp,otel-record bash bench/run-python.sh   # the OTLP exporter against OpenTelemetry's
#   REPS=1 ONLY=cpu bash bench/run-python.sh     # steady-load CPU only (ours, the Python floor, the peers)
#
# Env: REPS (3), ONLY (comma-separated substrings of run labels), OUT (bench-results/python-<date>.jsonl),
#      ANCHORS (../shared/anchors; peers only when it exists).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors}
REPS=${REPS:-3}
mkdir -p "$ROOT/bench-results"
OUT=${OUT:-$ROOT/bench-results/python-$(date +%Y%m%d-%H%M%S).jsonl}
PY=$(command -v python3.11 || command -v python3)
VENVS=$ROOT/target/bench-venvs
HARNESS=$ROOT/bench/harness
OURS=$ROOT/bench/python/bench_agentops_rs.py
CPU_ARGS="--rate 10000 --seconds 10"

if [[ -d $ANCHORS ]]; then
  ANCHORS=$(cd "$ANCHORS" && pwd)
  PEERS="peers: agentops 0.3, OpenTelemetry, posthog, langfuse from ../shared/anchors ($ANCHORS)"
else
  PEERS="peers skipped: ../shared/anchors not found (ANCHORS=$ANCHORS); our figures only"
fi
echo "== $PEERS" >&2

# kind | label | venv | working dir | script and args
#   kind bench: a benchlib adapter (--tag/--out appended); kind cpu: cpu_steady.py, whose RESULT line
#   is captured here, tagged and appended to OUT.
RUNS=(
  "bench|ours-record-default|ours|$ROOT|$OURS --workload record --mode default --n 100000"
  "bench|ours-decorator-default|ours|$ROOT|$OURS --workload decorator --mode default --n 100000"
  "bench|ours-otlp-record|ours|$ROOT|$OURS --workload record --mode otlp --n 100000"
  "bench|ours-otlp-protobuf-record|ours|$ROOT|$OURS --workload record --mode otlp-protobuf --n 100000"
  "cpu|ours-cpu-10k|ours|$ROOT|$HARNESS/cpu_steady.py $OURS:AgentOpsRs $CPU_ARGS"
  # Not an SDK: about the least a Python-only recorder can do (bench/python/bench_floor.py).
  "cpu|floor-cpu-10k|ours|$ROOT|$HARNESS/cpu_steady.py $ROOT/bench/python/bench_floor.py:PythonFloor $CPU_ARGS"
)
if [[ -d $ANCHORS ]]; then
  RUNS+=(
    "bench|ao03-record-default|ao03|$ANCHORS|$ANCHORS/bench_agentops.py --workload record --mode default --n 20000 --warmup 500"
    "bench|ao03-decorator-default|ao03|$ANCHORS|$ANCHORS/bench_agentops.py --workload decorator --mode default --n 20000 --warmup 500"
    "bench|otel-record-default|otel|$ANCHORS|$ANCHORS/bench_otel.py --workload record --mode default --n 100000"
    "bench|otel-decorator-default|otel|$ANCHORS|$ANCHORS/bench_otel.py --workload decorator --mode default --n 100000"
    "cpu|otel-cpu-10k|otel|$ANCHORS|$ANCHORS/cpu_steady.py $ANCHORS/bench_otel.py:OTelSDK $CPU_ARGS"
    "bench|ph-record-default|ph|$ANCHORS|$ANCHORS/bench_posthog.py --workload record --mode default --n 100000"
    "cpu|ph-cpu-10k|ph|$ANCHORS|$ANCHORS/cpu_steady.py $ANCHORS/bench_posthog.py:PostHog $CPU_ARGS"
    "bench|lf2-record-default|lf2|$ANCHORS|$ANCHORS/bench_langfuse.py --workload record --mode default --n 100000"
  )
fi
# ONLY: substrings of run labels, separated by commas (a run is selected when it has any).
selected() {
  [[ -z "${ONLY:-}" ]] && return 0
  local part
  IFS=, read -ra parts <<<"$ONLY"
  for part in "${parts[@]}"; do [[ "$1" == *"$part"* ]] && return 0; done
  return 1
}

# Venvs: only those of the selected runs. Peers: pinned requirements; ours: this checkout.
mkvenv() {  # name requirements-file
  local v=$VENVS/$1
  if [[ ! -x $v/bin/python ]] || ! cmp -s "$2" "$v/.reqs"; then
    rm -rf "$v" && "$PY" -m venv "$v"
    "$v/bin/pip" install -q -r "$2" && cp "$2" "$v/.reqs"
  fi
}
declare -A REQS=([ao03]=agentops03.txt [otel]=otel.txt [ph]=posthog.txt [lf2]=langfuse2.txt)
declare -A MADE=()
for spec in "${RUNS[@]}"; do
  IFS='|' read -r _ label venv _ <<<"$spec"
  selected "$label" && [[ -z ${MADE[$venv]:-} ]] || continue
  MADE[$venv]=1
  if [[ $venv == ours ]]; then
    [[ -x $VENVS/ours/bin/python ]] || "$PY" -m venv "$VENVS/ours"
    # The sink runs in the bench's venv: it reads OTLP protobuf bodies with the protos the
    # OpenTelemetry peer's venv pins.
    "$VENVS/ours/bin/pip" install -q "$ROOT" opentelemetry-proto==1.45.2 protobuf==7.36.2
  else
    mkvenv "$venv" "$ANCHORS/reqs/${REQS[$venv]}"
  fi
done

touch "$OUT"
echo "== writing $OUT (reps=$REPS)" >&2
for rep in $(seq 1 "$REPS"); do
  for spec in "${RUNS[@]}"; do
    IFS='|' read -r kind label venv dir cmd <<<"$spec"
    selected "$label" || continue
    echo "== rep $rep $label" >&2
    if [[ $kind == bench ]]; then
      # shellcheck disable=SC2086
      (cd "$dir" && timeout 900 "$VENVS/$venv/bin/python" $cmd --tag "$label/rep$rep" --out "$OUT") \
        > /dev/null 2>&1 || echo "!! $label rep $rep failed" >&2
    else
      # shellcheck disable=SC2086
      if line=$(cd "$dir" && timeout 300 "$VENVS/$venv/bin/python" $cmd 2>/dev/null | grep '^RESULT {' | tail -1) \
          && [[ -n $line ]]; then
        "$PY" -c 'import json, sys; r = json.loads(sys.argv[1][len("RESULT "):]); r["tag"] = sys.argv[2]; print(json.dumps(r))' \
          "$line" "$label/rep$rep" >> "$OUT"
      else
        echo "!! $label rep $rep failed" >&2
      fi
    fi
    sleep 1
  done
done
{ echo "$PEERS"; echo; "$PY" "$HARNESS/summarize.py" "$OUT"; } > "${OUT%.jsonl}.md"
cat "${OUT%.jsonl}.md"
