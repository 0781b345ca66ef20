#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this).
# Installs what the tests need beyond the build (scripts/setup.sh test).
# Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0
timings=()
bash scripts/setup.sh test
bash scripts/build.sh build -Dtests=enabled
timings+=("setup and build: ${SECONDS} s")

results="build/test-results"
rm -rf "$results" build/test-xml
mkdir -p "$results"

# The Debian package compiles the project once more (a clean copy, Debian's
# flags). It builds in the background while the suites below run, most of
# which wait on containers; the stage 60-deb.sh then tests it. Its own
# process group, so that an early exit stops the whole build.
export MPLP_DEB_BUILD_DIR="$PWD/build/deb"
setsid bash scripts/deb-build.sh "$MPLP_DEB_BUILD_DIR" >/dev/null 2>&1 &
deb_pid=$!
trap 'kill -- -"$deb_pid" 2>/dev/null || true' EXIT

# Unit and end-to-end tests (GoogleTest), with their full output. The
# executor suite (runner) runs here under podman; the stage
# 20-docker-engine.sh runs it again under docker.
echo "== unit and end-to-end tests"
status=0
start=$SECONDS
MPLP_TEST_ENGINE=podman meson test -C build --print-errorlogs --verbose || status=$?
timings+=("meson test: $((SECONDS - start)) s")
# Each gtest executable writes its XML as build/test-xml/<test>.xml.
for xml in build/test-xml/*.xml; do
  if [ -e "$xml" ]; then cp "$xml" "$results/"; fi
done

# Further stages, each its own script (a missing one is said, not hidden):
for stage in scripts/test-stages/*.sh; do
  [ -e "$stage" ] || continue
  echo "== stage: $stage"
  start=$SECONDS
  bash "$stage" "$results" || status=$?
  timings+=("$stage: $((SECONDS - start)) s")
done

echo "== time taken"
printf '  %s\n' "${timings[@]}" "total: ${SECONDS} s"

# One closing line over every gtest run, in the form CI reads.
python3 scripts/gtest_summary.py "$results"
exit $status
