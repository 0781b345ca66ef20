#!/usr/bin/env bash
# Stage: the unit and end-to-end GoogleTest suites under AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer (clang, build-asan). Any
# sanitizer report aborts the test process, so the suite fails.
# Usage: scripts/test-stages/40-sanitizers.sh RESULTS_DIR
#   (gtest XML: RESULTS_DIR/asan-unit.xml, RESULTS_DIR/asan-e2e.xml)
set -euo pipefail
cd "$(dirname "$0")/../.."
results="$(realpath -m "${1:-build/test-results}")"
mkdir -p "$results"
build="${MPLP_ASAN_BUILD:-build-asan}"

# The same instrumented build serves the fuzz stage (50-fuzz.sh).
echo "sanitizers: building $build (clang, -fsanitize=address,undefined)"
bash fuzz/build.sh "$build" sanitizers

export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for t in unit e2e; do
  echo "sanitizers: $t tests"
  # Each gtest executable writes $build/test-xml/<test>.xml (tests/meson.build).
  rm -f "$build/test-xml/$t.xml"
  meson test -C "$build" --no-rebuild --print-errorlogs "$t" || status=1
  if [ -f "$build/test-xml/$t.xml" ]; then
    cp "$build/test-xml/$t.xml" "$results/asan-$t.xml"
  else
    echo "sanitizers: $t wrote no gtest XML (crashed before it could?)" >&2
    status=1
  fi
done
exit $status
