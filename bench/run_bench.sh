#!/usr/bin/env bash
# Times `mplp-gate run --cmd true` against a bare `ENGINE run --rm --network
# none IMAGE true` of the same image, in the same run, under podman and
# docker (each that is usable). Both start one container of an image that is
# already built; mplp-gate also resolves and verifies the image id, reuses
# its cached fingerprint, stages, mounts the repository, hardens the
# container and seals the pack. Target of issue 16: within 1.25x of the bare
# run. The two are timed alternately (bare, mplp-gate, bare, ...), so that a
# change of the machine's load falls on both; best and median are printed.
#
# Docker: when the client and dockerd are installed, we are root and no
# daemon answers, a private dockerd is started for the bench (its own data
# root, exec root, pidfile and socket under /tmp, no iptables, no bridge),
# the local Debian base is copied into it from podman (`podman save | docker
# load`), and it is stopped again on exit.
#
# usage: bench/run_bench.sh [REPEATS]   (default 10)
#   MPLP_GATE_BIN   the binary (default build/src/cli/mplp-gate, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-10}
bin=${MPLP_GATE_BIN:-build/src/cli/mplp-gate}
[ -x "$bin" ] || bash scripts/build.sh build >/dev/null
bin=$(realpath "$bin")
work=$(mktemp -d /tmp/mplp-bench-run-XXXXXX)
dockerd_pid=""
cleanup() {
  if [ -n "$dockerd_pid" ]; then
    kill -TERM "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
    awk -v r="$work/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
  fi
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A private dockerd when docker is installed but no daemon answers.
start_private_dockerd() {
  local dockerd
  dockerd=$(command -v dockerd || echo /usr/sbin/dockerd)
  command -v docker >/dev/null 2>&1 && [ -x "$dockerd" ] && [ "$(id -u)" -eq 0 ] || return 0
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && return 0
  echo '{}' >"$work/daemon.json"
  "$dockerd" --config-file "$work/daemon.json" --pidfile "$work/dockerd.pid" --data-root "$work/docker" \
    --exec-root "$work/exec" --host "unix://$work/docker.sock" --iptables=false --bridge=none \
    >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  export DOCKER_HOST="unix://$work/docker.sock"
  for _ in $(seq 120); do
    docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.5
  done
  # The runners' base image, as podman has it (label included).
  if command -v podman >/dev/null 2>&1; then
    base=$(sed -n "s/^  image: //p" runners/node-20-local/runner.yaml)
    podman save "$base" 2>/dev/null | docker load >/dev/null 2>&1 || true
  fi
}

now() { date +%s.%N; }
stats() {  # best and median of the numbers on stdin
  sort -n | awk '{ a[NR] = $1 } END { printf "best %.3fs median %.3fs", a[1], (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}

for engine in ${BENCH_ENGINES:-podman docker}; do
  [ "$engine" = docker ] && start_private_dockerd
  # First run: builds (or reuses) the image and measures the fingerprint once.
  if ! "$bin" run --engine "$engine" --runner node-20-local --cmd true --out-dir "$work/first-$engine" \
      >"$work/log" 2>&1; then
    echo "$engine: not usable here, skipped ($(tail -n 1 "$work/log"))"
    continue
  fi
  image=$(sed -n 's/.*image \(sha256:[0-9a-f]*\).*/\1/p' "$work/log" | tail -n 1)
  : >"$work/bare" && : >"$work/gate"
  for n in $(seq "$repeats"); do
    s=$(now); "$engine" run --rm --network none "$image" true >/dev/null 2>&1; e=$(now)
    awk -v s="$s" -v e="$e" 'BEGIN { printf "%.6f\n", e - s }' >>"$work/bare"
    s=$(now)
    "$bin" run --engine "$engine" --runner node-20-local --cmd true --out-dir "$work/p-$engine-$n" >/dev/null 2>&1
    e=$(now)
    awk -v s="$s" -v e="$e" 'BEGIN { printf "%.6f\n", e - s }' >>"$work/gate"
  done
  b=$(sort -n "$work/bare" | head -n 1) g=$(sort -n "$work/gate" | head -n 1)
  mb=$(sort -n "$work/bare" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  mg=$(sort -n "$work/gate" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  printf '%-7s bare run: %s   mplp-gate run: %s   ratio of bests %sx, of medians %sx\n' "$engine" \
    "$(stats <"$work/bare")" "$(stats <"$work/gate")" \
    "$(awk -v g="$g" -v b="$b" 'BEGIN { printf "%.2f", g / b }')" \
    "$(awk -v g="$mg" -v b="$mb" 'BEGIN { printf "%.2f", g / b }')"
done
