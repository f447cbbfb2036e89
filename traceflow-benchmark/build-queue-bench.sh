#!/usr/bin/env bash
# The build queue's benchmark (issue 21 "Targets") on the machine's PostgreSQL: 10,000 queued no-op builds
# drained by racing claimers (claims per second, zero duplicates), then triggers at 500 per second for 10 s
# (p50 / p99 of the trigger's database work from each trigger's scheduled start). It runs
# PostgresBuildQueueMeasurement in the server's test classes (the queue is internal to the server), in a
# schema of its own that it drops afterwards. About a minute.
#
#   ./traceflow-benchmark/build-queue-bench.sh                       defaults
#   ./traceflow-benchmark/build-queue-bench.sh -Dclaimers=4 -Drate=1000 -Dbuilds=20000
#   TRACEFLOW_IT_POSTGRES_URL=jdbc:postgresql://host:5432/db ./traceflow-benchmark/build-queue-bench.sh
#
# Figures: the DRAIN and TRIGGER lines on stdout.
set -euo pipefail

# shellcheck source=bench-common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bench-common.sh"
JDK="$(find_jdk || true)"
[[ -n "$JDK" ]] || { echo "build-queue-bench.sh: no JDK >= $MIN_JAVA found" >&2; exit 2; }
export JAVA_HOME="$JDK"
cd "$REPO_DIR"
./mvnw -B -q -o -pl traceflow-server -am -Dtraceflow.ui.skip=true -Dtest=PostgresBuildQueueMeasurement \
  -Dsurefire.failIfNoSpecifiedTests=false -DtrimStackTrace=false "$@" test
# surefire writes a test's stdout to its report folder, not to ours: the figures are read from there
grep -hE '^(DRAIN|TRIGGER) ' traceflow-server/target/surefire-reports/dev.traceflow.builds.internal.PostgresBuildQueueMeasurement-output.txt
