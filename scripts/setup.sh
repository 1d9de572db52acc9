#!/usr/bin/env bash
# Sets up everything the worker and its tests need on a Debian machine with Node.js and npm:
# Debian's ffmpeg (when missing), npm packages (when missing or stale), and the build in dist/.
# `setup.sh --test` also installs what only the tests use (Debian's chromium for the status page test, GStreamer
# for the playback test), so `npm start` stays lean on a small board.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need_apt+=(ffmpeg)
test_apt=()
[ "${1:-}" = "--test" ] && test_apt=(chromium systemd) # systemd: systemd-analyze verifies the generated unit
# fonts-dejavu-core: a font libass can find, so burned-in text subtitles render (the styled ASS asks for DejaVu Sans).
[ "${1:-}" = "--test" ] && test_apt+=(fonts-dejavu-core)
# GStreamer plays every kind of stream to the end: tools (gst-launch-1.0), hlsdemux (bad), H.264/HEVC/AAC (libav).
[ "${1:-}" = "--test" ] && test_apt+=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-libav)
for extra in ${SETUP_EXTRA_APT:-} "${test_apt[@]}"; do
  dpkg -s "$extra" >/dev/null 2>&1 || need_apt+=("$extra")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${need_apt[*]}. Install them with: sudo apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
fi

# npm ci only when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building dist/"
npm run --silent build
