#!/usr/bin/env bash
# Writes to stdout a tar of the repository as a download would hold it: in a
# git checkout the tracked and the untracked-but-not-ignored files as they
# are in the working tree; otherwise every file but .git and build
# directories. Never .git itself. Used to build the Debian package from a
# clean copy (scripts/test-stages/60-deb.sh) and to copy the repository into
# a bare container (scripts/check-fresh-system.sh).
# Usage: scripts/source-tar.sh > sources.tar
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -e .git ] && command -v git >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do
      if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi  # not files deleted but not yet committed
    done |
    tar --null -T - -cf -
else
  tar --exclude=./.git --exclude='./build*' --exclude='./obj-*' -cf - .
fi
