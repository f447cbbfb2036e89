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

# shellcheck source=bench-common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bench-common.sh"
# The harness loads through DuckDB in process (native memory, outside the heap): 1 GB.
bench_main alert-bench.sh alert-results.json 1g dev.traceflow.benchmark.AlertBenchmark "$@"
