#!/usr/bin/env python3
"""Prints 'tests: N passed, M failed, K skipped' over the gtest XML files in a directory."""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

passed = failed = skipped = 0
files = sorted(Path(sys.argv[1]).glob('*.xml'))
for f in files:
    root = ET.parse(f).getroot()
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
