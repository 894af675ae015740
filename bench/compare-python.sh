#!/usr/bin/env bash
# A/B of two builds of this package, interleaved per repetition in the same run: record and
# @record_action calls (bench/python/bench_agentops_rs.py) and the whole-process CPU at a steady
# 10,000 events/s (bench/harness/cpu_steady.py). Each side is a Python with agentops installed.
#
#   git worktree add /tmp/base <rev> && python3 -m venv /tmp/venv-base && /tmp/venv-base/bin/pip install /tmp/base
#   bash bench/run-python.sh  # (or REPS=1 ONLY=ours ...) builds target/bench-venvs/ours from this checkout
#   REPS=5 bash bench/compare-python.sh /tmp/venv-base/bin/python target/bench-venvs/ours/bin/python
#
# Env: REPS (5), OUT (bench-results/compare-<date>.jsonl). Labels: a-*, b-*.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
A=$1
B=$2
REPS=${REPS:-5}
mkdir -p "$ROOT/bench-results"
OUT=${OUT:-$ROOT/bench-results/compare-$(date +%Y%m%d-%H%M%S).jsonl}
ADAPTER=$ROOT/bench/python/bench_agentops_rs.py
touch "$OUT"
for rep in $(seq 1 "$REPS"); do
  for side in a b; do
    py=$A
    [[ $side == b ]] && py=$B
    for workload in record decorator; do
      echo "== rep $rep $side-$workload" >&2
      "$py" "$ADAPTER" --workload $workload --mode default --n 100000 --tag "$side-$workload/rep$rep" --out "$OUT" \
        > /dev/null 2>&1 || echo "!! $side-$workload rep $rep failed" >&2
    done
    echo "== rep $rep $side-cpu" >&2
    line=$("$py" "$ROOT/bench/harness/cpu_steady.py" "$ADAPTER:AgentOpsRs" --rate 10000 --seconds 10 2>/dev/null \
      | grep '^RESULT {' | tail -1) || { echo "!! $side-cpu rep $rep failed" >&2; continue; }
    python3 -c 'import json, sys; r = json.loads(sys.argv[1][len("RESULT "):]); r["tag"] = sys.argv[2]; print(json.dumps(r))' \
      "$line" "$side-cpu/rep$rep" >> "$OUT"
  done
done
python3 "$ROOT/bench/harness/summarize.py" "$OUT" | tee "${OUT%.jsonl}.md"
