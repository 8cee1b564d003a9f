#!/usr/bin/python3
"""Adds up the TRX files of one test run and prints 'N passed, N failed, N skipped', plus the
names of failed and skipped tests (with the reason a skipped test gave). Exit 1 if anything failed
or if no test ran at all."""
import glob, os, sys
import xml.etree.ElementTree as ET

NS = '{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}'
root = sys.argv[1] if len(sys.argv) > 1 else 'artifacts/test-results'
passed = failed = skipped = 0
failures, skips = [], []
for trx in sorted(glob.glob(os.path.join(root, '**', '*.trx'), recursive=True)):
    for r in ET.parse(trx).getroot().iter(NS + 'UnitTestResult'):
        outcome, name = r.get('outcome'), r.get('testName')
        if outcome == 'Passed':
            passed += 1
        elif outcome in ('Failed', 'Error', 'Timeout', 'Aborted'):
            failed += 1; failures.append(name)
        else:
            skipped += 1
            msg = r.find(f'{NS}Output/{NS}StdOut')
            reason = r.find(f'{NS}Output/{NS}ErrorInfo/{NS}Message')
            skips.append(f'{name}: {(reason.text if reason is not None else "") or ""}'.strip())
for f in failures: print(f'FAILED  {f}')
for s in skips: print(f'SKIPPED {s}')
print(f'{passed} passed, {failed} failed, {skipped} skipped')
sys.exit(1 if failed or passed == 0 else 0)
