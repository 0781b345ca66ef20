#!/usr/bin/env bash
# Stage: the executor suite (tests/runner: executor, sealing, kill-safety,
# RUNNER-SMOKE-01, engine choice) again, this time under docker.
#
# Starts a private dockerd from Debian's docker.io: its own pidfile, data
# root, exec root and unix socket in a temporary directory, an empty config
# (so /etc/docker/daemon.json does not apply), no iptables rules and no
# bridge (containers run with --network none anyway). It waits until the
# daemon answers, prints the daemon's start lines, runs the suite with
# MPLP_TEST_ENGINE=docker and DOCKER_HOST on that socket, and stops the
# daemon on exit whatever happens (TERM, then KILL after 30 s; leftover mounts
# are unmounted and the directory removed). The local runners' Debian base is
# built into this daemon's store by runners/_base/debian-12/build.sh, as the
# executor does for podman.
#
# Usage: scripts/test-stages/20-docker-engine.sh RESULTS_DIR [BUILD_DIR]
#   (gtest XML: RESULTS_DIR/runner-docker.xml; the daemon check:
#    RESULTS_DIR/docker-engine.xml)
# Without docker installed (or not as root) it says so and records a skip;
# under CI=true that is a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
results="$(realpath -m "${1:-build/test-results}")"
build="${2:-build}"
mkdir -p "$results"
xml="$results/docker-engine.xml"
rm -f "$xml" "$results/runner-docker.xml"
record() { python3 scripts/stage_case.py "$xml" DockerEngine "$@"; }

# A missing prerequisite is a skip here, a failure in CI.
unavailable() {
  if [ "${CI:-}" = true ]; then record DaemonStarted fail "$1"; exit 1; fi
  record DaemonStarted skip "$1"
  exit 0
}
dockerd="$(command -v dockerd || true)"
if [ -z "$dockerd" ] && [ -x /usr/sbin/dockerd ]; then dockerd=/usr/sbin/dockerd; fi
[ -n "$dockerd" ] || unavailable "dockerd is not installed (scripts/setup.sh test installs Debian's docker.io)"
command -v docker >/dev/null 2>&1 || unavailable "the docker client is not installed (docker.io)"
[ "$(id -u)" -eq 0 ] || unavailable "dockerd must run as root"

# /tmp, not $TMPDIR: the daemon's unix sockets live below this directory and
# a socket path may not exceed 107 bytes.
root="$(mktemp -d /tmp/mplp-dockerd.XXXXXX)"
sock="$root/docker.sock"
pid=""

stop_daemon() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "docker-engine: stopping dockerd (pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "docker-engine: dockerd did not stop within 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
  fi
  # The containerd dockerd started for itself normally exits with it.
  local cpid
  cpid="$(cat "$root/exec/containerd/containerd.pid" 2>/dev/null || true)"
  if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; then kill -KILL "$cpid" 2>/dev/null; fi
  # Mounts left below the directory (deepest first), then the directory.
  awk -v r="$root/" 'index($5, r) == 1 || $5 == substr(r, 1, length(r) - 1) { print $5 }' /proc/self/mountinfo |
    sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf --one-file-system "$root"
}
trap stop_daemon EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo '{}' >"$root/daemon.json"
echo "docker-engine: starting $dockerd with everything under $root"
"$dockerd" --config-file "$root/daemon.json" --pidfile "$root/dockerd.pid" \
  --data-root "$root/data" --exec-root "$root/exec" --host "unix://$sock" \
  --iptables=false --bridge=none >"$root/dockerd.log" 2>&1 &
pid=$!
export DOCKER_HOST="unix://$sock"

ready=""
for _ in $(seq 120); do
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  if version="$(docker version --format '{{.Server.Version}}' 2>/dev/null)" && [ -n "$version" ]; then
    ready=1
    break
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "docker-engine: dockerd did not become ready within 60 s; the end of its log:" >&2
  tail -n 40 "$root/dockerd.log" >&2
  record DaemonStarted fail "dockerd did not become ready (log above)"
  exit 1
fi
echo "docker-engine: dockerd $version is up (pid $pid); its start lines:"
grep -E 'msg="(Starting up|Docker daemon|Daemon has completed initialization|API listen on)' "$root/dockerd.log"
record DaemonStarted pass "dockerd $version, pid $pid, socket $sock"

# The suite, exactly as meson runs it (its env), on this daemon. Temporary
# files go below the daemon's directory too, so that what a test's SIGKILL
# leaves behind (a workspace overlay of a killed run) goes with it.
echo "docker-engine: tests/runner under docker"
status=0
rm -f "$build/test-xml/runner.xml"
mkdir -p "$root/tmp"
TMPDIR="$root/tmp" MPLP_TEST_ENGINE=docker meson test -C "$build" --no-rebuild --print-errorlogs --verbose runner || status=1
if [ -f "$build/test-xml/runner.xml" ]; then
  cp "$build/test-xml/runner.xml" "$results/runner-docker.xml"
else
  echo "docker-engine: the runner suite wrote no gtest XML" >&2
  status=1
fi
if [ $status -ne 0 ]; then
  echo "docker-engine: the end of dockerd's log:"
  tail -n 30 "$root/dockerd.log"
fi
exit $status
