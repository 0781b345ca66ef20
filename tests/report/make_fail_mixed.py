#!/usr/bin/env python3
"""Rebuilds fixtures/report/fail-mixed from fixtures/packs/good-real.

The pack the report golden files are made from: sealed like a real pack, then
given a few defects of different severities, so every renderer shows errors
(with line:column and with a JSON pointer), a warning and info findings:
  - artifacts/context.json names http://localhost:8080/hook  (HOST-ALLOW-01 error, line:column)
  - env_ref.runner_id is "Node 20!"                           (SSOT-01 errors, JSON pointer)
  - reports/notes.txt is added after sealing                   (INTEGRITY-01 warning: not listed)
  - pack_root_hash matches (INTEGRITY-01 info); a DET-01 group of one (info)
Usage: python3 tests/report/make_fail_mixed.py   (from the source root)
"""
import hashlib
import json
import os
import shutil
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
src = os.path.join(root, 'fixtures/packs/good-real')
dst = os.path.join(root, 'fixtures/report/fail-mixed')


def sha(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


shutil.rmtree(dst, ignore_errors=True)
shutil.copytree(src, dst)
# The good pack's signed provenance describes the good pack, not this edited
# copy: an edited pack is honestly unsigned (as `mplp-gate seal` leaves it).
os.remove(os.path.join(dst, 'integrity/provenance.intoto.jsonl'))

ctx_path = os.path.join(dst, 'artifacts/context.json')
with open(ctx_path) as f:
    ctx = json.load(f)
ctx['callback_url'] = 'http://localhost:8080/hook'
with open(ctx_path, 'w') as f:
    f.write(json.dumps(ctx, indent=2) + '\n')

man_path = os.path.join(dst, 'manifest.json')
with open(man_path) as f:
    man = json.load(f)
man['pack_id'] = 'fail-mixed-001'
man['env_ref']['runner_id'] = 'Node 20!'

# Seal: v2-producer pack_root_hash over the five files, verify_report_hash.
five = ['artifacts/context.json', 'artifacts/plan.json', 'artifacts/confirm.json', 'artifacts/trace.json',
        'timeline/events.ndjson']
text = ''.join(f'{sha(os.path.join(dst, p))}  {p}\n' for p in five)
man['hashes']['pack_root_hash'] = hashlib.sha256(text.encode()).hexdigest()
man['hashes']['verify_report_hash'] = sha(os.path.join(dst, 'reports/verify.report.json'))
with open(man_path, 'w') as f:
    f.write(json.dumps(man, indent=2) + '\n')

files = []
for d, _, names in os.walk(dst):
    for n in names:
        rel = os.path.relpath(os.path.join(d, n), dst)
        if not rel.startswith('integrity/'):
            files.append(rel)
with open(os.path.join(dst, 'integrity/sha256sums.txt'), 'w') as f:
    for rel in sorted(files):
        f.write(f'{sha(os.path.join(dst, rel))}  {rel}\n')

# Added after sealing: listed nowhere.
with open(os.path.join(dst, 'reports/notes.txt'), 'w') as f:
    f.write('reviewer notes, added after the pack was sealed\n')
print('wrote', dst, file=sys.stderr)
