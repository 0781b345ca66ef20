#!/usr/bin/env bash
# Installs every Debian package mplp-gate needs to build, test and run its
# container runners. Idempotent: does nothing when all are present.
# Usage: scripts/setup.sh   (as root, or with sudo available)
set -euo pipefail
trap 'bash "$(dirname "${BASH_SOURCE[0]}")/setup-podman.sh"' EXIT  # podman for the container runners, also on the early exit below

packages=(
  # build
  g++ meson ninja-build pkg-config python3
  libvalijson-dev rapidjson-dev libyaml-cpp-dev libssl-dev libre2-dev libgtest-dev libgmock-dev
  # tests and reports (openssl and securesystemslib verify signed provenance
  # independently of mplp-gate; pyca/cryptography is securesystemslib's ECDSA
  # backend, only "recommended" by the package)
  libxml2-utils scdoc coreutils openssl python3-securesystemslib python3-cryptography
  # test only: the HTML report is opened in headless Chromium
  # (scripts/test-stages/35-html.sh, driven by playwright-core from npm)
  chromium
  # sanitizers and fuzzing
  clang libclang-rt-14-dev
  # container runners (issue 3)
  podman runc mmdebstrap uidmap
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm (for the SARIF multitool and the local Node runner): some machines ship
# Node.js with its own npm, which conflicts with Debian's npm package.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
