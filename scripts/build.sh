#!/usr/bin/env bash
# Configures (once) and builds mplp-gate into BUILD_DIR (default build/).
# Idempotent; installs what the build needs first (scripts/setup.sh build).
#
# It never hides an error: when meson cannot configure, its own message is
# printed; when a compiler or linker fails, ninja prints the command and the
# compiler's message. Either way the exit status is non-zero. Progress: on a
# terminal ninja's one status line, in a log (CI) one line per step.
#
# Usage: scripts/build.sh [BUILD_DIR [MESON_OPTION...]]
#   MESON_OPTION     e.g. -Dtests=enabled (scripts/test.sh); applied to an
#                    existing configuration too
#   MPLP_BUILD_JOBS  parallel compile jobs (default: ninja's, cores + 2)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build
dir="${1:-build}"
shift || true
options=("$@")

if [ ! -f "$dir/build.ninja" ]; then
  echo "build: configuring $dir (meson setup)"
  log="$(mktemp "${TMPDIR:-/tmp}/mplp-meson-setup.XXXXXX")"
  # A configuration that failed half-way is redone, not reused.
  reconfigure=()
  if [ -f "$dir/meson-private/coredata.dat" ]; then reconfigure=(--wipe); fi
  if ! meson setup "${reconfigure[@]}" "$dir" --buildtype=debugoptimized "${options[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "build: meson could not configure $dir (its messages are above; the full log is $dir/meson-logs/meson-log.txt)" >&2
    exit 1
  fi
  rm -f "$log"
elif [ ${#options[@]} -gt 0 ]; then
  # ninja reconfigures with them below (and shows meson's message if that fails).
  meson configure "$dir" "${options[@]}"
fi

echo "build: compiling in $dir"
jobs=()
if [ -n "${MPLP_BUILD_JOBS:-}" ]; then jobs=(-j "$MPLP_BUILD_JOBS"); fi
if ! ninja -C "$dir" "${jobs[@]}"; then
  echo "build: the build failed (the failing command and the compiler's message are above)" >&2
  exit 1
fi
