#!/bin/bash
# Taguette 1.5.2 side by side with this checkout, through aefront's API: Taguette's harness
# (../shared/taguette) with bench/taguette/api_adapter.py as its aefront adapter, gunicorn
# left to gunicorn.conf.py, and the API's rate limit lifted for the run.
#
# Usage: bench/side_by_side.sh [ROUNDS]   (env as the harness: N_DOCS, WORDS, HIGHLIGHTS,
#        TAGS; PERF_DIR, default /tmp/perf-api; TAGUETTE_HARNESS, default ../shared/taguette)
# It benchmarks the committed HEAD of this checkout (the harness clones it afresh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=${TAGUETTE_HARNESS:-$ROOT/../shared/taguette}
export PERF_DIR=${PERF_DIR:-${TMPDIR:-/tmp}/perf-api}
mkdir -p "$PERF_DIR/harness"
for file in bench.py corpus.py serve_aefront.sh serve_taguette_venv.sh side_by_side.sh \
            side_by_side_table.py; do
  cp "$HARNESS/$file" "$PERF_DIR/harness/"
done
# The server's generated password may start with "-" (token_urlsafe): passed as a
# separate word, argparse takes it for an option and the round stops (about 1 in 32).
sed -i 's/--password "\$pw"/--password="$pw"/' "$PERF_DIR/harness/side_by_side.sh"
cp "$HARNESS/aefront_adapter.py" "$PERF_DIR/harness/aefront_pages_adapter.py"
cp "$ROOT/bench/taguette/api_adapter.py" "$PERF_DIR/harness/aefront_adapter.py"
rm -rf "$PERF_DIR/aefront" "$PERF_DIR/run"   # a fresh clone of HEAD, fresh results
export AEFRONT_SRC=${AEFRONT_SRC:-$ROOT} API_RATE_PER_MINUTE=1000000 GUNICORN_ARGS=" "
export OUT=${OUT:-$PERF_DIR/side-by-side.json}
exec bash "$PERF_DIR/harness/side_by_side.sh" "$@"
