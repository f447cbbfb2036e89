#!/usr/bin/env bash
# Builds the server and the benchmark, then runs the ingest benchmark against a fresh server.
#
#   ./traceflow-benchmark/run.sh [harness options...]        e.g. --duration 60s --connections 32
#   CLIENT_CPUS=1 SERVER_CPUS=0 ./traceflow-benchmark/run.sh  pin load generator and server apart
#   SKIP_BUILD=1 ./traceflow-benchmark/run.sh                 reuse the jars already built
#   HARNESS_JAVA_OPTS="-Xlog:gc" ./traceflow-benchmark/run.sh  extra JVM options for the load generator
#
# Extra arguments are passed to the harness after the defaults, so they override them.
# Results: traceflow-benchmark/target/results.json (and a Markdown summary on stdout).
set -euo pipefail

MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$MODULE_DIR/.." && pwd)"
# shellcheck source=../bin/find-jdk.sh
. "$REPO_DIR/bin/find-jdk.sh"

JDK="$(find_jdk || true)"
if [[ -z "$JDK" ]]; then
  echo "run.sh: no JDK >= $MIN_JAVA found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2
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
[[ -f "$HARNESS_JAR" ]] || { echo "run.sh: $HARNESS_JAR missing; run without SKIP_BUILD" >&2; exit 2; }

args=(--server-jar "$SERVER_JAR" --out "$MODULE_DIR/target/results.json")
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
  command -v taskset >/dev/null || { echo "run.sh: CLIENT_CPUS needs taskset (util-linux)" >&2; exit 2; }
  launcher=(taskset -c "$CLIENT_CPUS")
fi

# A small fixed heap and ParallelGC keep the load generator's own GC out of the latencies it measures;
# native access is for the DuckDB driver that counts the stored events at the end.
cd "$REPO_DIR"
# shellcheck disable=SC2086 # HARNESS_JAVA_OPTS is a space-separated option list on purpose
exec "${launcher[@]}" "$JDK/bin/java" -Xms512m -Xmx512m -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
  ${HARNESS_JAVA_OPTS:-} \
  -jar "$HARNESS_JAR" "${args[@]}" "$@"
