#!/usr/bin/env bash
# How fast localcloud's own S3 goes on this machine, against the rate rclone reaches on it in
# the same run, so benchmarks of Cubby against rclone know the server is not the bottleneck.
#
#   bench/localcloud-ceiling.sh           16 KiB PUTs at 32 in flight, and one 1 GiB multipart upload
#   bench/localcloud-ceiling.sh --quick   2,000 PUTs and 256 MiB instead of 10,000 and 1 GiB
#
# Both use the admin credential. Needs rclone (Debian's package) and the release build.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
puts=10000
big_mib=1024
[[ "${1:-}" == "--quick" ]] && { puts=2000; big_mib=256; }

cargo build --release --quiet -p cubby-localcloud --bin cubby-localcloud --example s3_load
scratch="$(mktemp -d)"
server_pid=""
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; rm -rf "$scratch"; }
trap cleanup EXIT

"$target/release/cubby-localcloud" --data "$scratch/data" --json > "$scratch/server.json" 2>/dev/null &
server_pid=$!
for _ in $(seq 600); do grep -q . "$scratch/server.json" 2>/dev/null && break; sleep 0.1; done
grep -q . "$scratch/server.json" || { echo "localcloud did not start within 60 s" >&2; exit 1; }
read -r endpoint access secret < <(python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
print(d["profile"]["endpoints"]["s3"], d["admin"]["access_key_id"], d["admin"]["secret_access_key"])' "$scratch/server.json")

seconds() { python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$@"; }
now() { date +%s.%N; }

mkdir -p "$scratch/small"
for i in $(seq -w 1 "$puts"); do head -c 16384 /dev/zero > "$scratch/small/f$i"; done
head -c "$((big_mib * 1024 * 1024))" /dev/urandom > "$scratch/big.bin"

load="$target/release/examples/s3_load"
server_puts=$("$load" "$endpoint" "$access" "$secret" puts "$puts" 16384 32)
server_mbs=$("$load" "$endpoint" "$access" "$secret" multipart "$scratch/big.bin" 64 4)

# rclone, with the same admin credential; AWS_CA_BUNDLE makes Debian's rclone fail to start.
export RCLONE_CONFIG_LC_TYPE=s3 RCLONE_CONFIG_LC_PROVIDER=Other RCLONE_CONFIG_LC_ENDPOINT="$endpoint" \
  RCLONE_CONFIG_LC_ACCESS_KEY_ID="$access" RCLONE_CONFIG_LC_SECRET_ACCESS_KEY="$secret" \
  RCLONE_CONFIG_LC_REGION=us-east-1 RCLONE_CONFIG_LC_FORCE_PATH_STYLE=true
rclone_() { env -u AWS_CA_BUNDLE rclone --config /dev/null --s3-no-check-bucket "$@"; }
t0=$(now); rclone_ copy "$scratch/small" lc:cubby/bench/rclone-small --transfers 32 --checkers 32; t1=$(now)
rclone_puts=$(python3 -c "print(round($puts / $(seconds "$t0" "$t1")))")
t0=$(now); rclone_ copy "$scratch/big.bin" lc:cubby/bench/rclone-big; t1=$(now)
rclone_mbs=$(python3 -c "print(round($big_mib * 1.048576 / $(seconds "$t0" "$t1"), 1))")

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
cat <<REPORT
localcloud S3 ceiling on $(nproc) cores ($puts PUTs of 16 KiB at 32 in flight; one ${big_mib} MiB multipart upload, 64 MiB parts, 4 in flight)
  server ceiling (aws-sdk-s3 load): ${server_puts} PUT/s    ${server_mbs} MB/s
  rclone copy --transfers 32      : ${rclone_puts} PUT/s    ${rclone_mbs} MB/s (defaults)
  ceiling / rclone                : $(ratio "$server_puts" "$rclone_puts")x          $(ratio "$server_mbs" "$rclone_mbs")x
  (above 1.00x: the server is not what limits rclone here)
REPORT
