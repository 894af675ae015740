#!/usr/bin/env bash
# The added cost of an instrumented openai call (issue 12), ours against OpenTelemetry's openai
# instrumentation in the same run: bench/python/llm_overhead.py, the paired method, each SDK in its
# own process and venv, interleaved per repetition. Ours: this checkout (a release build) with the
# pinned openai; the peer: bench/python/requirements-llm-otel.txt (the same openai, with
# opentelemetry-sdk, its OTLP/HTTP exporter and opentelemetry-instrumentation-openai-v2). One JSON
# line per run in OUT, then a summary of medians. Needs nothing outside the repository.
#
#   bash bench/run-llm.sh            # REPS=3, PAIRS=5000: about 15 min on the 2-core box
#
# Env: REPS (3), PAIRS (5000), OUT (bench-results/llm-<date>.jsonl).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPS=${REPS:-3}
PAIRS=${PAIRS:-5000}
mkdir -p "$ROOT/bench-results"
OUT=${OUT:-$ROOT/bench-results/llm-$(date +%Y%m%d-%H%M%S).jsonl}
PY=$(command -v python3.11 || command -v python3)
VENVS=$ROOT/target/bench-venvs
REQS=$ROOT/bench/python/requirements-llm-otel.txt
OPENAI=$(grep -Eo '^openai==[0-9.]+' "$REQS")

[[ -x $VENVS/ours/bin/python ]] || "$PY" -m venv "$VENVS/ours"
"$VENVS/ours/bin/pip" install -q "$ROOT" "$OPENAI"
if [[ ! -x $VENVS/llm-otel/bin/python ]] || ! cmp -s "$REQS" "$VENVS/llm-otel/.reqs"; then
  rm -rf "$VENVS/llm-otel" && "$PY" -m venv "$VENVS/llm-otel"
  "$VENVS/llm-otel/bin/pip" install -q -r "$REQS" && cp "$REQS" "$VENVS/llm-otel/.reqs"
fi

touch "$OUT"
echo "== writing $OUT (reps=$REPS, pairs=$PAIRS)" >&2
for rep in $(seq 1 "$REPS"); do
  for sdk in agentops opentelemetry; do
    venv=ours
    [[ $sdk == opentelemetry ]] && venv=llm-otel
    echo "== rep $rep $sdk" >&2
    if line=$(cd "$ROOT" && timeout 1200 "$VENVS/$venv/bin/python" bench/python/llm_overhead.py \
        --sdk "$sdk" --pairs "$PAIRS" --blocks 30 --calls 100 2>/dev/null | grep '^RESULT {' | tail -1) \
        && [[ -n $line ]]; then
      echo "${line#RESULT }" >> "$OUT"
    else
      echo "!! $sdk rep $rep failed" >&2
    fi
  done
done
"$PY" - "$OUT" <<'EOF'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
keys = ("paired_added_ns_per_call", "control_paired_ns_per_call", "bare_patch_paired_ns_per_call", "in_process_cold_added_ns_per_call", "plain_ns_per_call")
by_sdk = {}
for row in rows:
    by_sdk.setdefault(row["sdk"], []).append(row)
print("| SDK | runs | " + " | ".join(k.replace("_ns_per_call", " µs") for k in keys) + " |")
print("|---|---|" + "---|" * len(keys))
for sdk, runs in by_sdk.items():
    cells = []
    for k in keys:
        values = [r[k] / 1000 for r in runs if k in r]
        cells.append(f"{statistics.median(values):.1f} [{min(values):.1f}..{max(values):.1f}]" if values else "–")
    print(f"| {sdk} | {len(runs)} | " + " | ".join(cells) + " |")
EOF
