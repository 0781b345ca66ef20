#!/usr/bin/env bash
# Test stage: SARIF checked by its real consumers (issue 4).
# Installs, from the npm registry, Microsoft's SARIF multitool (a self-contained
# Linux binary; npm does not run its postinstall, so it is made executable
# here) and Ajv (a JSON Schema validator for the SARIF 2.1.0 schema, which
# ships inside the multitool package), then runs the SarifConsumers tests with
# MPLP_NPM_TOOLS pointing at them, writing gtest XML into the results dir.
# If an install fails (no registry, no node), the tests run anyway and say
# that the consumers were not available: they are skipped, never faked.
# Usage: scripts/test-stages/30-sarif-tool.sh RESULTS_DIR [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/../.."
results="${1:?usage: $0 RESULTS_DIR [BUILD_DIR]}"
build="${2:-build}"
tools="${MPLP_NPM_TOOLS:-$PWD/$build/npm-tools}"
mkdir -p "$tools" "$results"

# Pinned versions; npm skips the download when they are already there.
packages=(@microsoft/sarif-multitool@5.7.0 ajv@8.17.1 ajv-formats@3.0.1)
if command -v npm >/dev/null 2>&1; then
  if ! npm install --prefix "$tools" --no-audit --no-fund --no-save --loglevel=error "${packages[@]}" >"$tools/npm-install.log" 2>&1; then
    echo "30-sarif-tool: npm install failed (see below); the SARIF consumer tests will report that they were skipped" >&2
    tail -20 "$tools/npm-install.log" >&2
  fi
else
  echo "30-sarif-tool: npm is not installed; the SARIF consumer tests will report that they were skipped" >&2
fi
multitool="$tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
[ -f "$multitool" ] && chmod +x "$multitool"

MPLP_NPM_TOOLS="$tools" \
MPLP_GATE_BIN="$PWD/$build/src/cli/mplp-gate" \
MPLP_SOURCE_ROOT="$PWD" \
  "$build/tests/report/report-tests" --gtest_filter='SarifConsumers.*' \
  --gtest_output="xml:$results/report-sarif-consumers.xml"
