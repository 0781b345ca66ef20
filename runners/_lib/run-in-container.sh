#!/usr/bin/env bash
# The runner contract's execution wrapper, backed by `mplp-gate run`:
#
#   runners/_lib/run-in-container.sh --runner node-20 --cmd "npm run produce" --out-dir DIR
#
# Builds (or reuses) the image of runners/<runner>, runs CMD through `sh -c`
# in it with the repository (the directory holding runners/) at /workspace
# and DIR at /workspace/out, and seals DIR: reports/runner.meta.json
# (runner_id, container_digest, environment_fingerprint, workdir,
# executed_at), the manifest's env_ref and hashes, integrity/sha256sums.txt.
# DIR is created when missing and replaced atomically; on failure it is left
# as it was. The exit status is 1 when CMD failed (its status is in the
# message), 2 when the run could not happen. The network is off while CMD runs.
#
#   --workdir W   accepted for the contract's sake; only /workspace exists
#   MPLP_GATE     the mplp-gate binary (default: mplp-gate on PATH)
#   MPLP_ENGINE   podman, docker or auto (default auto)
set -euo pipefail

lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runners="$(dirname "$lib")"
runner="" cmd="" out_dir="" workdir=/workspace

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runner | --cmd | --out-dir | --workdir)
      if [[ $# -lt 2 ]]; then echo "run-in-container.sh: $1 needs a value" >&2; exit 2; fi
      case "$1" in
        --runner) runner="$2" ;;
        --cmd) cmd="$2" ;;
        --out-dir) out_dir="$2" ;;
        --workdir) workdir="$2" ;;
      esac
      shift 2
      ;;
    *)
      echo "Unknown option: $1" >&2
      exit 2
      ;;
  esac
done
if [[ -z "$runner" || -z "$cmd" || -z "$out_dir" ]]; then
  echo "Usage: $0 --runner <runner-id> --cmd <command> --out-dir <path>" >&2
  exit 2
fi
if [[ "$workdir" != /workspace && "$workdir" != /workspace/ ]]; then
  echo "run-in-container.sh: --workdir $workdir: mplp-gate mounts the repository at /workspace only" >&2
  exit 2
fi
mkdir -p -- "$out_dir"
exec "${MPLP_GATE:-mplp-gate}" run --runners "$runners" --engine "${MPLP_ENGINE:-auto}" \
  --runner "$runner" --cmd "$cmd" --out-dir "$out_dir"
