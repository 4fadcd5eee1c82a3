#!/usr/bin/env bash
# Times the stages of a run, so that the next change can see where the time goes.
#   scripts/stage.sh NAME COMMAND...   runs COMMAND, appends "NAME <seconds> <ok|failed>" to
#                                      $STAGE_TIMES (default target/stage-times.txt)
#   scripts/stage.sh --print           prints those lines as a table, with the total
#   scripts/stage.sh --reset           empties the file
set -uo pipefail
cd "$(dirname "$0")/.."
file="${STAGE_TIMES:-target/stage-times.txt}"
mkdir -p "$(dirname "$file")"
case "${1:-}" in
  --reset) : >"$file"; exit 0 ;;
  --print)
    [ -s "$file" ] || exit 0
    echo "stage times (${file}):"
    awk '{ printf "  %-12s %5d s  %2d min %02d s  %s\n", $1, $2, $2 / 60, $2 % 60, $3; total += $2 }
         END { printf "  %-12s %5d s  %2d min %02d s\n", "total", total, total / 60, total % 60 }' "$file"
    exit 0 ;;
esac
name=$1
shift
begin=$(date +%s)
# The command keeps its own times (a `make test` inside `.ci/run`'s stage), not these.
env -u STAGE_TIMES "$@"
status=$?
result=ok
[ $status -eq 0 ] || result=failed
echo "$name $(($(date +%s) - begin)) $result" >>"$file"
exit $status
