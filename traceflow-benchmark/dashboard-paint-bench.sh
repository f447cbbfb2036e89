#!/usr/bin/env bash
# The dashboard's first paint at 1M stored events (issue 24 "Targets": the overview's first meaningful
# paint under 1 s on this machine with 1M stored events). Three steps, each reusing what exists:
#   1. the events: query-bench.sh's loader (DatasetLoader, 4 apps over 30 days) into DATA_DIR, kept,
#      with a known admin password; skipped when DATA_DIR already holds a loaded file, so reruns and
#      A/B runs of two jars read the very same data;
#   2. the server jar on DATA_DIR, as users run it (java -jar, configured by environment only);
#   3. traceflow-server/src/test/node/dashboard-first-paint.mjs in Debian's headless Chromium: RUNS loads
#      of the overview (the dashboard's first page) in a signed-in tab, First Contentful Paint (Performance
#      API) and when the first number card and the last chart are filled, median and max.
#
#   ./traceflow-benchmark/dashboard-paint-bench.sh
#   SERVER_JAR=/tmp/base.jar ./traceflow-benchmark/dashboard-paint-bench.sh   another build on the same data
#   SERVER_CPUS=0 CLIENT_CPUS=1 ./traceflow-benchmark/dashboard-paint-bench.sh  pin server and browser apart
#   EVENTS=1000000 RUNS=5 RANGES=24h,30d DATA_DIR=... PORT=18090 SKIP_BUILD=1 COLD=1 (defaults shown, COLD empties
#   the HTTP cache before each load)
#
# Needs Node.js, /usr/bin/chromium and `npm ci` in traceflow-server/src/test/node; the server jar built
# with its dashboard (Node.js >= 20.19 when Maven built it). Results: target/dashboard-paint.json.
set -euo pipefail

MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$MODULE_DIR/.." && pwd)"
# shellcheck source=../bin/find-jdk.sh
. "$REPO_DIR/bin/find-jdk.sh"

EVENTS="${EVENTS:-1000000}"
RUNS="${RUNS:-5}"
RANGES="${RANGES:-24h}"
PORT="${PORT:-18090}"
DATA_DIR="$(realpath -m "${DATA_DIR:-$MODULE_DIR/target/dashboard-paint-data}")"
SERVER_JAR="$(realpath -m "${SERVER_JAR:-$REPO_DIR/traceflow-server/target/traceflow-server.jar}")"
NODE_DIR="$REPO_DIR/traceflow-server/src/test/node"
OUT="$MODULE_DIR/target/dashboard-paint.json"
# the admin password is set once, when the loader's server first starts on the empty dir: kept beside the data
PASSWORD_FILE="$DATA_DIR/admin-password"

JDK="$(find_jdk || true)"
[[ -n "$JDK" ]] || { echo "dashboard-paint-bench.sh: no JDK >= $MIN_JAVA found" >&2; exit 2; }
[[ -d "$NODE_DIR/node_modules/playwright-core" ]] \
  || { echo "dashboard-paint-bench.sh: npm ci in $NODE_DIR first (playwright-core)" >&2; exit 2; }

# 1. the events
if [[ ! -f "$DATA_DIR/events.duckdb" || ! -f "$PASSWORD_FILE" ]]; then
  rm -rf "$DATA_DIR"
  password="paint-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  # Only the load and the kept dir are wanted here: one request per endpoint and a token ingest phase keep
  # the query benchmark's own measurements short.
  "$MODULE_DIR/query-bench.sh" --events "$EVENTS" --keep-data --data-dir "$DATA_DIR" --admin-password "$password" \
    --queries 1 --ingest-warmup 0s --ingest-max 2s --out "$MODULE_DIR/target/dashboard-paint-load.json"
  echo "$password" > "$PASSWORD_FILE"
else
  echo "reusing the events in $DATA_DIR"
fi
[[ -f "$SERVER_JAR" ]] || { echo "dashboard-paint-bench.sh: $SERVER_JAR missing (run without SKIP_BUILD first)" >&2; exit 2; }

# 2. the server on that data
server_cmd=("$JDK/bin/java" -jar "$SERVER_JAR")
[[ -n "${SERVER_CPUS:-}" ]] && server_cmd=(taskset -c "$SERVER_CPUS" "${server_cmd[@]}")
SERVER_PORT="$PORT" TRACEFLOW_DATA_DIR="$DATA_DIR" TRACEFLOW_BOOTSTRAP_ADMIN_PASSWORD="$(cat "$PASSWORD_FILE")" JAVA_HOME="$JDK" \
  "${server_cmd[@]}" > "$DATA_DIR/paint-server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/healthz" > /dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { tail -20 "$DATA_DIR/paint-server.log" >&2; exit 1; }
  sleep 1
done
curl -fs "http://127.0.0.1:$PORT/healthz" > /dev/null || { echo "the server did not answer /healthz in 300 s" >&2; exit 1; }
sleep 2 # start-up work (retention, error-group catch-up) settles first, as in the query benchmark

# 3. the browser
client=(node dashboard-first-paint.mjs --runs "$RUNS" --ranges "$RANGES")
[[ -n "${COLD:-}" ]] && client+=(--cold)
[[ -n "${CLIENT_CPUS:-}" ]] && client=(taskset -c "$CLIENT_CPUS" "${client[@]}")
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# localhost, not 127.0.0.1: Chromium keeps the Secure refresh cookie for http://localhost only
(cd "$NODE_DIR" && TRACEFLOW_URL="http://localhost:$PORT" TRACEFLOW_USER=admin TRACEFLOW_PASSWORD="$(cat "$PASSWORD_FILE")" \
  TRACEFLOW_APP="${APP:-shop-1}" "${client[@]}") | tee "$DATA_DIR/paint-client.log"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$(dirname "$OUT")"
# the summary is the client's last output: one JSON object spanning the lines from the first "{" at a line start
sed -n '/^{/,$p' "$DATA_DIR/paint-client.log" > "$OUT"
echo "results: $OUT"
