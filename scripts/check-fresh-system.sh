#!/usr/bin/env bash
# Tries the README's first command as a new user on a bare Debian 12 system:
# a minbase root filesystem made by mmdebstrap from this machine's apt
# sources, run as a podman container (with network, for apt), the
# repository's files copied in without .git (and git is not installed).
#
#   1. `bash scripts/demo.sh` exits 0 and prints the check of the bundled
#      pack (it installs what it needs with apt, builds, then checks).
#   2. A deliberately broken build step shows its own message and fails:
#      a C++ syntax error (the compiler's "error:" naming the file), then a
#      broken meson.build (meson's "ERROR:").
#
# Slow (a fresh package install and a full build, 10-20 minutes on two
# cores), so it is not part of scripts/test.sh; run it on demand, as root:
#   bash scripts/check-fresh-system.sh
# Prints one PASS/FAIL line per check and exits non-zero when one failed.
# The image and container it makes (localhost/mplp-fresh-check:bookworm,
# mplp-fresh-check-PID) are removed at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
image="localhost/mplp-fresh-check:bookworm"
container="mplp-fresh-check-$$"
work="$(mktemp -d "${TMPDIR:-/tmp}/mplp-fresh-check.XXXXXX")"
status=0
pass() { echo "PASS $1${2:+: $2}"; }
fail() { echo "FAIL $1${2:+: $2}"; status=1; }
cleanup() {
  podman rm -f -t 0 "$container" >/dev/null 2>&1
  podman rmi -f "$image" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for tool in podman mmdebstrap; do
  command -v "$tool" >/dev/null 2>&1 || { echo "check-fresh-system: $tool is missing (scripts/setup.sh test)" >&2; exit 2; }
done

# A bare system: minbase only, from this machine's apt sources.
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  if [ -f "$f" ] && grep -q '[^[:space:]]' "$f"; then sources+=("$f"); fi
done
echo "check-fresh-system: mmdebstrap --variant=minbase bookworm"
if ! mmdebstrap --quiet --variant=minbase --format=tar \
       --customize-hook='rm -f "$1/etc/hostname"' bookworm "$work/rootfs.tar" "${sources[@]}"; then
  echo "check-fresh-system: mmdebstrap failed" >&2
  exit 2
fi
podman import --quiet --change 'CMD ["/bin/bash"]' "$work/rootfs.tar" "$image" >/dev/null || exit 2
rm -f "$work/rootfs.tar"
podman run -d --name "$container" "$image" sleep infinity >/dev/null || exit 2
in_container() { podman exec -w /root/mplp-gate "$container" bash -c "$1"; }

# The repository as a download would give it: its files, no .git.
podman exec "$container" mkdir -p /root/mplp-gate
bash scripts/source-tar.sh | podman exec -i "$container" tar -C /root/mplp-gate -xf -
if in_container 'command -v git || command -v g++ || command -v meson'; then
  fail BareSystem "the image already has git or build tools"
else
  pass BareSystem "minbase, no git, no compiler"
fi

# 1. The README's first command.
echo "check-fresh-system: bash scripts/demo.sh (installs packages and builds; this takes a while)"
start=$SECONDS
in_container 'bash scripts/demo.sh' 2>&1 | tee "$work/demo.log"
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ] && grep -q '^fixtures/packs/good-real (INDEXABLE_REAL)' "$work/demo.log" &&
   grep -q '^RESULT: PASS' "$work/demo.log"; then
  pass DemoChecksTheBundledPack "exit 0 after $((SECONDS - start)) s"
else
  fail DemoChecksTheBundledPack "exit $rc, or the check of fixtures/packs/good-real is not in its output"
fi
if in_container './build/src/cli/mplp-gate --version' | grep -qx 'mplp-gate [0-9.]*'; then
  pass VersionWithoutGit "$(in_container './build/src/cli/mplp-gate --version')"
else
  fail VersionWithoutGit "$(in_container './build/src/cli/mplp-gate --version' 2>&1)"
fi

# 2. Broken build steps say what broke. broken NAME BREAK BUILD PATTERN:
#    BREAK changes the tree (and is undone after), BUILD must fail with a line
#    matching PATTERN in its output.
broken() {
  in_container "rm -rf /tmp/saved && mkdir /tmp/saved && cp -a src meson.build /tmp/saved/ && $2"
  in_container "$3" >"$work/broken.log" 2>&1
  local rc=$?
  tail -n 12 "$work/broken.log"
  if [ $rc -ne 0 ] && grep -q "$4" "$work/broken.log"; then
    pass "$1" "exit $rc"
  else
    fail "$1" "exit $rc, and no line matching '$4' in the output"
  fi
  in_container 'rm -rf src && cp -a /tmp/saved/src /tmp/saved/meson.build .'
}
broken BrokenSourceShowsTheCompilerMessage 'echo "this is not C++ at all;" >> src/core/values.cpp' \
  'bash scripts/build.sh' 'src/core/values.cpp:[0-9]*:[0-9]*: error:'
broken BrokenMesonBuildShowsMesonsMessage 'echo "no_such_function()" >> meson.build' \
  'rm -rf build-fresh && bash scripts/build.sh build-fresh' 'meson.build:[0-9]*:[0-9]*: ERROR:'

exit $status
