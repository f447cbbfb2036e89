#!/usr/bin/env bash
# Builds the server and the benchmark, then runs the query benchmark (issue 16 "Targets"): loads
# generated events into a DuckDB file, times every answer endpoint's storage calls in process, then
# the same requests over HTTP against a server on that file while ingest runs at half its maximum.
#
#   ./traceflow-benchmark/query-bench.sh [options...]          e.g. --events 1000000
#   CLIENT_CPUS=1 SERVER_CPUS=0 ./traceflow-benchmark/query-bench.sh   pin harness and server apart
#   SKIP_BUILD=1 ./traceflow-benchmark/query-bench.sh          reuse the jars already built
#   HARNESS_JAVA_OPTS="-Xmx2g" ./traceflow-benchmark/query-bench.sh    extra JVM options for the harness
#
# Extra arguments are passed to the harness after the defaults, so they override them (--help lists them).
# Results: traceflow-benchmark/target/query-results.json (and a Markdown summary on stdout).
set -euo pipefail

MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$MODULE_DIR/.." && pwd)"
# shellcheck source=../bin/find-jdk.sh
. "$REPO_DIR/bin/find-jdk.sh"

JDK="$(find_jdk || true)"
if [[ -z "$JDK" ]]; then
  echo "query-bench.sh: no JDK >= $MIN_JAVA found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2
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
[[ -f "$HARNESS_JAR" ]] || { echo "query-bench.sh: $HARNESS_JAR missing; run without SKIP_BUILD" >&2; exit 2; }

args=(--server-jar "$SERVER_JAR" --out "$MODULE_DIR/target/query-results.json")
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
  command -v taskset >/dev/null || { echo "query-bench.sh: CLIENT_CPUS needs taskset (util-linux)" >&2; exit 2; }
  launcher=(taskset -c "$CLIENT_CPUS")
fi

# The harness loads through DuckDB in process (native memory, outside the heap) and runs the ingest
# load generator; a fixed 1 GB heap and ParallelGC keep its own GC out of the latencies it measures.
cd "$REPO_DIR"
# shellcheck disable=SC2086 # HARNESS_JAVA_OPTS is a space-separated option list on purpose
exec "${launcher[@]}" "$JDK/bin/java" -Xms1g -Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
  ${HARNESS_JAVA_OPTS:-} \
  -cp "$HARNESS_JAR:$MODULE_DIR/target/lib/*" dev.traceflow.benchmark.QueryBenchmark "${args[@]}" "$@"
