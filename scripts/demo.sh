#!/usr/bin/env bash
# The main job: build mplp-gate and check the bundled example pack.
# Installs only what building needs (scripts/setup.sh build), not the tests'.
# Usage: scripts/demo.sh        (no arguments; exit code is mplp-gate's)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh build
echo "demo: mplp-gate check fixtures/packs/good-real"
exec ./build/src/cli/mplp-gate check fixtures/packs/good-real
