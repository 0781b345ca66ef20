#!/usr/bin/env bash
# Configures (once) and builds mplp-gate into build/. Idempotent.
# Usage: scripts/build.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir="${1:-build}"
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" --buildtype=debugoptimized >/dev/null
fi
ninja -C "$dir" >/dev/null
