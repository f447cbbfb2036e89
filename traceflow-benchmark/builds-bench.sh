#!/usr/bin/env bash
# Builds the server and the benchmark, then runs the builds benchmark (issue 20 "Targets"): starts the
# server on an empty data dir and measures over HTTP (A) POST /configs/{id}/validate against a
# 50-property JSON Schema, one request at a time (p50/p90/p99/max, target p99 < 5 ms, with the load
# average), and (B) versions of a repository with 10,000 tags served over git's smart HTTP on
# 127.0.0.1: first fetch and registration, first page, the whole listing, a fetch with nothing new.
# About 2 minutes.
#
#   ./traceflow-benchmark/builds-bench.sh [options...]          e.g. --validate-requests 20000
#   CLIENT_CPUS=1 SERVER_CPUS=0 ./traceflow-benchmark/builds-bench.sh   pin harness and server apart
#   SKIP_BUILD=1 ./traceflow-benchmark/builds-bench.sh          reuse the jars already built
#   HARNESS_JAVA_OPTS="-Xmx1g" ./traceflow-benchmark/builds-bench.sh    extra JVM options for the harness
#
# Extra arguments are passed to the harness after the defaults, so they override them (--help lists them).
# Results: traceflow-benchmark/target/builds-results.json (and a Markdown summary on stdout).
set -euo pipefail

# shellcheck source=bench-common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bench-common.sh"
# The harness holds the repositories it serves (10,000 commits and tags) and the latencies: 512 MB.
bench_main builds-bench.sh builds-results.json 512m dev.traceflow.benchmark.BuildsBenchmark "$@"
