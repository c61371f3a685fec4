#!/usr/bin/env bash
# The Kubernetes manifests in deploy/kubernetes/: kubectl parses them (no
# cluster: `kubectl apply --dry-run=client` still asks a server for its API
# list, so they go through `kubectl annotate --local -o json`, which parses
# and prints each object offline), then the fields we rely on are checked:
# an Indexed Job with parallelism = completions = --shards N, a --start-at,
# the results on a shared volume named by the shard index; a merge Job on the
# same volume. kubectl comes from Debian's kubernetes-client when missing;
# skipped (exit 77) when it cannot be had.
#   bash tests/package/kubernetes_test.sh [deploy/kubernetes]
set -euo pipefail
dir=${1:-$(cd "$(dirname "$0")/../.." && pwd)/deploy/kubernetes}
if ! command -v kubectl >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null 2>&1 || true
  fi
  command -v kubectl >/dev/null || { echo "kubernetes_test: SKIPPED: no kubectl (apt-get install kubernetes-client)"; exit 77; }
fi
json=$(mktemp)
trap 'rm -f "$json"' EXIT
for f in "$dir"/*.yaml; do
  kubectl annotate --local -f "$f" llmbench/checked=yes -o json >>"$json" || { echo "kubernetes_test: kubectl cannot parse $f"; exit 1; }
done
python3 - "$json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
dec, at, objs = json.JSONDecoder(), 0, []
while at < len(text):
    while at < len(text) and text[at].isspace():
        at += 1
    if at >= len(text):
        break
    obj, at = dec.raw_decode(text, at)
    objs.extend(obj["items"] if obj.get("kind") == "List" else [obj])
def fail(msg):
    print("kubernetes_test: " + msg)
    sys.exit(1)
jobs = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Job"}
pvcs = {o["metadata"]["name"] for o in objs if o["kind"] == "PersistentVolumeClaim"}
shards, merge = jobs.get("llmbench-shards"), jobs.get("llmbench-merge")
if not shards or not merge:
    fail("need Jobs llmbench-shards and llmbench-merge, got %s" % sorted(jobs))
s = shards["spec"]
if s.get("completionMode") != "Indexed":
    fail("llmbench-shards: completionMode must be Indexed")
n = s.get("completions")
if not isinstance(n, int) or n < 1 or s.get("parallelism") != n:
    fail("llmbench-shards: parallelism (%r) must equal completions (%r)" % (s.get("parallelism"), n))
c = s["template"]["spec"]["containers"][0]
args = c.get("args", [])
def after(flag):
    return args[args.index(flag) + 1] if flag in args else None
if after("--shards") != str(n):
    fail("llmbench-shards: --shards %r, expected %d (= completions)" % (after("--shards"), n))
env = {e["name"]: e.get("value") for e in c.get("env", [])}
start = after("--start-at")
m = re.fullmatch(r"\$\((\w+)\)", start or "")
value = env.get(m.group(1)) if m else start
if not value or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
    fail("llmbench-shards: --start-at must be an RFC 3339 time, got %r" % value)
out = after("--output") or ""
if "$(JOB_COMPLETION_INDEX)" not in out:
    fail("llmbench-shards: --output must name the file by $(JOB_COMPLETION_INDEX), got %r" % out)
def claim(job, path):
    spec = job["spec"]["template"]["spec"]
    mounts = {v["name"]: v["mountPath"] for v in spec["containers"][0].get("volumeMounts", [])}
    vols = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in spec.get("volumes", [])}
    for name, mount in mounts.items():
        if path.startswith(mount.rstrip("/") + "/") and vols.get(name):
            return vols[name]
    return None
shared = claim(shards, out)
if shared not in pvcs:
    fail("llmbench-shards: %s is not on a PersistentVolumeClaim of these manifests" % out)
mc = merge["spec"]["template"]["spec"]["containers"][0]
line = " ".join(mc.get("command", []) + mc.get("args", []))
if "llmbench merge" not in line or "--output" not in line:
    fail("llmbench-merge: does not run llmbench merge --output: %r" % line)
if claim(merge, out) != shared:
    fail("llmbench-merge: does not mount the shards' volume %s" % shared)
for job in (shards, merge):
    if job["spec"]["template"]["spec"].get("restartPolicy") != "Never":
        fail("%s: restartPolicy must be Never (a rerun shard would double its load)" % job["metadata"]["name"])
print("kubernetes_test: %d objects parsed; Indexed Job of %d shards with --shards %d, --start-at %s, "
      "results on PVC %s; merge Job on the same volume" % (len(objs), n, n, value, shared))
PY
