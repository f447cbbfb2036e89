#!/usr/bin/env bash
# The loader's DuckDB write path in process (LoaderBenchmark): the Appender against Arrow import and
# DuckDB settings, CPU per stored event, variants alternating, a fresh DuckDB file per round.
#
#   ./traceflow-benchmark/loader-bench.sh [--events 1000000] [--rounds 5] [--variants consumer,appender]
#   SKIP_BUILD=1 ./traceflow-benchmark/loader-bench.sh ...   reuse the jars already built
#   LOADER_CPUS=1 ./traceflow-benchmark/loader-bench.sh ...  pin the run to CPU 1 (taskset)
#   HARNESS_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/l.jfr" ./traceflow-benchmark/loader-bench.sh ...
set -euo pipefail

MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$MODULE_DIR/.." && pwd)"
# shellcheck source=../bin/find-jdk.sh
. "$REPO_DIR/bin/find-jdk.sh"
JDK="$(find_jdk || true)"
[[ -n "$JDK" ]] || { echo "loader-bench.sh: no JDK >= $MIN_JAVA found" >&2; exit 2; }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  (cd "$REPO_DIR" && ./mvnw -B -q -DskipTests -Dtraceflow.ui.skip=true -pl traceflow-benchmark -am package)
fi

launcher=()
if [[ -n "${LOADER_CPUS:-}" ]]; then
  launcher=(taskset -c "$LOADER_CPUS")
fi
cd "$REPO_DIR"
# Arrow's memory module reads java.nio.Buffer's address field: on JDK 17+ that needs the add-opens.
# shellcheck disable=SC2086 # HARNESS_JAVA_OPTS is a space-separated option list on purpose
exec "${launcher[@]}" "$JDK/bin/java" -Xms3g -Xmx3g -XX:+UseCompactObjectHeaders --enable-native-access=ALL-UNNAMED \
  --add-opens=java.base/java.nio=ALL-UNNAMED ${HARNESS_JAVA_OPTS:-} \
  -cp "$MODULE_DIR/target/traceflow-benchmark.jar:$MODULE_DIR/target/lib/*" dev.traceflow.benchmark.LoaderBenchmark "$@"
