#!/usr/bin/env bash
# The C tests of libagentops: tests/c/test_agentops.c compiled with -Wall -Wextra -Werror and run
#   1. against the shared library, with the mock backend (tests/mock_backend) for the online test;
#   2. under valgrind (no errors, no definite or indirect leaks);
#   3. built with AddressSanitizer + UBSan against the static library;
# then the header compiled as C++ (-Wall -Wextra -Werror), and examples/c/quickstart.c built the way
# the README says (bindings-c/install.sh, pkg-config; and its CMake snippet) and run offline. The last line is
# "N passed, N failed" (the test runs of 1-3 summed).
#
#   bash tests/c/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK=$(mktemp -d)
MOCK_PID=
cleanup() { [[ -n $MOCK_PID ]] && kill "$MOCK_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

cargo build -q -p agentops-c
LIB=$ROOT/target/debug
CFLAGS=(-std=c11 -Wall -Wextra -Werror -I"$ROOT/include")
cc "${CFLAGS[@]}" tests/c/test_agentops.c -L"$LIB" -lagentops -Wl,-rpath,"$LIB" -lpthread -lm -o "$WORK/test_shared"
cc "${CFLAGS[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer tests/c/test_agentops.c \
  "$LIB/libagentops.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -o "$WORK/test_asan"

# The mock backend, for the online test (its token cost is what the test expects).
python3 tests/mock_backend/mock_backend.py --port 0 --max-seconds 600 --parent-pid $$ --token-cost 5 > "$WORK/mock.out" &
MOCK_PID=$!
for _ in $(seq 100); do grep -q '^PORT ' "$WORK/mock.out" 2>/dev/null && break; sleep 0.1; done
MOCK=http://127.0.0.1:$(awk '/^PORT/ {print $2}' "$WORK/mock.out")

passed=0
failed=0
# run LABEL COMMAND...: one run of the tests, its counts added up.
run() {
  local label=$1
  shift
  local out=$WORK/$label
  mkdir -p "$out.dir"
  echo "== C tests: $label"
  env -u AGENTOPS_API_KEY AGENTOPS_TEST_DIR="$out.dir" AGENTOPS_TEST_ENDPOINT="$MOCK" \
    AGENTOPS_TEST_API_KEY=2b4f6c1e-8a9d-4e3f-b5c7-1d2e3f4a5b6c AGENTOPS_LOGGING_LEVEL=warn "$@" 2>&1 | tee "$out.log"
  local summary
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out.log" | tail -1)
  passed=$((passed + $(awk '{print $1}' <<<"$summary")))
  failed=$((failed + $(awk '{print $3}' <<<"$summary")))
  # What the online test recorded arrived: 3 events, and the end it gave.
  local session
  session=$(awk '/^MOCK_SESSION/ {print $2}' "$out.log")
  python3 - "$MOCK" "$session" <<'PY'
import json, sys, urllib.request
mock, session = sys.argv[1], sys.argv[2]
get = lambda route: json.load(urllib.request.urlopen(mock + route))
events = get("/_mock/events")["by_session"].get(session, [])
body = get("/_mock/sessions")[session]
assert [e["action_type"] for e in events] == ["mocked"] * 3, events
assert (body["end_state"], body["end_state_reason"], body["tags"]) == ("Fail", "mock run", ["mock"]), body
PY
}

run shared "$WORK/test_shared"
# Without the fork test: a forked child leaks the parent's uploader on purpose (its thread does
# not exist in the child, so it is never touched), which valgrind rightly reports there.
AGENTOPS_TEST_NO_FORK=1 run valgrind valgrind -q --error-exitcode=99 --leak-check=full \
  --errors-for-leak-kinds=definite,indirect --show-possibly-lost=no "$WORK/test_shared"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 run asan "$WORK/test_asan"

echo "== the header compiles as C++"
printf '#include "agentops.h"\nint main() { return agentops_version() == nullptr; }\n' > "$WORK/header.cpp"
c++ -std=c++17 -Wall -Wextra -Werror -I"$ROOT/include" "$WORK/header.cpp" -L"$LIB" -lagentops -Wl,-rpath,"$LIB" -o "$WORK/header_cpp"
"$WORK/header_cpp"

echo "== examples/c/quickstart.c, built as the README says"
bash bindings-c/install.sh "$WORK/prefix"
export PKG_CONFIG_PATH="$WORK/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
cc examples/c/quickstart.c $(pkg-config --cflags --libs agentops) -o "$WORK/quickstart"
mkdir -p "$WORK/sessions"
AGENTOPS_EXPORT_DIR="$WORK/sessions" "$WORK/quickstart" | tee "$WORK/quickstart.log"
grep -q "recorded to $WORK/sessions/" "$WORK/quickstart.log" && ls "$WORK/sessions"/*.jsonl >/dev/null

echo "== the README's CMake snippet builds the example too"
mkdir -p "$WORK/cmake"
cat > "$WORK/cmake/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(agentops_example C)
add_executable(my_agent $ROOT/examples/c/quickstart.c)
find_package(PkgConfig REQUIRED)
pkg_check_modules(AGENTOPS REQUIRED IMPORTED_TARGET agentops)
target_link_libraries(my_agent PRIVATE PkgConfig::AGENTOPS)
CMAKE
cmake -S "$WORK/cmake" -B "$WORK/cmake/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$WORK/cmake/build" >/dev/null
AGENTOPS_EXPORT_DIR="$WORK/sessions" "$WORK/cmake/build/my_agent" | grep -q "recorded to"

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
