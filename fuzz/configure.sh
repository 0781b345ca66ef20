#!/usr/bin/env bash
# Configures (once) a clang build with AddressSanitizer + UBSan and libFuzzer
# coverage instrumentation in every translation unit. One such build serves
# both CI stages: the GoogleTest suite runs under the sanitizers
# (scripts/test-stages/40-sanitizers.sh) and the fuzz targets link against the
# same instrumented libraries (scripts/test-stages/50-fuzz.sh).
#
# -Dwerror=false: warnings are policed by the main g++ build; clang warns
# differently about code this build only exists to run. The fuzz targets
# themselves stay -Werror (fuzz/meson.build).
# Usage: fuzz/configure.sh BUILD_DIR [extra meson options...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:?usage: fuzz/configure.sh BUILD_DIR}"
shift
if [ -f "$dir/build.ninja" ]; then
  exit 0
fi
# -O1 -g: the usual sanitizer setting; compiles much faster than -O2 and
# keeps stack traces exact.
CC=clang CXX=clang++ meson setup "$dir" \
  --buildtype=debugoptimized \
  -Doptimization=1 \
  -Dfuzzing=true \
  -Dwerror=false \
  -Db_sanitize=address,undefined \
  -Db_lundef=false \
  -Dcpp_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined -fsanitize-ignorelist=$PWD/fuzz/ubsan-ignorelist.txt" \
  "$@" >/dev/null
