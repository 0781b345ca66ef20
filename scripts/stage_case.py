#!/usr/bin/env python3
"""Records one result of a shell test stage in a gtest-style XML file.

Usage: stage_case.py FILE.xml SUITE NAME pass|fail|skip [MESSAGE]

Adds the test case SUITE.NAME to FILE.xml (created when missing, rewritten
whole each time) so that scripts/gtest_summary.py counts the checks a shell
stage makes beside the gtest suites, and prints one line
"PASS|FAIL|SKIP SUITE.NAME: MESSAGE" for the log. Exits 0 (the caller keeps
its own status).
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def main():
    if len(sys.argv) < 5 or sys.argv[4] not in ('pass', 'fail', 'skip'):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path, suite_name, name, status = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    message = sys.argv[5] if len(sys.argv) > 5 else ''
    root = ET.parse(path).getroot() if path.exists() else ET.Element('testsuites', name='AllTests')
    suite = root.find(f"testsuite[@name='{suite_name}']")
    if suite is None:
        suite = ET.SubElement(root, 'testsuite', name=suite_name)
    case = ET.SubElement(suite, 'testcase', name=name, classname=suite_name, status='run',
                         result='skipped' if status == 'skip' else 'completed')
    if status == 'fail':
        ET.SubElement(case, 'failure', message=message).text = message
    elif status == 'skip':
        ET.SubElement(case, 'skipped', message=message)
    for s in [root] + root.findall('testsuite'):
        cases = list(s.iter('testcase'))
        s.set('tests', str(len(cases)))
        s.set('failures', str(sum(c.find('failure') is not None for c in cases)))
        s.set('skipped', str(sum(c.find('skipped') is not None for c in cases)))
        s.set('errors', '0')
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + '.tmp')
    ET.ElementTree(root).write(tmp, encoding='UTF-8', xml_declaration=True)
    tmp.replace(path)
    print(f"{status.upper()} {suite_name}.{name}" + (f": {message}" if message else ''), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
