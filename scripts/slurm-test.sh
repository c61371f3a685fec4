#!/usr/bin/env bash
# Slurm for real, on this machine: installs Debian's slurm-wlm and munge when
# missing, starts munged, slurmctld and slurmd with a minimal configuration
# (one node, loopback only, every file under a temp dir), starts the built-in
# server on 127.0.0.1, runs the load once in one process, then submits
# deploy/slurm's 4-task array with a common --start-at and its merge job
# (--dependency=afterok), waits for the merge, and checks the merged result
# against the single process: the same requests scheduled and accounted for.
# Every daemon it started is stopped on exit (trap). Needs root.
#   bash scripts/slurm-test.sh [build/release/llmbench]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exe=$(readlink -f "${1:-$root/build/release/llmbench}")
[ "$(id -u)" -eq 0 ] || { echo "slurm-test: needs root"; exit 77; }
t0=$(date +%s)
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
tmp=$(mktemp -d /tmp/llmbench-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$tmp"/slurmd.pid "$tmp"/slurmctld.pid "$tmp"/munged.pid; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 0.5
  rm -rf "$tmp"
}
trap cleanup EXIT
host=$(hostname -s)
mkdir -p "$tmp"/{state,spool,munge,results}

# munge: its own key, socket and files; --force because we are root.
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$tmp/munge/munge.key"
munged --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.sock" \
  --pid-file="$tmp/munged.pid" --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/seed"

cat >"$tmp/slurm.conf" <<CONF
ClusterName=llmbench-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=8 RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -qE '^idle' && break; sleep 0.2; done
sinfo -h -o '%P %D %T' | grep -q idle || { echo "slurm-test: the node never became idle"; cat "$tmp"/slurm*.log | tail -20; exit 1; }
echo "slurm-test: munged, slurmctld and slurmd up ($(sinfo -h -o '%P %D %T'))"

# The built-in server, shared by the single run and the four shards.
"$exe" mock-server --port 0 --decode-tps 1000 --slots 64 >"$tmp/server.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$tmp/server.out" && break; sleep 0.1; done
port=$(grep -oE '127\.0\.0\.1:[0-9]+' "$tmp/server.out" | head -1 | cut -d: -f2)
[ -n "$port" ] || { echo "slurm-test: the built-in server did not start"; exit 1; }
load="--host 127.0.0.1 --port $port --rate 40 --arrival poisson --seed 3 --duration 2 --max-tokens 8 --threads 1"

# shellcheck disable=SC2086
"$exe" $load --output "$tmp/single.json" -q --no-progress >/dev/null
export LLMBENCH="$exe" LLMBENCH_ARGS="$load" LLMBENCH_RESULTS="$tmp/results"
ids=$(bash "$root/deploy/slurm/submit.sh" 5)
echo "slurm-test: submitted $ids"
merge=${ids##* }
for _ in $(seq 300); do
  squeue -h -j "$merge" 2>/dev/null | grep -q . || break
  sleep 0.2
done
[ -s "$tmp/results/run.json" ] || {
  echo "slurm-test: no merged result"; tail -5 "$tmp"/results/*.out "$tmp"/slurmctld.log; exit 1; }
cat "$tmp"/results/llmbench-merge-*.out
python3 - "$tmp/single.json" "$tmp/results/run.json" <<'PY'
import json, sys
single, merged = (json.load(open(p)) for p in sys.argv[1:3])
def acct(d):
    st = d["stages"][0]
    s = st["summary"]
    return {"scheduled": st["requests_scheduled"], "succeeded": s["requests_succeeded"], "failed": s["requests_failed"],
            "cancelled": s["requests_cancelled"], "warmup": st["phases"]["warmup"], "cooldown": st["phases"]["cooldown"]}
a, b = acct(single), acct(merged)
print("single process:", a)
print("4 Slurm shards:", b, "| shards", [s["shard"]["source"] + "=" + str(s["index"]) for s in merged["shards"]],
      "| start spread %.2f ms" % merged["merge"]["start_spread_ms"])
ok = a == b and len(merged["shards"]) == 4 and merged["merge"]["accounting"][0]["balanced"]
print("slurm-test: " + ("merged accounting equals the single process's" if ok else "MISMATCH"))
sys.exit(0 if ok else 1)
PY
echo "slurm-test: $(($(date +%s) - t0)) s"
