#!/usr/bin/env bash
# The three measurements of issue 13, each printed next to its baseline from
# the same run (warm caches: one untimed pass of each side first).
#
# usage: bench/scale.sh [small|large|json|rss|all]
#   small  3,000 packs (good-real plus one 40 KiB file each, about 11 files
#          and 72 KiB a pack): `mplp-gate check` against one `sha256sum -c`
#          over every listed file of every pack, and against the floor:
#          bench/read_floor.cpp reading and hashing the same files with no
#          check at all (built here with the system's c++).
#   large  one pack holding a 1.5 GB file: `mplp-gate check` against
#          `openssl dgst -sha256` of that file, wall time and peak RSS.
#   json   the same with a minified JSON file of JSON_BYTES (default 500 MB),
#          one object in 10,000 holding an escaped URL: PACK-STRUCTURE-01's
#          check and HOST-ALLOW-01's string scan read it again, through
#          fixed buffers.
#   rss    peak RSS of `mplp-gate check` over 3,000 and 30,000 packs
#          (good-real copies, no extra files).
# Environment: MPLP_GATE_BIN (default: build-bench/src/cli/mplp-gate, built
# here), BENCH_TMP (where corpora are generated, default /tmp; removed on
# exit), REPEATS (best of, default 3), LARGE_BYTES (default 1500000000),
# RSS_PACKS (the pack counts of rss, default "3000 30000"),
# MPLP_GATE_BEFORE (another mplp-gate, e.g. the main branch's: its rows are
# printed too, from the same run, on the same corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
repeats=${REPEATS:-3}
if [ -z "${MPLP_GATE_BIN:-}" ]; then
  bash scripts/build.sh build-bench >/dev/null
  MPLP_GATE_BIN=build-bench/src/cli/mplp-gate
fi
bin=$(realpath "$MPLP_GATE_BIN")
before=${MPLP_GATE_BEFORE:+$(realpath "$MPLP_GATE_BEFORE")}
work=$(mktemp -d "${BENCH_TMP:-/tmp}/mplp-scale-XXXXXX")
trap 'rm -rf "$work"' EXIT

# timed_once LABEL CMD...: one run of CMD, kept as best[LABEL] (fastest wall
# time) and peak[LABEL] (largest peak RSS). Rows measured in turn, a round
# at a time, meet a slow spell of a shared machine alike.
declare -A best=() peak=()
timed_once() {
  local label=$1 line t m
  shift
  line=$(/usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -n 1)
  t=${line% *}; m=${line#* }
  if [ -z "${best[$label]:-}" ] || awk -v t="$t" -v b="${best[$label]}" 'BEGIN { exit !(t < b) }'; then best[$label]=$t; fi
  if [ -z "${peak[$label]:-}" ] || [ "$m" -gt "${peak[$label]}" ]; then peak[$label]=$m; fi
}
# measure CMD...: runs it $repeats times; prints "<best wall s> <max peak RSS KiB>".
measure() {
  unset 'best[measure]' 'peak[measure]'
  for _ in $(seq "$repeats"); do timed_once measure "$@"; done
  echo "${best[measure]} ${peak[measure]}"
}
# corpus DIR N FILES BYTES: generates the corpus, then waits until it is on
# disk, so that the kernel does not write its fresh pages back during the
# timed runs.
corpus() {
  python3 bench/make_corpus.py "$@"
  sync
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
row() {  # label, "wall rss", baseline wall
  local t=${2% *} r=${2#* }
  printf '  %-46s %7.2fs %9s MiB' "$1" "$t" "$(mib "$r")"
  if [ -n "${3:-}" ]; then awk -v t="$t" -v b="$3" 'BEGIN { printf "   %.2fx the baseline\n", t / b }'; else echo; fi
}
# check_ok PATH...: the corpus must pass, or the timing means nothing.
check_ok() {
  if ! "$bin" check "$@" >"$work/out.txt" 2>&1; then
    echo "scale: mplp-gate check failed on the generated corpus:" >&2
    tail -n 20 "$work/out.txt" >&2
    exit 1
  fi
}

small() {
  local n=3000 dir="$work/small"
  corpus "$dir" "$n" 1 40960
  # One list of every file sha256sum -c reads: the same files mplp-gate hashes.
  (cd "$dir" && for p in pack-*; do sed "s#  #  $dir/$p/#" "$p/integrity/sha256sums.txt"; done) >"$work/all.sums"
  local files bytes; files=$(find "$dir" -type f | wc -l); bytes=$(du -sb "$dir" | cut -f1)
  echo "(a) $n packs, $files files, $(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }') MB ($(nproc) cores)"
  check_ok "$dir"; sha256sum --quiet -c "$work/all.sums"
  # The floor: reading and hashing the same files with no check at all, on
  # as many threads as mplp-gate uses (bench/read_floor.cpp).
  c++ -O2 -std=c++20 bench/read_floor.cpp -o "$work/read-floor" -lcrypto -pthread
  "$work/read-floor" "$dir" >/dev/null
  for _ in $(seq "$repeats"); do
    timed_once base sha256sum --quiet -c "$work/all.sums"
    timed_once floor "$work/read-floor" "$dir"
    if [ -n "$before" ]; then
      timed_once before1 "$before" check --jobs 1 "$dir"
      timed_once before "$before" check "$dir"
    fi
    timed_once now1 "$bin" check --jobs 1 "$dir"
    timed_once now "$bin" check "$dir"
  done
  local base=${best[base]}
  row "sha256sum -c (baseline)" "$base ${peak[base]}"
  row "floor: open, read and hash only ($(nproc) threads)" "${best[floor]} ${peak[floor]}" "$base"
  if [ -n "$before" ]; then
    row "before: mplp-gate check --jobs 1" "${best[before1]} ${peak[before1]}" "$base"
    row "before: mplp-gate check" "${best[before]} ${peak[before]}" "$base"
  fi
  row "mplp-gate check --jobs 1" "${best[now1]} ${peak[now1]}" "$base"
  row "mplp-gate check" "${best[now]} ${peak[now]}" "$base"
  rm -rf "$dir"
}

# large [json]: target (b), or the same with a JSON file.
large() {
  local kind=${1:-bin} bytes dir="$work/large"
  if [ "$kind" = json ]; then bytes=${JSON_BYTES:-500000000}; else bytes=${LARGE_BYTES:-1500000000}; fi
  if [ "$kind" = json ]; then corpus "$dir" 1 1 "$bytes" json; else corpus "$dir" 1 1 "$bytes"; fi
  local f="$dir/pack-00000/artifacts/blob-0000.$kind"
  echo "(b) one pack holding a $(du -b "$f" | awk '{ printf "%.2f", $1 / 1e9 }') GB $kind file"
  check_ok "$dir"; openssl dgst -sha256 "$f" >/dev/null
  local base; base=$(measure openssl dgst -sha256 "$f")
  row "openssl dgst -sha256 (baseline)" "$base"
  row "sha256sum" "$(measure sha256sum "$f")" "${base% *}"
  [ -n "$before" ] && row "before: mplp-gate check" "$(measure "$before" check "$dir")" "${base% *}"
  row "mplp-gate check" "$(measure "$bin" check "$dir")" "${base% *}"
  rm -rf "$dir"
}

rss() {
  local n
  for n in ${RSS_PACKS:-3000 30000}; do
    local dir="$work/rss-$n"
    corpus "$dir" "$n" 0 0
    check_ok "$dir"
    [ -n "$before" ] && row "(c) before: mplp-gate check, $n packs" "$(repeats=1 measure "$before" check "$dir")"
    row "(c) mplp-gate check, $n packs" "$(repeats=1 measure "$bin" check "$dir")"
    rm -rf "$dir"
  done
}

case "$what" in
  small) small ;;
  large) large ;;
  json) large json ;;
  rss) rss ;;
  all) small; large; large json; rss ;;
  *) echo "usage: bench/scale.sh [small|large|json|rss|all]" >&2; exit 2 ;;
esac
