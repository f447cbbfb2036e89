#!/usr/bin/env bash
# Issue 21's build log target: one build writing 5,000 lines a second for 20 s, followed by 100 /ws
# clients; prints whether every follower got every line exactly once and in order, and the p50 / p99
# latency from the write to each receipt. The measurement (BuildLogFollowMeasurement) runs the server
# in-process with its embedded defaults and writes through the log store as the in-process worker does
# (no HTTP route appends log lines: workers do, inside the server).
#
#   traceflow-benchmark/build-log-bench.sh [rate] [seconds] [followers]
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RATE="${1:-5000}" SECONDS_="${2:-20}" FOLLOWERS="${3:-100}"
cd "$REPO_DIR"
./mvnw -B -q -o -pl traceflow-server -am -Dtraceflow.ui.skip=true -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest=BuildLogFollowMeasurement -Dbench.rate="$RATE" -Dbench.seconds="$SECONDS_" -Dbench.followers="$FOLLOWERS" \
  test >/tmp/traceflow-build-log-bench.log 2>&1 \
  || { tail -n 30 /tmp/traceflow-build-log-bench.log >&2; echo "the measurement failed (above; full log in /tmp/traceflow-build-log-bench.log)" >&2; }
# surefire keeps the test's output in its report directory
grep -A4 "BUILD LOG BENCH" traceflow-server/target/surefire-reports/dev.traceflow.builds.BuildLogFollowMeasurement-output.txt
