#!/usr/bin/env python3
"""Checks scripts/new-gate on a copy of the files it reads and edits.

Usage: check_new_gate.py SOURCE_ROOT CXX [CXX_ARGS...]

In a temporary copy (the source tree is never touched) it runs
`scripts/new-gate GATE-V2-NEW-THING-01` and checks what it wrote: the gate,
its page, two fixtures with their expectations, one line in the sorted gate
list and one in each build list; that the gate file compiles (syntax only,
with the project's headers and flags); that a second run, a malformed id and
an existing gate exit 2 writing nothing. A full build of a generated gate is
what `scripts/new-gate`'s done-when asks of a clean clone; this test keeps the
script honest on every run.
"""
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile

GATE_ID = "GATE-V2-NEW-THING-01"


def fail(message):
    print("check_new_gate: FAIL: " + message)
    sys.exit(1)


def snapshot(root):
    out = {}
    for base, _, files in os.walk(root):
        for f in files:
            p = os.path.join(base, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def run(root, *args):
    return subprocess.run([sys.executable, os.path.join(root, "scripts", "new-gate"), *args],
                          capture_output=True, text=True)


def main():
    src, cxx = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "repo")
        for rel in ("scripts/new-gate", "gates/gate_list.cpp", "gates/meson.build", "gates/docs/meson.build"):
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            shutil.copy2(os.path.join(src, rel), os.path.join(root, rel))
        shutil.copytree(os.path.join(src, "fixtures/packs/good-real"), os.path.join(root, "fixtures/packs/good-real"),
                        symlinks=True)
        before = snapshot(root)

        r = run(root, "gate-v2-lower-01")
        if r.returncode != 2 or "not a gate id" not in r.stderr:
            fail("a malformed id: exit {} ({})".format(r.returncode, r.stderr.strip()))
        if snapshot(root) != before:
            fail("a malformed id changed files")

        r = run(root, GATE_ID)
        if r.returncode != 0:
            fail("new-gate exited {}: {}".format(r.returncode, r.stderr))
        after = snapshot(root)
        added = sorted(set(after) - set(before))
        changed = sorted(p for p in before if before[p] != after.get(p))
        want_changed = ["gates/docs/meson.build", "gates/gate_list.cpp", "gates/meson.build"]
        if changed != want_changed:
            fail("changed {} (expected {})".format(changed, want_changed))
        for must in ("gates/new_thing.cpp", "gates/docs/{}.md".format(GATE_ID),
                     "fixtures/new-thing/pass-timeline.expected-findings.txt",
                     "fixtures/new-thing/fail-empty-timeline.expected-findings.txt",
                     "fixtures/new-thing/pass-timeline/manifest.json",
                     "fixtures/new-thing/fail-empty-timeline/timeline/events.ndjson"):
            if must not in added:
                fail("{} was not written".format(must))
        if after["fixtures/new-thing/fail-empty-timeline/timeline/events.ndjson"] != b"":
            fail("the fail fixture's timeline is not empty")
        if not filecmp.cmp(os.path.join(root, "fixtures/new-thing/pass-timeline/manifest.json"),
                           os.path.join(src, "fixtures/packs/good-real/manifest.json"), shallow=False):
            fail("the pass fixture is not a copy of fixtures/packs/good-real")

        # One new line in each list; the gate list stays sorted by id.
        gate_list = after["gates/gate_list.cpp"].decode()
        ids = re.findall(r"^\s*GATE\(\w+\)\s*/\* (\S+) \*/", gate_list, re.M)
        if GATE_ID not in ids or ids != sorted(ids):
            fail("the gate list does not hold {} in order: {}".format(GATE_ID, ids))
        if "GATE(new_thing_gate)" not in gate_list:
            fail("the gate list does not name new_thing_gate")
        if "'new_thing.cpp'," not in after["gates/meson.build"].decode():
            fail("gates/meson.build does not list new_thing.cpp")
        if "'gates/docs/{}.md',".format(GATE_ID) not in after["gates/docs/meson.build"].decode():
            fail("gates/docs/meson.build does not list the page")
        for rel in want_changed:
            old, new = before[rel].decode().split("\n"), after[rel].decode().split("\n")
            if len(new) != len(old) + 1:
                fail("{} grew by {} lines, not 1".format(rel, len(new) - len(old)))

        # The gate compiles against the project's headers.
        cc = subprocess.run(cxx + ["-fsyntax-only", "-I", os.path.join(src, "src"), "-I", src,
                                   "-include", os.path.join(src, "src/core/rapidjson_assert.h"),
                                   os.path.join(root, "gates/new_thing.cpp")], capture_output=True, text=True)
        if cc.returncode != 0:
            fail("gates/new_thing.cpp does not compile:\n" + cc.stderr)

        # Again: the gate exists; nothing is written.
        r = run(root, GATE_ID)
        if r.returncode != 2 or "exists" not in r.stderr:
            fail("a second run: exit {} ({})".format(r.returncode, r.stderr.strip()))
        if snapshot(root) != after:
            fail("a second run changed files")
    print("check_new_gate: ok: {} written, listed, compiled; refusals write nothing".format(GATE_ID))


if __name__ == "__main__":
    main()
