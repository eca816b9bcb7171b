#!/usr/bin/env bash
# Renders a covlab report.html in headless Chromium (Debian's `chromium`) and saves a PNG screenshot,
# to check by eye that the self-contained report looks right. Network features are switched off, so a
# report that needed the network would show broken images.
#
# usage: scripts/screenshot-report.sh REPORT.html OUT.png [WIDTH,HEIGHT]   (default 1280,2400)
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTH,HEIGHT]" >&2
  exit 2
fi
report="$1"
out="$2"
size="${3:-1280,2400}"
[ -f "$report" ] || { echo "$0: $report: no such file" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$browser" ] || { echo "$0: chromium not found; install it with: apt-get install -y chromium" >&2; exit 1; }

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
report_abs="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
case "$out" in /*) out_abs="$out" ;; *) out_abs="$(pwd)/$out" ;; esac

"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$out_abs" --window-size="$size" "file://$report_abs" >/dev/null 2>"$profile/chromium.log" \
  || { echo "$0: chromium failed:" >&2; tail -5 "$profile/chromium.log" >&2; exit 1; }
[ -s "$out_abs" ] || { echo "$0: chromium wrote no screenshot" >&2; tail -5 "$profile/chromium.log" >&2; exit 1; }
echo "$out_abs"
