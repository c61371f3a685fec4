#!/bin/bash
# Queues the shard array and, after it, the merge:
#   LLMBENCH_RESULTS=/shared/run1 LLMBENCH_ARGS="--url http://10.0.0.5:8000 --rate 40 --duration 60" \
#     bash deploy/slurm/submit.sh [SECONDS_AHEAD]
# The start is SECONDS_AHEAD (default 60) from now: enough for every task to
# be scheduled. Prints the two job ids.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LLMBENCH_RESULTS:?set LLMBENCH_RESULTS (a directory every node sees)}"
mkdir -p "$LLMBENCH_RESULTS"
LLMBENCH_START_AT=$(date -u -d "+${1:-60} sec" +%Y-%m-%dT%H:%M:%SZ)
export LLMBENCH_START_AT LLMBENCH_RESULTS
array=$(sbatch --parsable --export=ALL --chdir="$LLMBENCH_RESULTS" "$here/llmbench-array.sbatch")
merge=$(sbatch --parsable --export=ALL --chdir="$LLMBENCH_RESULTS" --dependency=afterok:"${array%%;*}" \
  "$here/llmbench-merge.sbatch")
echo "array ${array%%;*} (start $LLMBENCH_START_AT), merge $merge"
