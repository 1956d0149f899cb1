#!/usr/bin/env bash
# Installs what building (and, with --test, running under Xvfb and WebDriver) the Cubby desktop app
# needs on a fresh Debian machine, then the ui's npm packages. Safe to run again: apt packages are
# installed only when missing, and `npm ci` reproduces ui/package-lock.json exactly.
#
#   scripts/desktop-deps.sh          build dependencies (WebKitGTK and friends) + npm ci in ui/
#   scripts/desktop-deps.sh --test   also Xvfb, ImageMagick (screenshots) and WebKitWebDriver
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Tauri 2's Linux prerequisites (WebKitGTK 4.1, GTK 3, tray, SVG icons) plus a C toolchain.
packages=(
  build-essential pkg-config curl file
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
)
if [[ "${1:-}" == "--test" ]]; then
  # A display for the window, screenshots of it, and the WebDriver server tauri-driver talks to.
  packages+=(xvfb xauth imagemagick webkit2gtk-driver)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  echo "desktop-deps: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "desktop-deps: all apt packages present"
fi

command -v npm >/dev/null || { echo "desktop-deps: npm not found; install Node.js 20 or newer" >&2; exit 1; }
(cd "$repo_root/ui" && npm ci --no-audit --no-fund)
