#!/usr/bin/env bash
# The runner contract's environment fingerprint, backed by mplp-gate's
# executor: builds (or reuses) the image of runners/<runner> and prints the
# fingerprint measured inside it, as `mplp-gate run` records it:
#
#   runners/_lib/env-fingerprint.sh --runner node-20-local
#   {"os": "linux", "arch": "x86_64", "runtime_type": "node", "runtime_version": "20.20.2"}
#
# Keys in the contract's order; arch named as the contract names it (x86_64,
# arm64). Exit 2 when the image cannot be built or the runtime does not answer.
#   MPLP_GATE     the mplp-gate binary (default: mplp-gate on PATH)
#   MPLP_ENGINE   podman, docker or auto (default auto)
set -euo pipefail

lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runner=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runner)
      if [[ $# -lt 2 ]]; then echo "env-fingerprint.sh: --runner needs a value" >&2; exit 2; fi
      runner="$2"
      shift 2
      ;;
    *)
      echo "Unknown option: $1" >&2
      exit 2
      ;;
  esac
done
if [[ -z "$runner" ]]; then
  echo "Usage: $0 --runner <runner-id>" >&2
  exit 2
fi
exec "${MPLP_GATE:-mplp-gate}" run --runners "$(dirname "$lib")" --engine "${MPLP_ENGINE:-auto}" \
  --runner "$runner" --print-fingerprint
