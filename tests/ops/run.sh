#!/usr/bin/env bash
# Runs the operations tests (shell scripts next to this one), OPS_JOBS at a time (default 2:
# each has its own databases, ports and folders), each one's output kept in
# target/ops/<test>.log and printed when it ends, with its time; then a summary line.
set -uo pipefail
cd "$(dirname "$0")/../.."
jobs="${OPS_JOBS:-2}"
logs=target/ops
mkdir -p "$logs"
passed=0
failed=0
declare -A started=()

# Prints the finished test `pid`'s log and counts it by its exit `status`.
finish() {
  local pid=$1 status=$2 test
  test=${started[$pid]}
  unset "started[$pid]"
  echo "== $test"
  cat "$logs/$(basename "$test" .sh).log"
  if [ $status -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok: $test ($(cat "$logs/$(basename "$test" .sh).secs") s)"
  else
    failed=$((failed + 1))
    echo "FAILED: $test ($(cat "$logs/$(basename "$test" .sh).secs") s)"
  fi
}

for test in tests/ops/*_test.sh; do
  while [ ${#started[@]} -ge "$jobs" ]; do
    status=0
    wait -n -p done_pid "${!started[@]}" || status=$?
    finish "$done_pid" "$status"
  done
  name=$(basename "$test" .sh)
  (
    begin=$(date +%s)
    bash "$test" >"$logs/$name.log" 2>&1
    status=$?
    echo $(($(date +%s) - begin)) >"$logs/$name.secs"
    exit $status
  ) &
  started[$!]=$test
done
while [ ${#started[@]} -gt 0 ]; do
  status=0
  wait -n -p done_pid "${!started[@]}" || status=$?
  finish "$done_pid" "$status"
done
echo "ops tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
