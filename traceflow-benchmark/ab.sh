#!/usr/bin/env bash
# A/B comparison of two server jars in one sitting, builds alternating, as the README's benchmark
# figures are made (the machine is shared and noisy: compare within a round, quote medians).
#
#   ./traceflow-benchmark/ab.sh A.jar B.jar [rounds] [harness options...]
#   e.g. ./traceflow-benchmark/ab.sh /tmp/base.jar traceflow-server/target/traceflow-server.jar 3 --duration 20s
#
# Each run's results go to traceflow-benchmark/target/ab/<A|B>-<round>.json; at the end a table of
# stored events/s, the no-op ceiling, p99 at half load, CPU per stored event by thread group and
# zero loss, per run, then the medians. Needs jq. Uses the harness jar already built (run.sh builds it).
set -euo pipefail

MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ $# -ge 2 ]] || { sed -n 2,10p "${BASH_SOURCE[0]}"; exit 2; }
A="$(realpath "$1")"; B="$(realpath "$2")"; shift 2
ROUNDS="${1:-3}"; [[ $# -ge 1 ]] && shift
OUT="$MODULE_DIR/target/ab"
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.md
command -v jq >/dev/null || { echo "ab.sh: needs jq" >&2; exit 2; }

for round in $(seq 1 "$ROUNDS"); do
  for side in A B; do
    jar="$A"; [[ $side == B ]] && jar="$B"
    echo "round $round/$ROUNDS, $side: $jar" >&2
    SKIP_BUILD=1 "$MODULE_DIR/run.sh" --server-jar "$jar" --out "$OUT/$side-$round.json" "$@" > "$OUT/$side-$round.md" 2>&1 \
      || echo "ab.sh: run $side-$round did not pass every target (see $OUT/$side-$round.md)" >&2
  done
done

summary() {
  jq -r --arg side "$1" '
    def phase(n): .phases[] | select(.name == n);
    def res(n): (.resources // [])[] | select(.phase == n);
    def check(n): (.checks // [])[] | select(.name == n);
    [$side, (input_filename | split("/") | last),
     (check("ingest throughput").actual // "-"),
     (phase("noop").eventsPerSecond | floor),
     (phase("ingest-half").p99Ms * 10 | round / 10),
     ((res("ingest").serverMicrosPerEvent // {}) | to_entries | map("\(.key)=\(.value * 100 | round / 100)") | join(" ")),
     (res("ingest").loadGeneratorMicrosPerEvent // 0 | . * 100 | round / 100),
     (check("zero loss").verdict // "-")] | @tsv' "$OUT/$1"-*.json
}
printf 'side\trun\tstored events/s\tnoop events/s\tp99 half ms\tserver CPU us/event (ingest)\tload gen us/event\tzero loss\n'
summary A
summary B
