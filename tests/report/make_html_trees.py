#!/usr/bin/env python3
"""Builds the pack trees the HTML report test (scripts/test-stages/35-html.sh) checks.

usage: make_html_trees.py SOURCE_ROOT OUT_DIR

OUT_DIR/hostile: copies of the good pack under names a stranger could choose
  (markup, quotes, U+2028, bytes that are not UTF-8) whose manifests carry
  script-ending strings; OUT_DIR/hostile-names.json: how the page must show
  each name (invalid UTF-8 as U+FFFD).
OUT_DIR/big: 10,000 small packs (hard links to one synthetic pack's files, so
  the tree costs inodes, not disk); every 97th has one artifact changed after
  sealing, so a rare finding code exists to filter on.
"""
import json
import os
import shutil
import sys
from pathlib import Path

source, out = Path(sys.argv[1]), Path(sys.argv[2])

HOSTILE = [
    b'<script>alert(1)',
    b'<img src=x onerror=alert(2)>',
    b'"quoted" & \'apos\' `tick`',
    'sep\u2028line\u2029end'.encode(),
    b'bad-\xff\xfe-utf8',
    b'--><!--',
]

hostile = out / 'hostile'
shutil.rmtree(hostile, ignore_errors=True)
hostile.mkdir(parents=True)
shown = []
for raw in HOSTILE:
    dest = os.path.join(os.fsencode(hostile), raw)
    shutil.copytree(source / 'fixtures/packs/good-real', os.fsdecode(dest))
    manifest = os.path.join(dest, b'manifest.json')
    doc = json.loads(Path(os.fsdecode(manifest)).read_text())
    doc['pack_id'] = '</script><script>window.__pwned=2</script>'
    doc['scenario_id'] = 'x\u2028</script><!--'
    Path(os.fsdecode(manifest)).write_text(json.dumps(doc, ensure_ascii=False))
    # As the text report shows it: hidden controls (here U+2028, U+2029) as \uXXXX.
    shown.append(raw.decode('utf-8', 'replace').replace('\u2028', '\\u2028').replace('\u2029', '\\u2029'))
(out / 'hostile-names.json').write_text(json.dumps(shown))

big = out / 'big'
shutil.rmtree(big, ignore_errors=True)
big.mkdir(parents=True)
template = source / 'fixtures/pack-structure/pass-synthetic-minimal'
files = sorted(p.relative_to(template) for p in template.rglob('*') if p.is_file())
for i in range(10000):
    pack = big / f'pack-{i:05d}'
    for rel in files:
        (pack / rel).parent.mkdir(parents=True, exist_ok=True)
        if i % 97 == 0 and rel.as_posix() == 'artifacts/trace.json':
            (pack / rel).write_bytes((template / rel).read_bytes() + b' ')
        else:
            os.link(template / rel, pack / rel)
