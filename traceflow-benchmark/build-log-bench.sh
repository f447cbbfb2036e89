#!/usr/bin/env bash
# Builds the server and the benchmark, then runs issue 21's build log target (BuildLogBenchmark): the server in
# its own process on an empty data dir; the harness claims one build as a remote worker and prints into its log
# over HTTP (5,000 lines a second for 20 s, each append all lines waiting up to 1000, as a worker sends them), while 100 /ws clients follow it and one more is
# killed and reconnected 20 times, resuming by cursor. Prints whether every follower got exactly lines 1..N in
# order, and the p50 / p90 / p99 latency from each line's write to each receipt (target p99 < 500 ms), and the CPU
# the server and the harness used. A warm-up build of 10 s comes first (--warmup-seconds). About 1.5 minutes.
#
#   ./traceflow-benchmark/build-log-bench.sh [options...]                e.g. --rate 2000 --followers 50
#   CLIENT_CPUS=1 SERVER_CPUS=0 ./traceflow-benchmark/build-log-bench.sh  pin harness and server apart
#   SKIP_BUILD=1 ./traceflow-benchmark/build-log-bench.sh --server-jar /tmp/base.jar   another server, jars already built
#
# Extra arguments are passed to the harness after the defaults, so they override them (--help lists them).
# Results: traceflow-benchmark/target/build-log-results.json (and the summary on stdout).
set -euo pipefail

# shellcheck source=bench-common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bench-common.sh"
# The harness holds a write time per line and a latency histogram per follower: 512 MB.
bench_main build-log-bench.sh build-log-results.json 512m dev.traceflow.benchmark.BuildLogBenchmark "$@"
