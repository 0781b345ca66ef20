#!/usr/bin/env bash
# Stage: every libFuzzer target (fuzz/) for a bounded time from a copy of its
# seed corpus, after replaying the inputs that once broke it
# (fuzz/regressions/<target>/). Any crash, leak, timeout, out-of-memory or
# sanitizer report fails the stage; the log then holds the report, the
# reproducer's path and its hex dump.
# Usage: scripts/test-stages/50-fuzz.sh [RESULTS_DIR]
#   FUZZ_SECONDS   time per target (default 50)
#   FUZZ_PARALLEL  targets run at once (default 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${MPLP_ASAN_BUILD:-build-asan}"
seconds="${FUZZ_SECONDS:-50}"
parallel="${FUZZ_PARALLEL:-2}"

# Reuses the build of 40-sanitizers.sh when it ran; else configures it.
echo "fuzz: building the targets in $build"
bash fuzz/build.sh "$build" fuzz

work="$(mktemp -d "${TMPDIR:-/tmp}/mplp-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# Targets that need files (fuzz_pack, fuzz_runner_yaml) make their temp
# directories here, so even a crashed run leaves nothing behind.
mkdir -p "$work/tmp"
export TMPDIR="$work/tmp"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

dict_for() {
  case "$1" in
    json|schema_manifest|dsse) echo fuzz/dict/json.dict ;;
    policy|registry|yaml_json|runner_yaml) echo fuzz/dict/yaml.dict ;;
    sums) echo fuzz/dict/sums.dict ;;
    urls|host_windows) echo fuzz/dict/url.dict ;;
    pack) echo fuzz/dict/pack.dict ;;
    dockerfile) echo fuzz/dict/dockerfile.dict ;;
  esac
}

# Prints the reproducers a failed run left (path, size, hex dump).
show_reproducers() {
  local name="$1" f
  for f in "$work/$name"-crash-* "$work/$name"-leak-* "$work/$name"-timeout-* "$work/$name"-oom-* \
           "$work/$name"-slow-unit-*; do
    [ -e "$f" ] || continue
    echo "fuzz: reproducer $(basename "$f") ($(stat -c %s "$f") bytes); commit it as fuzz/regressions/$name/<name>:"
    od -A x -t x1z -v "$f" | head -n 200
    echo "fuzz: base64: $(base64 -w0 "$f" | head -c 8000)"
  done
}

run_target() {
  set +e
  local name="$1" bin="$build/fuzz/fuzz_$1" status=0 rc dict
  local args=()
  dict="$(dict_for "$name")"
  if [ -n "$dict" ]; then args+=("-dict=$dict"); fi
  # The inputs that once broke this target, each run once.
  if compgen -G "fuzz/regressions/$name/*" >/dev/null; then
    echo "fuzz: $name: replaying $(ls "fuzz/regressions/$name" | wc -l) regression input(s)"
    "$bin" "${args[@]}" fuzz/regressions/"$name"/* >"$work/$name.replay.log" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
      tail -n 120 "$work/$name.replay.log"
      echo "fuzz: $name: a regression input fails again (exit $rc)"
      status=1
    fi
  fi
  mkdir -p "$work/corpus-$name"
  if [ -d "fuzz/corpus/$name" ]; then cp -r "fuzz/corpus/$name/." "$work/corpus-$name/"; fi
  echo "fuzz: $name: ${seconds}s from $(ls "$work/corpus-$name" | wc -l) seed(s)"
  "$bin" "${args[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$name-" "$work/corpus-$name" >"$work/$name.log" 2>&1
  rc=$?
  if [ $rc -ne 0 ]; then
    tail -n 120 "$work/$name.log"
    show_reproducers "$name"
    echo "fuzz: $name: fuzzing failed (exit $rc)"
    status=1
  else
    grep -aE '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/$name.log"
    echo "fuzz: $name: fuzzing found nothing"
  fi
  if [ $status -eq 0 ]; then echo "fuzz: $name: ok"; else echo "fuzz: $name: FAILED"; fi
  echo $status >"$work/$name.rc"
}

targets=()
for bin in "$build"/fuzz/fuzz_*; do
  [ -f "$bin" ] && [ -x "$bin" ] || continue
  targets+=("$(basename "$bin" | sed 's/^fuzz_//')")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets were built in $build" >&2
  exit 1
fi

# A few targets at once, each writing its own log, printed whole when done
# (so the logs of parallel runs do not interleave).
for name in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  run_target "$name" >"$work/$name.out" 2>&1 &
done
wait
status=0
for name in "${targets[@]}"; do
  echo "== fuzz target $name"
  cat "$work/$name.out"
  [ "$(cat "$work/$name.rc" 2>/dev/null)" = 0 ] || status=1
done
if [ $status -eq 0 ]; then echo "fuzz: all ${#targets[@]} targets clean"; else echo "fuzz: FAILED (see above)"; fi
exit $status
