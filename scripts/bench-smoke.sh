#!/usr/bin/env bash
# Runs every benchmark in bench/ with --smoke (tiny sizes, the same code path) on Node 24 and fails
# if any of them fails, hangs past its time limit, or does not honour --smoke (no smoke banner).
# A bench that no longer starts is caught here, not by the next person who wants its figures.
# Lines read 'bench <name> <n> s — <summary>' and use none of the words test runners close with
# ('ok', 'FAIL', 'PASS', 'ran:', 'tests'): a log reader that knows go test's 'ok <pkg> <time>' or
# OUnit's 'Ran: N tests' would take a bench line for a runner's closing line and find no test in it
# (the CI log's closing line is the tests' count, `tests: N passed, N failed, N skipped`).
# Needs PostgreSQL :5432, NATS :4222 and mosquitto on the PATH (scripts/prepare-test-env.sh).
# Usage: scripts/bench-smoke.sh [name ...]   (default: every bench/*.ts that is not a helper)
set -uo pipefail
cd "$(dirname "$0")/.."

NODE=./node_modules/.bin/node
LIMIT_S=${BENCH_SMOKE_TIMEOUT:-240}
# Modules the benches import, not benches themselves.
HELPERS=" basemap-db mqtt-packets pipeline-common smoke "

if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  for f in bench/*.ts; do
    n=$(basename "$f" .ts)
    [[ $HELPERS == *" $n "* ]] || names+=("$n")
  done
fi

failed=()
started=$SECONDS
for n in "${names[@]}"; do
  out=$(mktemp)
  t0=$SECONDS
  timeout --kill-after=10 "$LIMIT_S" "$NODE" "bench/$n.ts" --smoke >"$out" 2>&1
  rc=$?
  took=$((SECONDS - t0))
  if [ $rc -ne 0 ]; then
    why="exit $rc"
    [ $rc -eq 124 ] && why="timed out after ${LIMIT_S} s"
    failed+=("$n")
    printf 'bench %-24s %4d s — broke (%s)\n' "$n" "$took" "$why"
    tail -n 30 "$out" | sed 's/^/     | /'
  elif ! grep -q '^(smoke run' "$out"; then
    failed+=("$n")
    printf 'bench %-24s %4d s — broke (no smoke banner: does it handle --smoke?)\n' "$n" "$took"
  else
    # The bench's ratio line (its last), else its last line: enough to see it ran through.
    summary=$(grep -iE 'ratio|speed-up|faster|× baseline' "$out" | tail -n 1)
    [ -n "$summary" ] || summary=$(grep -E 'p50' "$out" | grep -v 'gc:' | head -n 1)
    [ -n "$summary" ] || summary=$(tail -n 1 "$out")
    printf 'bench %-24s %4d s — %s\n' "$n" "$took" "${summary:0:150}"
  fi
  rm -f "$out"
done
printf '%d benchmarks smoke-checked in %d s\n' "${#names[@]}" "$((SECONDS - started))"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
