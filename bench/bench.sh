#!/usr/bin/env bash
# Times `mplp-gate check` against `sha256sum -c` over the same generated packs.
#
# usage: bench/bench.sh [N_PACKS] [FILES_PER_PACK] [FILE_BYTES] [REPEATS]
#   defaults: 200 packs x 20 files x 256 KiB (about 1 GiB), best of 3.
#
# Both sides read every listed file and compute SHA-256; mplp-gate also runs
# every gate (schemas, host scan, provenance checks). Caches are warm for both
# (a first untimed pass of each), so the comparison is CPU, not disk.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}; files=${2:-20}; bytes=${3:-262144}; repeats=${4:-3}
bash scripts/build.sh build-bench >/dev/null
bin=build-bench/src/cli/mplp-gate
corpus=$(mktemp -d /tmp/mplp-bench-XXXXXX)
trap 'rm -rf "$corpus"' EXIT
python3 bench/make_corpus.py "$corpus/packs" "$n" "$files" "$bytes"
total=$(du -sb "$corpus/packs" | cut -f1)

sha_all() { for p in "$corpus"/packs/*/; do (cd "$p" && sha256sum --quiet -c integrity/sha256sums.txt); done; }
best() {  # best wall time of $repeats runs of "$@", in seconds
  local best_t=""
  for _ in $(seq "$repeats"); do
    local s e t
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.6f", e - s }')
    if [ -z "$best_t" ] || awk -v t="$t" -v b="$best_t" 'BEGIN { exit !(t < b) }'; then best_t=$t; fi
  done
  printf '%.3f' "$best_t"
}
"$bin" check "$corpus/packs" >/dev/null; sha_all  # warm caches; both must pass
t_sha=$(best sha_all)
t_gate1=$(best "$bin" check --jobs 1 "$corpus/packs")
t_gate=$(best "$bin" check "$corpus/packs")
mb=$(awk -v t="$total" 'BEGIN { printf "%.3f", t / 1048576 }')
rate() { awk -v m="$mb" -v t="$1" 'BEGIN { printf "%.0f", m / t }'; }
printf 'corpus: %d packs, %d extra files each of %d bytes, %.1f MiB in all (%s cores)\n' \
  "$n" "$files" "$bytes" "$mb" "$(nproc)"
printf '%-44s %8ss  %7s MiB/s\n' "sha256sum -c (coreutils, one process per pack)" "$t_sha" "$(rate "$t_sha")"
printf '%-44s %8ss  %7s MiB/s\n' "mplp-gate check --jobs 1 (all gates)" "$t_gate1" "$(rate "$t_gate1")"
printf '%-44s %8ss  %7s MiB/s\n' "mplp-gate check (all gates, all cores)" "$t_gate" "$(rate "$t_gate")"
