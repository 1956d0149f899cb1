#!/usr/bin/env bash
# The desktop app's speed: the release app (with the bench-only `e2e` feature, for the drop)
# on a localcloud, driven through the app tests' harness in a private desktop (Xvfb, D-Bus,
# gnome-keyring: scripts/desktop-session), one run. Not part of scripts/test.
#
#   bench/app.sh
#
# Prints five figures, each against its goal ("met" or "MISSED") and with how it was taken:
#   start to a signed-in, answering grid  < 1500 ms  process start (/proc) to the frame after
#                                                    the restored folder's first row
#   open 20,000 objects to first rows     <  300 ms  Enter keydown to the frame after the first
#                                                    row drawn with its entry, timed in the page
#   scroll 100,000 rows: p99 frame        <   50 ms  requestAnimationFrame deltas, in the page
#   drop 2,000 files vs cubby put         <  1.2 x   the app's time from the drop (the files held
#                                                    over the window, then let go) to the transfers
#                                                    panel showing all done, over the CLI's wall
#                                                    time, same localcloud; nothing of the bench's
#                                                    runs meanwhile (no polling, no sampling)
#   peak memory (app + web processes)     <  300 MiB sum of PSS of the cubby-desktop this bench
#                                                    started and its descendants, every 100 ms
#                                                    (but while the drop is timed)
#                                                    (PSS counts a shared library once; the sum
#                                                    of RSS, which counts WebKit's libraries in
#                                                    each process, is printed beside it)
# One run on a shared machine varies (a loaded machine doubles frame times): read a MISSED
# figure with its "how" line, and run again before believing a small miss. Xvfb draws with
# Mesa's software GL, so frame times are worse than on a desktop with a GPU.
#
# Environment: CARGO_TARGET_DIR (default ~/.cache/cubby/target), CUBBY_TOOLS_DIR (where
# tauri-driver is, default ~/.cache/cubby/tools).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

"$repo_root/scripts/install-deps" --test
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cubby/target}"
export PATH="${CUBBY_TOOLS_DIR:-$HOME/.cache/cubby/tools}/bin:$PATH"

(cd ui && npm run --silent build)
cargo build --release --locked -p cubby-desktop -p cubby-cli -p cubby-e2e \
  --features cubby-desktop/e2e --bins
"$repo_root/scripts/desktop-session" "$CARGO_TARGET_DIR/release/app-bench"
