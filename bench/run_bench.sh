#!/usr/bin/env bash
# Times `mplp-gate run --cmd true` against a bare `ENGINE run --rm --network
# none IMAGE true` of the same image, in the same run, under podman and
# docker (each that is usable). Both start one container of an image that is
# already built; mplp-gate also reuses its cached fingerprint, stages,
# mounts the repository, hardens the container and seals the pack. Target of
# issue 16: within 1.25x of the bare run.
#
# usage: bench/run_bench.sh [REPEATS]   (default 10, best time of each)
#   MPLP_GATE_BIN   the binary (default build/src/cli/mplp-gate, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-10}
bin=${MPLP_GATE_BIN:-build/src/cli/mplp-gate}
[ -x "$bin" ] || bash scripts/build.sh build >/dev/null
work=$(mktemp -d /tmp/mplp-bench-run-XXXXXX)
trap 'rm -rf "$work"' EXIT

best() {  # best wall time of $repeats runs of "$@", in seconds
  local best_t="" s e t
  for _ in $(seq "$repeats"); do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.6f", e - s }')
    if [ -z "$best_t" ] || awk -v t="$t" -v b="$best_t" 'BEGIN { exit !(t < b) }'; then best_t=$t; fi
  done
  printf '%.3f' "$best_t"
}

for engine in podman docker; do
  # First run: builds (or reuses) the image and measures the fingerprint once.
  if ! "$bin" run --engine "$engine" --runner node-20-local --cmd true --out-dir "$work/first-$engine" \
      >"$work/log" 2>&1; then
    echo "$engine: not usable here, skipped ($(tail -n 1 "$work/log"))"
    continue
  fi
  image=$(sed -n 's/.*image \(sha256:[0-9a-f]*\).*/\1/p' "$work/log" | tail -n 1)
  n=0
  gate_run() { n=$((n + 1)); "$bin" run --engine "$engine" --runner node-20-local --cmd true --out-dir "$work/p-$n"; }
  t_bare=$(best "$engine" run --rm --network none "$image" true)
  t_gate=$(best gate_run)
  ratio=$(awk -v g="$t_gate" -v b="$t_bare" 'BEGIN { printf "%.2f", g / b }')
  printf '%-8s bare %s run --rm --network none IMAGE true: %ss   mplp-gate run --cmd true: %ss   ratio %sx\n' \
    "$engine" "$engine" "$t_bare" "$t_gate" "$ratio"
done
