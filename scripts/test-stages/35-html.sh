#!/usr/bin/env bash
# Test stage: the HTML report opened in a real browser (issue 15).
# Makes four reports with the built binary (the fixtures' run, one with a
# suppressed finding, packs with hostile names, 10,000 packs), each with the JSON report of the same run,
# then opens them in Debian's headless Chromium driven by playwright-core
# (from the npm registry, pinned, installed into the build directory) and
# checks the matrix, the filters, the findings, the hostile names and that
# no network request was made (tests/report/html_check.js). Results go to
# RESULTS_DIR/report-html.xml for scripts/gtest_summary.py. If playwright-core
# or chromium is missing the checks are reported as skipped with the reason
# (failed under CI=true), never as passed.
# The screenshot the README shows is BUILD_DIR/html-check/html-report.png;
# MPLP_UPDATE_SCREENSHOT=1 copies it to doc/html-report.png.
# Usage: scripts/test-stages/35-html.sh RESULTS_DIR [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/../.."
results="${1:?usage: $0 RESULTS_DIR [BUILD_DIR]}"
build="${2:-build}"
tools="${MPLP_HTML_TOOLS:-$PWD/$build/npm-tools-html}"
out="$PWD/$build/html-check"
bin="$PWD/$build/src/cli/mplp-gate"
mkdir -p "$tools" "$results"
rm -rf "$out"
mkdir -p "$out"

# Pinned; npm skips the download when it is already there. Its own prefix, so
# that installing it never prunes the SARIF stage's tools.
if command -v npm >/dev/null 2>&1; then
  if ! npm install --prefix "$tools" --no-audit --no-fund --no-save --loglevel=error playwright-core@1.65.1 >"$tools/npm-install.log" 2>&1; then
    echo "35-html: npm install of playwright-core failed (see below); the browser checks will report why" >&2
    tail -20 "$tools/npm-install.log" >&2
  fi
else
  echo "35-html: npm is not installed; the browser checks will report that they were skipped" >&2
fi

status=0
# Each report comes from one run, with the JSON report of the same run for the expectations.
report() {  # NAME PATH...
  local name="$1"
  shift
  "$bin" check -q --report "html=$out/$name.html" --report "json=$out/$name.json" "$@" >/dev/null
  local rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "35-html: mplp-gate check for $name exited $rc" >&2
    status=1
  fi
}
report fixtures fixtures/det/fail-mismatch fixtures/packs/good-real fixtures/report/fail-mixed
# A run with a suppressed finding: the page marks it accepted, with the reason.
printf '%s\n' 'extends: default' 'suppress:' '  - code: host.forbidden' \
  '    reason: a known example host, accepted for the HTML test' >"$out/accepted-policy.yaml"
report accepted --policy "$out/accepted-policy.yaml" fixtures/report/fail-mixed
python3 tests/report/make_html_trees.py "$PWD" "$out" || status=1
report hostile "$out/hostile"
report big "$out/big"
ls -la "$out"/*.html | awk '{print "35-html: " $5 " bytes " $9}'

NODE_PATH="$tools/node_modules" node tests/report/html_check.js "$out" "$results/report-html.xml" || status=1
if [ "${MPLP_UPDATE_SCREENSHOT:-}" = 1 ] && [ -f "$out/html-report.png" ]; then
  cp "$out/html-report.png" doc/html-report.png
  echo "35-html: updated doc/html-report.png"
fi
rm -rf "$out/big" "$out/hostile"  # 10,000 directories are not worth keeping
exit $status
