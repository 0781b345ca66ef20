#!/usr/bin/env bash
# The main job: build mplp-gate and check the bundled example pack.
# Usage: scripts/demo.sh        (no arguments; exit code is mplp-gate's)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh build
exec ./build/src/cli/mplp-gate check fixtures/packs/good-real
