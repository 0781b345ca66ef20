#!/usr/bin/env bash
# Installs the Debian 12 packages mplp-gate needs. Idempotent: installs only
# what is missing, and says what it installs (apt's own output is shown, so a
# failure says why).
#
# Usage: scripts/setup.sh [build|test]   (as root, or with sudo available)
#   build (default)  what building and running mplp-gate needs: the compiler,
#                    meson, the libraries, scdoc for the man page
#                    (scripts/build.sh and scripts/demo.sh)
#   test             that, plus what the test suite uses (scripts/test.sh):
#                    GoogleTest and xmllint; clang for the sanitizers and
#                    fuzzers; podman, runc, mmdebstrap and Debian's docker.io
#                    for the container runners (both engines); node and npm
#                    for the SARIF consumers and the local Node runner; the
#                    Debian packaging tools and lintian for the package stage.
#                    Then configures podman (scripts/setup-podman.sh).
# No package installed here starts a service: the test suite starts its own
# docker daemon and stops it again.
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-build}"
build_packages=(
  g++ meson ninja-build pkg-config python3
  libvalijson-dev rapidjson-dev libyaml-cpp-dev libssl-dev libre2-dev
  scdoc
)
test_packages=(
  # GoogleTest suites and report checks
  libgtest-dev libgmock-dev libxml2-utils coreutils ca-certificates
  # signed provenance verified independently of mplp-gate (pyca/cryptography
  # is securesystemslib's ECDSA backend, only "recommended" by the package)
  openssl python3-securesystemslib python3-cryptography
  # the HTML report is opened in headless Chromium
  # (scripts/test-stages/35-html.sh, driven by playwright-core from npm)
  chromium
  # sanitizers and fuzzing
  clang libclang-rt-14-dev
  # container runners, under podman and under docker
  podman runc mmdebstrap uidmap docker.io
  # the Debian package stage
  build-essential dpkg-dev debhelper lintian
)
case "$what" in
  build) packages=("${build_packages[@]}") ;;
  test) packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: scripts/setup.sh [build|test]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm (for the SARIF multitool and the local Node runner): some machines ship
# Node.js with its own npm, which conflicts with Debian's npm package.
if [ "$what" = test ] && ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  # Without systemd, a package's postinst would start its daemon (docker.io's
  # dockerd) through invoke-rc.d; a policy-rc.d answering 101 forbids it.
  # Only ours is removed afterwards.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# mplp-gate scripts/setup.sh: no service starts during its installs\nexit 101\n' |
      $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ "$what" = test ]; then
  bash scripts/setup-podman.sh  # podman for the container runners
fi
