#!/usr/bin/env bash
# Builds the Debian package from a clean copy of the sources, as
# `dpkg-buildpackage -us -uc -b` in a fresh clone would: the copy is DIR/src
# (scripts/source-tar.sh: no .git, no build directory), the packages land in
# DIR. When done it writes DIR/status (dpkg-buildpackage's exit status) and
# DIR/seconds; its output is DIR/build.log; DIR/pid holds its process id
# while it runs. Used by the test stage
# scripts/test-stages/60-deb.sh, either directly or started early in the
# background by scripts/test.sh.
# Usage: scripts/deb-build.sh DIR
set -uo pipefail
cd "$(dirname "$0")/.."
dir="${1:?usage: scripts/deb-build.sh DIR}"
mkdir -p "$dir"
dir="$(realpath "$dir")"
rm -rf "$dir/src" "$dir/status" "$dir/seconds" "$dir"/*.deb
echo $$ >"$dir/pid"
mkdir -p "$dir/src"
start=$SECONDS
bash scripts/source-tar.sh | tar -C "$dir/src" -xf -
(cd "$dir/src" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b) \
  >"$dir/build.log" 2>&1
rc=$?
echo $((SECONDS - start)) >"$dir/seconds"
echo $rc >"$dir/status.tmp" && mv -f "$dir/status.tmp" "$dir/status"  # whole, or not there: it is polled
exit $rc
