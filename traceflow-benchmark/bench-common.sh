# Sourced by run.sh and the *-bench.sh scripts: finds a JDK >= 21, builds the server and
# the benchmark unless SKIP_BUILD=1, pins harness and server apart with CLIENT_CPUS / SERVER_CPUS,
# and runs the harness with the server jar and its results file.
#
#   bench_main <script name> <results file> <heap> <main class, or -jar> "$@"

MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$MODULE_DIR/.." && pwd)"
# shellcheck source=../bin/find-jdk.sh
. "$REPO_DIR/bin/find-jdk.sh"

bench_main() {
  local name="$1" results="$2" heap="$3" main="$4"
  shift 4
  local JDK
  JDK="$(find_jdk || true)"
  if [[ -z "$JDK" ]]; then
    echo "$name: no JDK >= $MIN_JAVA found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2
    exit 2
  fi
  # The harness passes JAVA_HOME on to the server it starts, so both use this JDK.
  export JAVA_HOME="$JDK"

  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "building traceflow-server and traceflow-benchmark (tests skipped)..."
    (cd "$REPO_DIR" && ./mvnw -B -q -DskipTests -pl traceflow-server,traceflow-benchmark -am package)
  fi

  local HARNESS_JAR="$MODULE_DIR/target/traceflow-benchmark.jar"
  local SERVER_JAR="$REPO_DIR/traceflow-server/target/traceflow-server.jar"
  [[ -f "$HARNESS_JAR" ]] || { echo "$name: $HARNESS_JAR missing; run without SKIP_BUILD" >&2; exit 2; }

  local args=(--server-jar "$SERVER_JAR" --out "$MODULE_DIR/target/$results")
  local launcher=()
  # A child inherits its parent's CPU affinity: with only CLIENT_CPUS set the server would be pinned to
  # the client's CPUs too, so give it every CPU explicitly.
  if [[ -n "${CLIENT_CPUS:-}" && -z "${SERVER_CPUS:-}" ]]; then
    SERVER_CPUS="0-$(( $(nproc --all) - 1 ))"
  fi
  if [[ -n "${SERVER_CPUS:-}" ]]; then
    args+=(--server-cpus "$SERVER_CPUS")
  fi
  if [[ -n "${CLIENT_CPUS:-}" ]]; then
    command -v taskset >/dev/null || { echo "$name: CLIENT_CPUS needs taskset (util-linux)" >&2; exit 2; }
    launcher=(taskset -c "$CLIENT_CPUS")
  fi
  local entry=(-cp "$HARNESS_JAR:$MODULE_DIR/target/lib/*" "$main")
  if [[ "$main" == -jar ]]; then
    entry=(-jar "$HARNESS_JAR")
  fi

  # A fixed heap and ParallelGC keep the harness's own GC out of the latencies it measures; native
  # access is for the DuckDB driver it loads or counts events with.
  cd "$REPO_DIR"
  # --add-opens: the harnesses that load a dataset in process (query, alert) store through the DuckDB
  # loader's Arrow import, whose memory module reads java.nio.Buffer's address
  # shellcheck disable=SC2086 # HARNESS_JAVA_OPTS is a space-separated option list on purpose
  exec "${launcher[@]}" "$JDK/bin/java" "-Xms$heap" "-Xmx$heap" -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
    --add-opens=java.base/java.nio=ALL-UNNAMED \
    ${HARNESS_JAVA_OPTS:-} "${entry[@]}" "${args[@]}" "$@"
}
