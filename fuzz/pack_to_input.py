#!/usr/bin/env python3
"""Turns a pack directory into an input of the fuzz_pack target (see pack_input.h).

Usage: fuzz/pack_to_input.py PACK_DIR [--reseal] [--registry FILE] [--policy FILE] > seed
"""
import argparse
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pack")
    ap.add_argument("--reseal", action="store_true")
    ap.add_argument("--registry")
    ap.add_argument("--policy")
    a = ap.parse_args()
    out = bytearray()
    for top, dirs, files in os.walk(a.pack):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(top, name)
            rel = os.path.relpath(path, a.pack)
            with open(path, "rb") as f:
                data = f.read()
            # A record ends at the next marker line, so a file must end its
            # last line (files that do not are given a newline here).
            out += b"=== " + rel.encode() + b"\n" + data + (b"" if data.endswith(b"\n") or not data else b"\n")
    for marker, path in (("!registry", a.registry), ("!policy", a.policy)):
        if path:
            with open(path, "rb") as f:
                data = f.read()
            out += b"=== " + marker.encode() + b"\n" + data + (b"" if data.endswith(b"\n") else b"\n")
    if a.reseal:
        out += b"=== !reseal\n"
    sys.stdout.buffer.write(bytes(out))


if __name__ == "__main__":
    main()
