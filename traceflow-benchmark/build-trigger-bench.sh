#!/usr/bin/env bash
# Builds the server and the benchmark, then runs issue 21's trigger target over HTTP (BuildTriggerBenchmark): the
# server in its own process (H2 in a new data dir by default), a project with one validated config per trigger,
# then POST /builds as an editor at 500 a second for 10 s, open loop (latency from each trigger's scheduled send,
# so a server falling behind shows), after 2,000 warm-up triggers at the same rate. No worker runs the builds.
# Prints p50 / p90 / p99 / max of the 202s, 409s and other answers counted apart (target p99 < 50 ms). 2-3 minutes.
#
#   ./traceflow-benchmark/build-trigger-bench.sh [options...]                e.g. --rate 1000 --seconds 5
#   CLIENT_CPUS=1 SERVER_CPUS=0 ./traceflow-benchmark/build-trigger-bench.sh  pin harness and server apart
#   ./traceflow-benchmark/build-trigger-bench.sh --metadata-url jdbc:postgresql://127.0.0.1:5432/empty_db --metadata-user postgres
#
# Extra arguments are passed to the harness after the defaults, so they override them (--help lists them).
# Results: traceflow-benchmark/target/build-trigger-results.json (and the summary on stdout).
set -euo pipefail

# shellcheck source=bench-common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bench-common.sh"
# The harness holds one latency and one status per trigger: 256 MB.
bench_main build-trigger-bench.sh build-trigger-results.json 256m dev.traceflow.benchmark.BuildTriggerBenchmark "$@"
