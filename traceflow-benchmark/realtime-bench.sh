#!/usr/bin/env bash
# Builds the server and the benchmark, installs the Node side (npm ci in traceflow-benchmark/realtime), then runs
# the realtime benchmark (issue 19 "Targets"): TraceFlow's gateway (Socket.IO /realtime and plain WebSocket /ws)
# side by side with a reference Node Socket.IO 4 server in the same run, rounds alternating: deliveries/s at the
# maximum rate, p50/p99 there and at half of it, loss, heap and RSS per connection. About 8 minutes by default.
#
#   CLIENT_CPUS=1 SERVER_CPUS=0 ./traceflow-benchmark/realtime-bench.sh     servers on CPU 0, load generator on CPU 1
#   ./traceflow-benchmark/realtime-bench.sh --rounds 5 --scenarios 100x1   any option, see --help
#   SKIP_BUILD=1 ./traceflow-benchmark/realtime-bench.sh                   reuse the jars already built
#
# Extra arguments are passed to the harness after the defaults, so they override them (--help lists them).
# Results: traceflow-benchmark/target/realtime-results.json (and Markdown tables on stdout).
set -euo pipefail

# shellcheck source=bench-common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bench-common.sh"
command -v node >/dev/null || { echo "realtime-bench.sh: needs node (>= 18) and npm" >&2; exit 2; }
if [[ ! -d "$MODULE_DIR/realtime/node_modules/socket.io" ]]; then
  (cd "$MODULE_DIR/realtime" && npm ci --no-audit --no-fund)
fi
# The harness only waits for its servers and the load generator: 256 MB.
bench_main realtime-bench.sh realtime-results.json 256m dev.traceflow.benchmark.RealtimeBenchmark --node "$MODULE_DIR/realtime" "$@"
