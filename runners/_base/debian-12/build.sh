#!/bin/sh
# Builds the Debian 12 base image of the local runners (node-20-local,
# python-3.11-local) on a machine that reaches no image registry: mmdebstrap
# makes a minbase root filesystem from THIS machine's configured apt sources,
# and the engine imports it as an image.
#
# Usage: build.sh IMAGE_REF
#   ENGINE             podman (default) or docker (a name or a path to the binary)
#   SOURCE_DATE_EPOCH  file times and image creation time (default below)
#   MPLP_BASE_LABEL    value of the org.mplp.definition label (the executor
#                      sets it to the hash of this definition, to decide reuse)
#
# Reproducible: the same script, apt sources and archive state give the same
# image id. mmdebstrap clamps file times to SOURCE_DATE_EPOCH and drops its
# logs; we drop the two host files it copies in (resolv.conf, hostname); and
# since `podman import` records the tarball's mtime as the image's creation
# time, the tarball is stamped with SOURCE_DATE_EPOCH before the import.
# `docker import` records the time of the import instead, so under docker the
# base's id changes with each build (its content and label do not).
set -eu

ref=${1:?usage: build.sh IMAGE_REF}
engine=${ENGINE:-podman}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200}
export SOURCE_DATE_EPOCH
label=${MPLP_BASE_LABEL:-manual}

# The machine's own apt sources, one-line and deb822 files alike.
set --
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  if [ -f "$f" ] && grep -q '[^[:space:]]' "$f"; then set -- "$@" "$f"; fi
done
if [ $# -eq 0 ]; then
  echo "build.sh: no apt sources configured in /etc/apt/sources.list(.d)" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mplp-debian-12.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# python3 (3.11) with pip, venv and poetry (the contract's python runner has
# its package tools; all from Debian, so the runner builds without network)
# serves python-3.11-local; libstdc++6 (already in minbase through
# apt) is all the Node binary of node-20-local needs.
# Fetching from the archive can fail for a moment (a mirror's hiccup): up
# to three attempts before giving up.
attempt=1
until mmdebstrap --quiet --variant=minbase --format=tar \
  --include=python3.11,python3,python3-pip,python3-venv,python3-poetry \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='rm -f "$1/etc/resolv.conf" "$1/etc/hostname"' \
  bookworm "$work/rootfs.tar" "$@"; do
  if [ "$attempt" -ge 3 ]; then
    echo "build.sh: mmdebstrap failed $attempt times" >&2
    exit 1
  fi
  echo "build.sh: mmdebstrap failed (attempt $attempt of 3); trying again in 10 s" >&2
  attempt=$((attempt + 1))
  rm -f "$work/rootfs.tar"
  sleep 10
done

touch -d "@$SOURCE_DATE_EPOCH" "$work/rootfs.tar"
# podman prints progress unless --quiet; docker has no such flag (and prints
# only the new id, which goes to /dev/null like podman's).
quiet=""
case "${engine##*/}" in
  podman*) quiet="--quiet" ;;
esac
"$engine" import $quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/sh"]' \
  --change "LABEL org.mplp.definition=$label" \
  "$work/rootfs.tar" "$ref" >/dev/null
"$engine" image inspect --format '{{.Id}}' "$ref"
