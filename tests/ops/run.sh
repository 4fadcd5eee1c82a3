#!/usr/bin/env bash
# Runs the operations tests (shell scripts next to this one) and prints a summary line.
set -uo pipefail
cd "$(dirname "$0")/../.."
passed=0
failed=0
for test in tests/ops/*_test.sh; do
  echo "== $test"
  if bash "$test"; then
    passed=$((passed + 1))
    echo "ok: $test"
  else
    failed=$((failed + 1))
    echo "FAILED: $test"
  fi
done
echo "ops tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
