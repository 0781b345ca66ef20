#!/usr/bin/env bash
# Configures podman for the container runners on machines like CI's: no
# CAP_SYS_RESOURCE (the engine's default nofile of 1048576 fails with
# "setrlimit RLIMIT_NOFILE: Operation not permitted"; nproc above 32768 is
# refused too) and a hybrid cgroup layout that crun 1.8 refuses (runc works).
# Writes one drop-in file; idempotent (rewritten only when its content
# changes). mplp-gate itself also passes safe explicit ulimits, so this file
# is what makes a plain `podman run` work here too.
# Usage: scripts/setup-podman.sh   (as root, or with sudo available; called by `setup.sh test`)
set -euo pipefail

if ! command -v podman >/dev/null 2>&1; then
  echo "setup-podman: podman is not installed (scripts/setup.sh test installs it)" >&2
  exit 0
fi
nofile=$(ulimit -Hn)
if [ "$nofile" = unlimited ] || [ "$nofile" -gt 1048576 ]; then nofile=1048576; fi
nproc=$(ulimit -Hu)
if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi

runtime_line=""
if command -v runc >/dev/null 2>&1; then runtime_line='runtime = "runc"'; fi
conf="# Written by mplp-gate's scripts/setup-podman.sh (safe to delete).
[containers]
default_ulimits = [\"nofile=${nofile}:${nofile}\", \"nproc=${nproc}:${nproc}\"]

[engine]
${runtime_line}
"
dir=/etc/containers/containers.conf.d
file=$dir/50-mplp-gate.conf
if [ -f "$file" ] && [ "$(cat "$file")" = "$(printf '%s' "$conf")" ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO mkdir -p "$dir"
printf '%s' "$conf" | $SUDO tee "$file.tmp" >/dev/null
$SUDO mv "$file.tmp" "$file"
echo "setup-podman: wrote $file (runc, nofile=$nofile, nproc=$nproc)" >&2
