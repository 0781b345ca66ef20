#!/usr/bin/env bash
# The main job: build mplp-gate and check the bundled example pack, whose run
# provenance is signed by the test-only key fixtures/keys/test-a.key: trusting
# its public half, every gate passes, GATE-V2-ATTESTATION-01 included.
# Installs only what building needs (scripts/setup.sh build), not the tests'.
# Usage: scripts/demo.sh        (no arguments; exit code is mplp-gate's)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh build
echo "demo: mplp-gate check --require-signature --trusted-key fixtures/keys/test-a.pub fixtures/packs/good-real"
exec ./build/src/cli/mplp-gate check --require-signature --trusted-key fixtures/keys/test-a.pub fixtures/packs/good-real
