#!/usr/bin/env bash
# Configures (once, via fuzz/configure.sh) and builds the instrumented build
# shared by the sanitizer and fuzz stages; on failure prints the end of the
# build log and exits 1.
# Usage: fuzz/build.sh BUILD_DIR LABEL   (LABEL prefixes messages and names the log)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:?usage: fuzz/build.sh BUILD_DIR LABEL}"
label="${2:?usage: fuzz/build.sh BUILD_DIR LABEL}"
bash fuzz/configure.sh "$build" -Dtests=enabled
log="$build/$label-build.log"
if ! ninja -C "$build" >"$log" 2>&1; then
  tail -n 80 "$log"
  echo "$label: the build failed" >&2
  exit 1
fi
