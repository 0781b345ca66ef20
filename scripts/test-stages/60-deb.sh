#!/usr/bin/env bash
# Stage: the Debian package, as an offline auditor gets it.
#
# 1. Builds it with `dpkg-buildpackage -us -uc -b` in a clean copy of the
#    sources (the tracked and unignored files; no build directory, no .git),
#    so nothing is written beside the repository (scripts/deb-build.sh). When
#    scripts/test.sh started that build in the background (it compiles while
#    the container suites wait), MPLP_DEB_BUILD_DIR names it and the stage
#    waits for it.
# 2. lintian: no error (warnings are printed).
# 3. Its contents: the binary, man page, bash completion, copyright, and the
#    default policy and schemas as documentation.
# 4. Installs it with `apt install ./mplp-gate_*.deb` (the README's command)
#    in a fresh Debian 12 minbase container (podman; the local runners' base
#    image, a minbase root filesystem from this machine's apt sources, built
#    by runners/_base/debian-12/build.sh when missing), after checking that
#    the container holds no build tools; apt fetches the dependencies.
# 5. Runs `mplp-gate check` there on the bundled good pack (exit 0) and on an
#    upstream pack that fails (exit 1).
# Each step is a test case in RESULTS_DIR/deb.xml and a PASS/FAIL line here;
# the stage exits non-zero when one fails.
#
# Usage: scripts/test-stages/60-deb.sh RESULTS_DIR
#   MPLP_DEB_BUILD_DIR=DIR  the package build already under way in DIR
#                           (scripts/deb-build.sh DIR); its .deb files stay there
#   MPLP_DEB_KEEP=DIR       also copy the built .deb files into DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
src="$PWD"
results="$(realpath -m "${1:-build/test-results}")"
mkdir -p "$results"
xml="$results/deb.xml"
rm -f "$xml"
status=0
record() {
  python3 scripts/stage_case.py "$xml" DebPackage "$@"
  if [ "$2" = fail ]; then status=1; fi
}

image="localhost/mplp-debian-12:bookworm-2"
work="$(mktemp -d "${TMPDIR:-/tmp}/mplp-deb.XXXXXX")"
container="mplp-deb-test-$$"
cleanup() {
  if command -v podman >/dev/null 2>&1; then podman rm -f -t 0 "$container" >/dev/null 2>&1; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. The package, from a clean copy of the sources.
if [ -n "${MPLP_DEB_BUILD_DIR:-}" ]; then
  pkg="$MPLP_DEB_BUILD_DIR"
  echo "deb: waiting for the package build scripts/test.sh started in $pkg"
  while [ ! -f "$pkg/status" ] && kill -0 "$(cat "$pkg/pid" 2>/dev/null || echo 0)" 2>/dev/null; do sleep 2; done
else
  pkg="$work/pkg"
  echo "deb: dpkg-buildpackage -us -uc -b in a clean copy of the sources"
  bash scripts/deb-build.sh "$pkg"
fi
version="$(dpkg-parsechangelog -l debian/changelog -S Version)"
deb="$pkg/mplp-gate_${version}_$(dpkg --print-architecture).deb"
if [ "$(cat "$pkg/status" 2>/dev/null)" = 0 ] && [ -f "$deb" ]; then
  record Builds pass "$(basename "$deb") in $(cat "$pkg/seconds") s"
  rm -rf "$pkg/src"  # the copy and its object files; the packages stay
else
  tail -n 60 "$pkg/build.log" 2>/dev/null
  record Builds fail "dpkg-buildpackage failed (status $(cat "$pkg/status" 2>/dev/null || echo none); the end of its log is above)"
  exit 1
fi
if [ -n "${MPLP_DEB_KEEP:-}" ]; then mkdir -p "$MPLP_DEB_KEEP" && cp "$pkg"/*.deb "$MPLP_DEB_KEEP"/; fi

# 2. lintian.
if command -v lintian >/dev/null 2>&1; then
  lintian --fail-on error --info "$deb" >"$work/lintian.log" 2>&1
  rc=$?
  grep -v 'running with root privileges' "$work/lintian.log"
  errors=$(grep -c '^E: ' "$work/lintian.log")
  warnings=$(grep -c '^W: ' "$work/lintian.log")
  if [ $rc -eq 0 ] && [ "$errors" -eq 0 ]; then
    record LintianReportsNoError pass "$warnings warnings"
  else
    record LintianReportsNoError fail "lintian exit $rc, $errors errors (above)"
  fi
else
  record LintianReportsNoError fail "lintian is not installed (scripts/setup.sh test installs it)"
fi

# 3. Contents.
missing=()
listing="$(dpkg-deb -c "$deb" | awk '{print $6}')"
for f in ./usr/bin/mplp-gate ./usr/share/man/man1/mplp-gate.1.gz ./usr/share/bash-completion/completions/mplp-gate \
         ./usr/share/doc/mplp-gate/copyright ./usr/share/doc/mplp-gate/policy/default.yaml \
         ./usr/share/doc/mplp-gate/schemas/manifest.v2.schema.json \
         ./usr/share/doc/mplp-gate/schemas/runner-meta.v2.schema.json \
         ./usr/share/doc/mplp-gate/schemas/substrate-registry.v2.schema.json \
         ./usr/share/doc/mplp-gate/schemas/runner-yaml.schema.json \
         ./usr/share/doc/mplp-gate/schemas/gate-report.schema.json; do
  grep -qxF "$f" <<<"$listing" || missing+=("$f")
done
if [ ${#missing[@]} -eq 0 ]; then
  record HoldsBinaryManPageCompletionAndDocs pass
else
  record HoldsBinaryManPageCompletionAndDocs fail "missing: ${missing[*]}"
fi

# 4. A fresh Debian 12 container, the package installed as the README says.
run_in() { podman exec "$container" sh -c "$1"; }
if ! command -v podman >/dev/null 2>&1; then
  record InstallsInFreshDebian12 fail "podman is not installed (scripts/setup.sh test installs it)"
  exit 1
fi
if ! podman image exists "$image"; then
  echo "deb: building $image (mmdebstrap minbase from this machine's apt sources)"
  if ! ENGINE=podman sh runners/_base/debian-12/build.sh "$image"; then
    record InstallsInFreshDebian12 fail "could not build $image"
    exit 1
  fi
fi
if ! podman run -d --rm --name "$container" -v "$pkg:/deb:ro" -v "$src:/src:ro" "$image" sleep 1800 >/dev/null; then
  record InstallsInFreshDebian12 fail "podman could not start a container of $image"
  exit 1
fi
tools="$(run_in 'for t in cc gcc g++ c++ make meson ninja dpkg-buildpackage; do command -v $t; done; true')"
if [ -n "$tools" ]; then
  record InstallsInFreshDebian12 fail "the container is not a bare system: it has $(echo $tools)"
  exit 1
fi
echo "deb: apt install ./$(basename "$deb") in a fresh $image container"
if run_in "apt-get update -q >/dev/null && cd /deb && { apt install -y -q ./$(basename "$deb") >/tmp/apt.log 2>&1 ||
            { cat /tmp/apt.log; false; }; } && tail -n 3 /tmp/apt.log" &&
   [ "$(run_in 'mplp-gate --version')" = "mplp-gate $version" ]; then  # built from a copy without .git: no commit
  record InstallsInFreshDebian12 pass "$(run_in 'mplp-gate --version')"
else
  record InstallsInFreshDebian12 fail "apt install or mplp-gate --version failed (above)"
  exit 1
fi
probe='. /usr/share/bash-completion/completions/mplp-gate &&
  COMP_WORDS=(mplp-gate run --engine ""); COMP_CWORD=3; _mplp_gate; echo "${COMPREPLY[*]}"'
completion="$(podman exec "$container" bash -c "$probe" 2>&1)"
if [ "$completion" = "auto podman docker" ]; then
  record CompletionInstalledAndCompletes pass
else
  record CompletionInstalledAndCompletes fail "completing 'mplp-gate run --engine ' gave: $completion"
fi

# 5. The installed tool on a good and a bad pack (from the repository root,
#    as scripts/demo.sh runs it).
check_pack() {  # NAME PACK EXPECTED_EXIT
  local out rc
  out="$(run_in "cd /src && mplp-gate check $2" 2>&1)"
  rc=$?
  echo "$out" | tail -n 3
  if [ $rc -eq "$3" ]; then
    record "$1" pass "mplp-gate check $2: exit $rc"
  else
    echo "$out"
    record "$1" fail "mplp-gate check $2: exit $rc, expected $3"
  fi
}
check_pack CheckGoodPackExits0 fixtures/packs/good-real 0
check_pack CheckBadPackExits1 fixtures/upstream/real/langchain/langchain-d1-real-runner-det-001 1
exit $status
