#!/usr/bin/env bash
# Install the Debian packages the tests or the benchmark need, when missing.
# Usage: bash scripts/system-packages.sh [TOOL…]   (each TOOL is also its Debian package)
#   WEBMAP_CHROMIUM  path of Debian's Chromium (default /usr/bin/chromium-headless-shell: the
#                    headless shell, without the browser's UI, takes 40 % less CPU in the tests)
set -euo pipefail
chromium="${WEBMAP_CHROMIUM:-/usr/bin/chromium-headless-shell}"
case "$(basename "$chromium")" in
  chromium) chromium_package=chromium ;;
  *) chromium_package=chromium-headless-shell ;;
esac
wanted=()
[ -x "$chromium" ] || wanted+=("$chromium_package")
for tool in "$@"; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || wanted+=("$tool")
done
[ "${#wanted[@]}" -eq 0 ] && exit 0

# Root runs apt-get itself; anyone else goes through sudo. The environment variable is
# passed through env(1): "$SUDO VAR=value cmd" breaks when $SUDO is empty.
run_as_root=()
[ "$(id -u)" -ne 0 ] && run_as_root=(sudo)
"${run_as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${run_as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}" >/dev/null
