#!/usr/bin/env bash
# Builds the server and the benchmark, then runs the alert benchmark (issue 22 "Targets"): loads
# generated events into a DuckDB file, starts the server on it, and measures in one run (A) the idle
# server, (B) 1,000 threshold rules that share questions, (C) 1,000 that share none (evaluations,
# round time per minute, CPU over idle), and (D) new error groups: 202 to webhook, beside 202 to
# GET /api/errors?fresh=true listing the group. About 15 minutes at 1M events.
#
#   ./traceflow-benchmark/alert-bench.sh [options...]          e.g. --events 10000000
#   CLIENT_CPUS=1 SERVER_CPUS=0 ./traceflow-benchmark/alert-bench.sh   pin harness and server apart
#   SKIP_BUILD=1 ./traceflow-benchmark/alert-bench.sh          reuse the jars already built
#   HARNESS_JAVA_OPTS="-Xmx2g" ./traceflow-benchmark/alert-bench.sh    extra JVM options for the harness
#
# Extra arguments are passed to the harness after the defaults, so they override them (--help lists them).
# Results: traceflow-benchmark/target/alert-results.json (and a Markdown summary on stdout).
set -euo pipefail

MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$MODULE_DIR/.." && pwd)"
# shellcheck source=../bin/find-jdk.sh
. "$REPO_DIR/bin/find-jdk.sh"

JDK="$(find_jdk || true)"
if [[ -z "$JDK" ]]; then
  echo "alert-bench.sh: no JDK >= $MIN_JAVA found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2
  exit 2
fi
# The harness passes JAVA_HOME on to the server it starts, so both use this JDK.
export JAVA_HOME="$JDK"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building traceflow-server and traceflow-benchmark (tests skipped)..."
  (cd "$REPO_DIR" && ./mvnw -B -q -DskipTests -pl traceflow-server,traceflow-benchmark -am package)
fi

HARNESS_JAR="$MODULE_DIR/target/traceflow-benchmark.jar"
SERVER_JAR="$REPO_DIR/traceflow-server/target/traceflow-server.jar"
[[ -f "$HARNESS_JAR" ]] || { echo "alert-bench.sh: $HARNESS_JAR missing; run without SKIP_BUILD" >&2; exit 2; }

args=(--server-jar "$SERVER_JAR" --out "$MODULE_DIR/target/alert-results.json")
launcher=()
# A child inherits its parent's CPU affinity: with only CLIENT_CPUS set the server would be pinned to
# the client's CPUs too, so give it every CPU explicitly.
if [[ -n "${CLIENT_CPUS:-}" && -z "${SERVER_CPUS:-}" ]]; then
  SERVER_CPUS="0-$(( $(nproc --all) - 1 ))"
fi
if [[ -n "${SERVER_CPUS:-}" ]]; then
  args+=(--server-cpus "$SERVER_CPUS")
fi
if [[ -n "${CLIENT_CPUS:-}" ]]; then
  command -v taskset >/dev/null || { echo "alert-bench.sh: CLIENT_CPUS needs taskset (util-linux)" >&2; exit 2; }
  launcher=(taskset -c "$CLIENT_CPUS")
fi

# The harness loads through DuckDB in process (native memory, outside the heap); a fixed 1 GB heap and
# ParallelGC keep its own GC out of the webhook latencies it measures.
cd "$REPO_DIR"
# shellcheck disable=SC2086 # HARNESS_JAVA_OPTS is a space-separated option list on purpose
exec "${launcher[@]}" "$JDK/bin/java" -Xms1g -Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
  ${HARNESS_JAVA_OPTS:-} \
  -cp "$HARNESS_JAR:$MODULE_DIR/target/lib/*" dev.traceflow.benchmark.AlertBenchmark "${args[@]}" "$@"
