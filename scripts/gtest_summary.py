#!/usr/bin/env python3
"""Prints 'tests: N passed, M failed, K skipped' over the gtest XML files in a directory.

A file that cannot be read as XML (say, a test process crashed mid-write)
counts as one failure, named; bytes XML forbids in failure messages are
dropped first so that one odd message cannot hide a whole suite's results.
"""
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

# Characters XML 1.0 allows; everything else is removed before parsing.
NOT_XML = re.compile('[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')

passed = failed = skipped = 0
files = sorted(Path(sys.argv[1]).glob('*.xml'))
for f in files:
    text = NOT_XML.sub('', f.read_bytes().decode('utf-8', 'replace'))
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        print(f'tests: {f.name} is not readable gtest XML ({e})', file=sys.stderr)
        failed += 1
        continue
    for case in root.iter('testcase'):
        if case.find('failure') is not None or case.find('error') is not None:
            failed += 1
        elif case.get('result') == 'skipped' or case.find('skipped') is not None:
            skipped += 1
        else:
            passed += 1
if not files:
    print('tests: no gtest results found', file=sys.stderr)
    failed += 1
print(f'tests: {passed} passed, {failed} failed, {skipped} skipped')
sys.exit(1 if failed else 0)
