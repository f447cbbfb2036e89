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

# shellcheck source=bench-common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bench-common.sh"
# The load generator needs little: 512 MB.
bench_main run.sh results.json 512m -jar "$@"
