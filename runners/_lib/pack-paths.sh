#!/usr/bin/env bash
# The runner contract's path helper (runners/_lib/pack-paths.sh), to be sourced:
#
#   source runners/_lib/pack-paths.sh
#   PACK_ROOT=$(get_pack_root INDEXABLE_REAL mcp run-001)   # data/runs/v2/real/mcp/run-001
#
# get_pack_root <indexability> <substrate_id> <run_id> prints
# data/runs/v2/<real|synthetic|non-indexable>/<substrate_id>/<run_id>; an
# unknown indexability, or an id that is empty or would leave that directory
# ('/', '.', '..'), is an error on stderr with status 1. GATE-V2-PACK-STRUCTURE-01
# warns when a pack under data/runs/v2/ is not where this function puts it.
# Sourcing this file changes no shell option of the caller.

get_pack_root() {
  if [ "$#" -ne 3 ]; then
    echo "usage: get_pack_root <INDEXABLE_REAL|INDEXABLE_SYNTHETIC|NON_INDEXABLE> <substrate_id> <run_id>" >&2
    return 1
  fi
  local category
  case "$1" in
    INDEXABLE_REAL) category=real ;;
    INDEXABLE_SYNTHETIC) category=synthetic ;;
    NON_INDEXABLE) category=non-indexable ;;
    *)
      echo "Error: Unknown indexability: $1 (INDEXABLE_REAL, INDEXABLE_SYNTHETIC or NON_INDEXABLE)" >&2
      return 1
      ;;
  esac
  local part
  for part in "$2" "$3"; do
    case "$part" in
      "" | . | .. | */*)
        echo "Error: '$part' is not a directory name (substrate_id and run_id name one directory each)" >&2
        return 1
        ;;
    esac
  done
  printf 'data/runs/v2/%s/%s/%s\n' "$category" "$2" "$3"
}

export -f get_pack_root
