#!/usr/bin/env bash
# The runner contract's integrity step, backed by `mplp-gate seal`:
#
#   runners/_lib/write-sha256sums.sh PACK_ROOT
#
# Writes PACK_ROOT/integrity/sha256sums.txt over every regular file outside
# integrity/ (sorted, GNU format), after setting the manifest's env_ref from
# reports/runner.meta.json and its hashes (pack_root_hash,
# verify_report_hash) when the pack has a manifest. The pack is updated in one
# atomic step; a link, special, set-id or oversized file stops it (exit 2).
#   MPLP_GATE     the mplp-gate binary (default: mplp-gate on PATH)
set -euo pipefail

pack_root="${1:?Pack root directory required}"
if [[ $# -ne 1 ]]; then
  echo "Usage: $0 <pack-root-dir>" >&2
  exit 2
fi
if [[ ! -d "$pack_root" ]]; then
  echo "Error: Pack root not found: $pack_root" >&2
  exit 1
fi
"${MPLP_GATE:-mplp-gate}" seal "$pack_root"
echo "✓ SHA-256 checksums written to $pack_root/integrity/sha256sums.txt"
