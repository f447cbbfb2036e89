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

# shellcheck source=bench-common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bench-common.sh"
# DuckDB's allocator as ./traceflow sets it, for the load and the bare reads in process too (the server
# gets it from the harness): freed memory kept 30 s (README "Query benchmark", twentieth session).
export DUCKDB_JE_MALLOC_CONF="${DUCKDB_JE_MALLOC_CONF:-dirty_decay_ms:30000,muzzy_decay_ms:30000}"
# The harness loads through DuckDB in process (native memory, outside the heap) and runs the ingest load generator: 1 GB.
bench_main query-bench.sh query-results.json 1g dev.traceflow.benchmark.QueryBenchmark "$@"
